package io.podcap.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a classic pcap (Ethernet, microseconds) that looks like a busy node: many concurrent conversations
 * interleaved, pod addresses talking to pods and service IPs. TCP flows (90%, one in ten over IPv6) have a handshake,
 * request/response rounds with mixed sizes (64 to 1514 bytes on the wire) and a FIN exchange; UDP flows are DNS-like
 * request/response pairs. Deterministic for a seed.
 *
 * <p>Usage: {@code NodeTraffic FILE PACKETS CONCURRENT_FLOWS [SEED]}.
 */
public final class NodeTraffic {
    private static final int ETH = 14;
    private static final int[] SERVER_PORTS = {80, 443, 8080, 5432, 6379, 9090, 10250};

    private final SplittableRandom random;
    private final Flow[] active;
    private final ByteBuffer frame = ByteBuffer.allocate(1514).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private long timeMicros = 1_764_000_000_000_000L;
    private long flowsStarted;

    /** One conversation and where it stands: its next packet is a function of the step. */
    private static final class Flow {
        boolean tcp;
        boolean ipv6;
        int client;
        int server;
        int clientPort;
        int serverPort;
        int rounds;      // request/response rounds left
        int step;
        long clientSeq;
        long serverSeq;
        int nextSize;
    }

    private NodeTraffic(long seed, int concurrentFlows) {
        this.random = new SplittableRandom(seed);
        this.active = new Flow[concurrentFlows];
        for (int i = 0; i < active.length; i++) {
            active[i] = start(new Flow());
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: NodeTraffic FILE PACKETS CONCURRENT_FLOWS [SEED]");
        }
        long packets = Long.parseLong(args[1]);
        NodeTraffic traffic = new NodeTraffic(args.length > 3 ? Long.parseLong(args[3]) : 1, Integer.parseInt(args[2]));
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[0])), 1 << 20)) {
            traffic.write(out, packets);
        }
        System.out.printf("%s: %,d packets, %,d flows, %,d concurrent%n", args[0], packets, traffic.flowsStarted,
                traffic.active.length);
    }

    private void write(OutputStream out, long packets) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(header.array());
        for (long n = 0; n < packets; n++) {
            int i = random.nextInt(active.length);
            Flow f = active[i];
            int length = next(f);
            if (f.step < 0) {
                active[i] = start(f);
            }
            timeMicros += random.nextInt(20);
            record.clear();
            record.putInt((int) (timeMicros / 1_000_000)).putInt((int) (timeMicros % 1_000_000)).putInt(length)
                    .putInt(length);
            out.write(record.array());
            out.write(frame.array(), 0, length);
        }
    }

    private Flow start(Flow f) {
        flowsStarted++;
        f.tcp = random.nextInt(10) != 0;
        f.ipv6 = f.tcp && random.nextInt(10) == 0;
        f.client = 0x0af40000 | random.nextInt(1 << 16);                     // 10.244.0.0/16 pods
        f.server = random.nextBoolean() ? 0x0a600000 | random.nextInt(1 << 12) // 10.96.0.0/20 services
                : 0x0af40000 | random.nextInt(1 << 16);
        f.clientPort = 32768 + random.nextInt(28000);
        f.serverPort = f.tcp ? SERVER_PORTS[random.nextInt(SERVER_PORTS.length)] : 53;
        f.rounds = f.tcp ? 1 + random.nextInt(8) : 1 + random.nextInt(2);
        f.step = 0;
        f.clientSeq = random.nextLong(1L << 32);
        f.serverSeq = random.nextLong(1L << 32);
        return f;
    }

    /** Writes the flow's next packet into frame and returns its length; step becomes -1 after the last one. */
    private int next(Flow f) {
        return f.tcp ? nextTcp(f) : nextUdp(f);
    }

    private int nextUdp(Flow f) {
        boolean request = (f.step & 1) == 0;
        int payload = request ? 30 + random.nextInt(40) : 60 + random.nextInt(400);
        int length = ip(f, request, 17, 8 + payload);
        int l4 = length - 8 - payload;
        frame.putShort(l4, (short) (request ? f.clientPort : f.serverPort));
        frame.putShort(l4 + 2, (short) (request ? f.serverPort : f.clientPort));
        frame.putShort(l4 + 4, (short) (8 + payload));
        frame.putShort(l4 + 6, (short) 0);
        f.step = request ? f.step + 1 : (--f.rounds == 0 ? -1 : f.step + 1);
        return length;
    }

    // Steps: 0 SYN, 1 SYN-ACK, 2 ACK, then per round: 3 request, 4 response, 5 ACK; then 6 FIN, 7 FIN-ACK, 8 ACK.
    private int nextTcp(Flow f) {
        int maxPayload = 1514 - ETH - (f.ipv6 ? 40 : 20) - 20;
        return switch (f.step) {
            case 0 -> tcp(f, true, 0x02, 0, 1);
            case 1 -> tcp(f, false, 0x12, 0, 2);
            case 2 -> tcp(f, true, 0x10, 0, 3);
            case 3 -> tcp(f, true, 0x18, 50 + random.nextInt(550), 4);
            case 4 -> {
                f.nextSize = random.nextInt(4) == 0 ? maxPayload : 10 + random.nextInt(maxPayload - 10);
                yield tcp(f, false, 0x18, f.nextSize, 5);
            }
            case 5 -> tcp(f, true, 0x10, 0, --f.rounds > 0 ? 3 : 6);
            case 6 -> tcp(f, true, 0x11, 0, 7);
            case 7 -> tcp(f, false, 0x11, 0, 8);
            default -> tcp(f, true, 0x10, 0, -1);
        };
    }

    private int tcp(Flow f, boolean fromClient, int flags, int payload, int nextStep) {
        int length = ip(f, fromClient, 6, 20 + payload);
        int l4 = length - 20 - payload;
        long seq = fromClient ? f.clientSeq : f.serverSeq;
        long ack = (flags & 0x10) == 0 ? 0 : fromClient ? f.serverSeq : f.clientSeq;
        frame.putShort(l4, (short) (fromClient ? f.clientPort : f.serverPort));
        frame.putShort(l4 + 2, (short) (fromClient ? f.serverPort : f.clientPort));
        frame.putInt(l4 + 4, (int) seq).putInt(l4 + 8, (int) ack);
        frame.putShort(l4 + 12, (short) (5 << 12 | flags));
        frame.putShort(l4 + 14, (short) 64240).putInt(l4 + 16, 0);
        long advance = payload + ((flags & 0x03) != 0 ? 1 : 0); // SYN and FIN take a sequence number
        if (fromClient) {
            f.clientSeq = (f.clientSeq + advance) & 0xffffffffL;
        } else {
            f.serverSeq = (f.serverSeq + advance) & 0xffffffffL;
        }
        f.step = nextStep;
        return length;
    }

    /** Ethernet and IP headers for an L4 segment of l4Length bytes; returns the frame length. */
    private int ip(Flow f, boolean fromClient, int protocol, int l4Length) {
        int src = fromClient ? f.client : f.server;
        int dst = fromClient ? f.server : f.client;
        frame.putInt(0, 0x02000000).putShort(4, (short) (dst & 0xffff));
        frame.putInt(6, 0x02000000).putShort(10, (short) (src & 0xffff));
        if (f.ipv6) {
            frame.putShort(12, (short) 0x86dd);
            frame.putInt(ETH, 6 << 28).putShort(ETH + 4, (short) l4Length);
            frame.put(ETH + 6, (byte) protocol).put(ETH + 7, (byte) 64);
            ipv6(ETH + 8, src);
            ipv6(ETH + 24, dst);
            return ETH + 40 + l4Length;
        }
        frame.putShort(12, (short) 0x0800);
        frame.putShort(ETH, (short) 0x4500).putShort(ETH + 2, (short) (20 + l4Length));
        frame.putShort(ETH + 4, (short) random.nextInt(1 << 16)).putShort(ETH + 6, (short) 0x4000);
        frame.put(ETH + 8, (byte) 64).put(ETH + 9, (byte) protocol).putShort(ETH + 10, (short) 0);
        frame.putInt(ETH + 12, src).putInt(ETH + 16, dst);
        frame.putShort(ETH + 10, (short) checksum(ETH, 20));
        return ETH + 20 + l4Length;
    }

    /** fd00::/64 with the IPv4 address as the interface identifier. */
    private void ipv6(int at, int v4) {
        frame.putLong(at, 0xfd00_0000_0000_0000L).putLong(at + 8, v4 & 0xffffffffL);
    }

    private int checksum(int from, int length) {
        int sum = 0;
        for (int i = from; i < from + length; i += 2) {
            sum += frame.getShort(i) & 0xffff;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return ~sum & 0xffff;
    }
}
