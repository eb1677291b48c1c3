package io.podcap.probe;

import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowTable;
import io.podcap.flow.Frames;
import io.podcap.pcap.PcapngWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Probe connections as the kubelet makes them, frame by frame with timestamps, for offline tests: HTTP (any status),
 * gRPC health checks (HPACK built by netty's encoder), TLS hellos, TCP connects, refused and unanswered SYNs, and
 * plain client requests. Frames collect in time order; write them as pcapng or feed a table.
 */
final class ProbeTraffic {
    static final long T0 = 1_700_000_000_000_000_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    record Frame(long ts, byte[] bytes) {
    }

    final List<Frame> frames = new ArrayList<>();
    private int nextPort = 40000;

    void add(long ts, byte[] frame) {
        frames.add(new Frame(ts, frame));
    }

    private Frames.Tcp connection(String client, String server, int port) {
        nextPort = nextPort == 60999 ? 40000 : nextPort + 1;
        return new Frames.Tcp(client, nextPort, server, port);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static String request(String path, String host, String userAgent) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + userAgent
                + "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    }

    static String response(int status) {
        return "HTTP/1.1 " + status + " X\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    }

    /** A kubelet HTTP probe answered with {@code status}. */
    void http(long ts, String client, String server, int port, String path, String userAgent, int status) {
        Frames.Tcp c = handshake(ts, client, server, port);
        add(ts + 300_000, c.data(true, ascii(request(path, server + ":" + port, userAgent))));
        add(ts + 800_000, c.data(false, ascii(response(status))));
        close(c, ts + 900_000);
    }

    /** An HTTP request whose bytes go out in the given pieces, sent in the order of {@code order}. */
    void httpSplit(long ts, String client, String server, int port, String request, int[] cuts, int[] order) {
        Frames.Tcp c = handshake(ts, client, server, port);
        byte[] bytes = ascii(request);
        long seq = c.clientSeq;
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            byte[] piece = java.util.Arrays.copyOfRange(bytes, from, to);
            pieces.add(c.c(seq + from, c.serverSeq, 0x18, piece));
            from = to;
        }
        for (int i = 0; i < order.length; i++) {
            add(ts + 300_000 + i * 10_000L, pieces.get(order[i]));
        }
        c.clientSeq += bytes.length;
        add(ts + 800_000, c.data(false, ascii(response(200))));
        close(c, ts + 900_000);
    }

    /** Connect, then close without data (a TCP probe). */
    void tcp(long ts, String client, String server, int port) {
        Frames.Tcp c = handshake(ts, client, server, port);
        close(c, ts + 300_000);
    }

    /** A SYN answered by RST (nothing listens). */
    void refused(long ts, String client, String server, int port) {
        Frames.Tcp c = connection(client, server, port);
        add(ts, c.syn());
        add(ts + 50_000, c.rst(false));
    }

    /** A SYN never answered, retransmitted once after a second. */
    void unanswered(long ts, String client, String server, int port) {
        Frames.Tcp c = connection(client, server, port);
        add(ts, c.syn());
        add(ts + S, c.syn());
    }

    /** A request accepted but never answered; the client gives up after {@code giveUp} with a FIN. */
    void noAnswer(long ts, String client, String server, int port, String path, String userAgent, long giveUp) {
        Frames.Tcp c = handshake(ts, client, server, port);
        add(ts + 300_000, c.data(true, ascii(request(path, server + ":" + port, userAgent))));
        add(ts + giveUp, c.fin(true));
        add(ts + giveUp + 100_000, c.fin(false));
    }

    /** A gRPC health check with prior knowledge; the server answers with {@code servingStatus} (1 = SERVING). */
    void grpc(long ts, String client, String server, int port, String userAgent, int servingStatus) {
        Frames.Tcp c = handshake(ts, client, server, port);
        add(ts + 300_000, c.data(true, GrpcHealth.request(server + ":" + port, userAgent)));
        add(ts + 900_000, c.data(false, GrpcHealth.response(servingStatus)));
        close(c, ts + 1_000_000);
    }

    /** A TLS connection: ClientHello, the server's ServerHello, close. */
    void tls(long ts, String client, String server, int port) {
        Frames.Tcp c = handshake(ts, client, server, port);
        byte[] hello = new byte[60];
        hello[0] = 0x16;
        hello[1] = 3;
        hello[2] = 1;
        hello[3] = 0;
        hello[4] = 55;
        hello[5] = 1; // ClientHello
        add(ts + 300_000, c.data(true, hello));
        byte[] serverHello = new byte[60];
        serverHello[0] = 0x16;
        serverHello[1] = 3;
        serverHello[2] = 3;
        serverHello[4] = 55;
        serverHello[5] = 2;
        add(ts + 700_000, c.data(false, serverHello));
        close(c, ts + 900_000);
    }

    private Frames.Tcp handshake(long ts, String client, String server, int port) {
        Frames.Tcp c = connection(client, server, port);
        add(ts, c.syn());
        add(ts + 100_000, c.synAck());
        add(ts + 200_000, c.ack());
        return c;
    }

    private void close(Frames.Tcp c, long ts) {
        add(ts, c.fin(true));
        add(ts + 50_000, c.fin(false));
        add(ts + 100_000, c.window(true, 65535));
    }

    List<Frame> sorted() {
        List<Frame> out = new ArrayList<>(frames);
        out.sort(Comparator.comparingLong(Frame::ts));
        return out;
    }

    void feed(FlowTable table) {
        for (Frame f : sorted()) {
            table.onPacket(Frames.view(f.bytes(), f.ts()));
        }
    }

    void write(Path file) throws IOException {
        try (PcapngWriter w = PcapngWriter.builder().path(file).open()) {
            int iface = w.addInterface("eth0", "probes fixture", LinkType.ETHERNET, 65535);
            for (Frame f : sorted()) {
                w.writePacket(iface, f.ts(), Unpooled.wrappedBuffer(f.bytes()), 0, f.bytes().length,
                        f.bytes().length);
            }
        }
    }

    static PacketView view(byte[] frame, long ts) {
        return Frames.view(frame, ts);
    }
}
