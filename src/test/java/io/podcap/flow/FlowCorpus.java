package io.podcap.flow;

import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.pcap.PcapngWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A deterministic capture of many interleaved conversations, written as pcapng: TCP over IPv4 and IPv6 (closed, reset,
 * unanswered, retransmitting, reusing a port after a close), UDP exchanges, ICMP echoes, and frames cut by a snap
 * length.
 */
final class FlowCorpus {
    static final int SNAPLEN = 200;

    private record Frame(long ts, byte[] bytes) {
    }

    private final Random random;
    private final List<Frame> frames = new ArrayList<>();
    private final long t0 = 1_700_000_000_000_000_000L;

    private FlowCorpus(long seed) {
        random = new Random(seed);
    }

    /** Writes {@code conversations} conversations to {@code file}; returns the number of frames. */
    static int write(Path file, long seed, int conversations) throws IOException {
        FlowCorpus c = new FlowCorpus(seed);
        for (int i = 0; i < conversations; i++) {
            c.conversation(i);
        }
        c.frames.sort(Comparator.comparingLong(Frame::ts));
        try (PcapngWriter w = PcapngWriter.builder().path(file).open()) {
            int iface = w.addInterface("eth0", "corpus", LinkType.ETHERNET, SNAPLEN);
            for (Frame f : c.frames) {
                int caplen = Math.min(f.bytes().length, SNAPLEN);
                w.writePacket(iface, f.ts(), Unpooled.wrappedBuffer(f.bytes()), 0, caplen, f.bytes().length);
            }
        }
        return c.frames.size();
    }

    private void conversation(int i) {
        long ts = t0 + random.nextInt(10_000) * 1_000_000L;
        boolean v6 = i % 5 == 0;
        String client = v6 ? "fd00::1:" + Integer.toHexString(i + 1) : "10.10." + (i >> 8 & 0xff) + "." + (i & 0xff);
        String server = v6 ? "fd00::2" : "10.20.0." + (i % 7 + 1);
        int clientPort = 20000 + i;
        switch (i % 10) {
            case 0, 1, 2, 3 -> tcp(new Frames.Tcp(client, clientPort, server, 8080), ts, true);
            case 4 -> tcp(new Frames.Tcp(client, clientPort, server, 443), ts, false);
            case 5 -> { // refused
                Frames.Tcp c = new Frames.Tcp(client, clientPort, server, 9);
                add(ts, c.syn());
                add(ts + 100_000, c.rst(false));
            }
            case 6 -> { // unanswered, retransmitted
                Frames.Tcp c = new Frames.Tcp(client, clientPort, server, 5432);
                add(ts, c.syn());
                add(ts + 1_000_000_000L, c.syn());
                add(ts + 3_000_000_000L, c.syn());
            }
            case 7 -> { // a closed connection, then the same ports again
                Frames.Tcp c = new Frames.Tcp(client, clientPort, server, 8080);
                ts = tcp(c, ts, true);
                Frames.Tcp again = new Frames.Tcp(client, clientPort, server, 8080);
                again.clientSeq = 900_000;
                tcp(again, ts + 10_000_000, true);
            }
            case 8 -> { // DNS-like exchanges
                for (int k = 0; k < 1 + random.nextInt(3); k++) {
                    add(ts, Frames.udp(client, clientPort, server, 53, new byte[30 + random.nextInt(40)]));
                    ts += 200_000;
                    add(ts, Frames.udp(server, 53, client, clientPort, new byte[60 + random.nextInt(400)]));
                    ts += 1_000_000;
                }
            }
            default -> { // ping, and a one-way UDP stream
                for (int k = 0; k < 3; k++) {
                    add(ts, Frames.echo(client, server, true, i, k));
                    add(ts + 50_000, Frames.echo(server, client, false, i, k));
                    ts += 1_000_000;
                }
                for (int k = 0; k < 5; k++) {
                    add(ts + k, Frames.udp(client, 30000 + i, server, 4789, new byte[random.nextInt(1200)]));
                }
            }
        }
    }

    /** A handshake, some request/response segments (one sent twice), then FINs or a client RST; returns the end. */
    private long tcp(Frames.Tcp c, long ts, boolean fin) {
        add(ts, c.syn());
        add(ts += 100_000, c.synAck());
        add(ts += 100_000, c.ack());
        for (int k = random.nextInt(6); k >= 0; k--) {
            byte[] request = c.data(true, new byte[1 + random.nextInt(300)]);
            add(ts += 50_000, request);
            if (random.nextInt(4) == 0) {
                add(ts += 200_000_000, request);
            }
            for (int r = random.nextInt(3); r >= 0; r--) {
                add(ts += 50_000, c.data(false, new byte[1 + random.nextInt(1400)]));
            }
            add(ts += 50_000, c.window(true, 65535));
        }
        if (fin) {
            add(ts += 100_000, c.fin(true));
            add(ts += 100_000, c.fin(false));
            add(ts += 100_000, c.window(true, 65535));
        } else {
            add(ts += 100_000, c.rst(true));
        }
        return ts;
    }

    private void add(long ts, byte[] frame) {
        frames.add(new Frame(ts, frame));
    }
}
