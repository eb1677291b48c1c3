package io.podcap.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowTable;
import io.podcap.probe.AddressRoles;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs made-up node traffic through a throwaway copy of an analysis before a live capture starts, so that the JIT has
 * compiled its per-packet path by the time real packets arrive. Compiling while they pour in shares the core with the
 * reader: after a few deoptimizations (the first flows ending, the first reset) the hot path can stay in slow profiled
 * code for seconds, longer than the kernel's buffer lasts on a busy core. The traffic takes the paths a node's does:
 * TCP connections with an HTTP request (a kubelet probe in every other one) and a response, closed with FINs or reset,
 * some over IPv6, DNS-like UDP, ICMP echo; packet time advances 50 us a packet, so closed flows end too (in a training
 * run's 131,072 packets as well: 4.9 s of packet time, more than the 2 s a closed flow waits). A branch the warm-up
 * never takes is compiled as a trap that throws the compiled loop away when real packets take it (then the whole path
 * is compiled again, on the reader's core, while packets wait): so there are also packets that share a timestamp, two
 * packets of a connection in a row, frames with and without don't-fragment, servers on either side of their clients'
 * addresses and one talking to itself, retransmitted SYNs and SYN-ACKs (also a SYN again after the SYN-ACK), a
 * connection on the ports of one just closed, connections seen from their request on (as those open when a capture
 * starts), one whose ports a new connection takes while it is still open, a request and a response in two segments, a
 * POST with a body longer than a packet's first 128 bytes, TLS and Redis, and new sources coming.
 */
final class WarmUp {
    /** How long: on one core, long enough for the compiler to finish the per-packet path of flows and probes. */
    private static final long MILLIS = 1500;
    /** Where the throwaway analysis prints. */
    static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());
    /**
     * Who is who in the made-up traffic, for the throwaway analysis' probe detector: the node's addresses (the probes
     * come from the second, so a lookup passes one first), a pod and the pod network: lookups find things, as live.
     */
    static final AddressRoles ROLES = AddressRoles.builder().nodeAddress("10.3.0.1").nodeAddress("10.1.0.1")
            .localPod("10.2.0.1", "warm-up/pod").clusterCidr("10.2.0.0/16").build();
    private static final int CONCURRENT = 512;
    private static final int BATCH = 64;
    private static final byte[] PROBE = ascii("GET /healthz HTTP/1.1\r\nHost: 10.2.0.1:8080\r\n"
            + "User-Agent: kube-probe/1.29\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    private static final byte[] REQUEST = ascii("GET /api/v1/items?page=2 HTTP/1.1\r\nHost: svc\r\n"
            + "User-Agent: curl/8.5.0\r\n\r\n");
    private static final byte[] POST = ascii("POST /api/v1/items HTTP/1.1\r\nHost: svc\r\nContent-Length: 300\r\n\r\n"
            + "x".repeat(300));
    /** The start of a TLS client hello, and of the server's answer: a connection that is not HTTP. */
    private static final byte[] TLS_HELLO = tls(0x01);
    private static final byte[] TLS_ANSWER = tls(0x03);
    private static final byte[] REDIS_PING = ascii("*1\r\n$4\r\nPING\r\n");
    private static final byte[] REDIS_PONG = ascii("+PONG\r\n");
    /** Where a request or response sent in two segments is cut: within the first 64 bytes, as real ones can be. */
    private static final int CUT = 16;
    private static final byte[] RESPONSE = ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 2\r\n\r\nok");
    private static final PacketSource SOURCE = source("warm-up");
    /** One connection in five comes from another source, a new one every 1024 connections. */
    private static final int NEW_SOURCE_EVERY = 1024;

    // the same kind of buffer as a capture's packets come in (a duplicate over direct memory), so that what the JIT
    // compiles here is what the capture calls
    private final ByteBuf frames = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BATCH * 2048)).duplicate();
    private final PacketView[] views = new PacketView[BATCH];
    private final int[] step = new int[CONCURRENT];
    private final int[] id = new int[CONCURRENT];
    private final int[] endpoints = new int[CONCURRENT]; // the connection whose addresses and ports it uses
    private final PacketSource[] sourceOf = new PacketSource[CONCURRENT];
    private PacketSource otherSource = source("warm-up-0");
    private int nextId;
    private int connection; // whose packet comes next
    private long ts = 1_000_000_000L;
    private int packets;

    private WarmUp() {
        for (int i = 0; i < BATCH; i++) {
            views[i] = new PacketView();
        }
        for (int c = 0; c < CONCURRENT; c++) {
            restart(c);
        }
    }

    private static PacketSource source(String namespace) {
        return new PacketSource() {
            @Override
            public String namespace() { return namespace; }

            @Override
            public String interfaceName(int ifindex) { return "eth0"; }
        };
    }

    private static byte[] tls(int minor) {
        byte[] b = new byte[80];
        b[0] = 0x16; // handshake record
        b[1] = 0x03;
        b[2] = (byte) minor;
        b[4] = 75;
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Feeds {@code table} (and its listeners) as a live capture does, for 1.5 s; throw it away afterwards. */
    static void run(FlowTable table) {
        run(new BatchLock(table.batched(), new ReentrantLock()), MILLIS);
    }

    /** Feeds {@code handler} for about {@code millis} of wall time. */
    static void run(PacketHandler handler, long millis) {
        WarmUp w = new WarmUp();
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            w.batch(handler);
        }
        // Now rather than in a pause while packets arrive: the warm-up's garbage goes, and the analysis' own tables
        // (tens of MiB, made before) leave the young generation, whose first collections would copy them.
        System.gc();
    }

    /** Feeds {@code handler} the same traffic, {@code batches} batches of 64 packets. */
    static void feed(PacketHandler handler, int batches) {
        WarmUp w = new WarmUp();
        for (int b = 0; b < batches; b++) {
            w.batch(handler);
        }
    }

    private void batch(PacketHandler handler) {
        for (int i = 0; i < BATCH; i++) {
            handler.onPacket(next(i, connection));
            if ((i & 7) != 7) { // else the same connection's next packet comes next
                connection = (connection * 5 + 1) & (CONCURRENT - 1); // visits every connection, not in order
            }
        }
        handler.onBatchEnd();
    }

    /** The next packet of connection {@code c}, built in frame slot {@code i}. */
    private PacketView next(int i, int c) {
        int n = id[c];
        int a = endpoints[c];
        int s = step[c]++;
        PacketSource source = sourceOf[c]; // before a last packet restarts the connection
        if ((++packets & 3) != 0) { // every fourth packet has the time of the one before
            ts += 50_000;
        }
        int kind = n % 16;
        boolean v6 = kind == 13;
        int base = i * 2048;
        int len;
        if (kind == 14) { // DNS-like: query, answer
            len = udp(base, n, s == 0);
            if (s == 1) {
                restart(c);
            }
        } else if (kind == 15) { // ping: request, reply
            len = icmp(base, n, s == 0);
            if (s == 1) {
                restart(c);
            }
        } else {
            boolean reset = kind == 7;
            boolean split = kind == 9;          // the request in two segments
            boolean splitResponse = kind == 10; // the response
            boolean other = kind == 11;         // not HTTP
            boolean tls = other && (n & 16) == 0;
            // left open (its server below its client) after the request or the client's FIN, ports taken by the next
            boolean abandoned = other && (n & 32) != 0;
            int abandonAt = (n & 64) == 0 ? 3 : 5;
            byte[] request = other ? (tls ? TLS_HELLO : REDIS_PING)
                    : (n & 1) == 0 ? PROBE : (n & 3) == 1 ? POST : REQUEST;
            byte[] response = other ? (tls ? TLS_ANSWER : REDIS_PONG) : RESPONSE;
            long ci = 1000L * n;     // client's initial sequence number
            long si = 7000L * n + 3; // server's
            long ce = ci + 1 + request.length;
            long se = si + 1 + response.length;
            // the steps of a clean connection; a retransmitted SYN (kind 5) or SYN-ACK (6), or the second segment of
            // the request (9) or the response (10), is one step more; a SYN and SYN-ACK sent again (8), two more;
            // one seen from its request on (1) starts three steps in
            int t = kind == 1 ? s + 3
                    : kind == 8 && s >= 2 ? s - 2
                    : (kind == 5 && s >= 1) || (kind == 6 && s >= 2) || (split && s >= 4) || (splitResponse && s >= 5)
                    ? s - 1 : s;
            len = switch (t) {
                case 0 -> tcp(base, v6, a, true, 0x02, ci, 0, null, 0, 0);                // SYN
                case 1 -> tcp(base, v6, a, false, 0x12, si, ci + 1, null, 0, 0);          // SYN-ACK
                case 2 -> tcp(base, v6, a, true, 0x10, ci + 1, si + 1, null, 0, 0);       // ACK
                case 3 -> split && s == 4
                        ? tcp(base, v6, a, true, 0x18, ci + 1 + CUT, si + 1, request, CUT, request.length - CUT)
                        : tcp(base, v6, a, true, 0x18, ci + 1, si + 1, request, 0, split ? CUT : request.length);
                case 4 -> splitResponse && s == 5
                        ? tcp(base, v6, a, false, 0x18, si + 1 + CUT, ce, response, CUT, response.length - CUT)
                        : tcp(base, v6, a, false, 0x18, si + 1, ce, response, 0, splitResponse ? CUT : response.length);
                case 5 -> tcp(base, v6, a, true, reset ? 0x14 : 0x11, ce, se, null, 0, 0); // RST-ACK or FIN-ACK
                case 6 -> tcp(base, v6, a, false, 0x11, se, ce + 1, null, 0, 0);          // FIN-ACK
                default -> tcp(base, v6, a, true, 0x10, ce + 1, se + 1, null, 0, 0);      // last ACK
            };
            if (t == 7 || (reset && t == 5)) {
                restart(c);
            } else if (abandoned && t == abandonAt) {
                restart(c);
                endpoints[c] = a; // its ports open the slot's next connection while it is still open
            }
        }
        return views[i].wrap(frames, base, len, len, ts, 2, LinkType.ETHERNET, source);
    }

    private void restart(int c) {
        step[c] = 0;
        id[c] = nextId++;
        // kind 3 opens a connection on the addresses and ports of the one this slot just ended
        endpoints[c] = id[c] % 16 == 3 && id[c] >= CONCURRENT ? endpoints[c] : id[c];
        if (id[c] % NEW_SOURCE_EVERY == 0) {
            otherSource = source("warm-up-" + id[c]);
        }
        sourceOf[c] = id[c] % 5 == 4 ? otherSource : SOURCE;
    }

    private int ethernet(int at, int etherType) {
        frames.setLong(at, 0x0a58_0a02_0001_0a58L); // destination MAC, then 2 bytes of the source
        frames.setInt(at + 8, 0x0a01_0001);
        frames.setShort(at + 12, etherType);
        return at + 14;
    }

    /**
     * IPv4 or IPv6 header between a client 10.1.x.y (or fd00::a01:xy) and a server 10.2.0.z, or for one connection in
     * four 10.0.0.z, or in sixteen the client itself; returns where L4 starts.
     */
    private int ip(int at, boolean v6, int n, boolean fromClient, int protocol, int l4Length) {
        int client = (n & 1) == 0 ? 0x0a01_0001 : 0x0a01_0000 | (n & 0xffff); // probes come from the node's address
        int server = n % 16 == 12 ? client : ((n & 3) == 3 ? 0x0a00_0000 : 0x0a02_0000) | (n % 8 + 1);
        if (v6) {
            frames.setInt(at, 0x6000_0000);
            frames.setShort(at + 4, l4Length);
            frames.setByte(at + 6, protocol);
            frames.setByte(at + 7, 64);
            frames.setLong(at + 8, 0xfd00_0000_0000_0000L);
            frames.setLong(at + 16, fromClient ? client : server);
            frames.setLong(at + 24, 0xfd00_0000_0000_0000L);
            frames.setLong(at + 32, fromClient ? server : client);
            return at + 40;
        }
        frames.setInt(at, 0x4500_0000 | (20 + l4Length));
        frames.setInt(at + 4, protocol == 6 ? 0x4000 : 0); // identification 0; don't-fragment on TCP only
        frames.setShort(at + 8, 64 << 8 | protocol);
        frames.setShort(at + 10, 0);
        frames.setInt(at + 12, fromClient ? client : server);
        frames.setInt(at + 16, fromClient ? server : client);
        return at + 20;
    }

    private int tcp(int base, boolean v6, int n, boolean fromClient, int flags, long seq, long ack, byte[] payload,
                    int from, int payloadLength) {
        int at = ip(ethernet(base, v6 ? 0x86dd : 0x0800), v6, n, fromClient, 6, 32 + payloadLength);
        int clientPort = 32768 + n % 28000;
        int serverPort = n % 3 == 0 ? 80 : 8080;
        frames.setShort(at, fromClient ? clientPort : serverPort);
        frames.setShort(at + 2, fromClient ? serverPort : clientPort);
        frames.setInt(at + 4, (int) seq);
        frames.setInt(at + 8, (int) ack);
        frames.setShort(at + 12, 8 << 12 | flags); // 32-byte header: a timestamp option
        frames.setShort(at + 14, 64240);
        frames.setInt(at + 16, 0);
        frames.setInt(at + 20, 0x0101_080a); // NOP, NOP, timestamp
        frames.setLong(at + 24, ts);
        if (payload != null) {
            frames.setBytes(at + 32, payload, from, payloadLength);
        }
        return at + 32 + payloadLength - base;
    }

    private int udp(int base, int n, boolean query) {
        int at = ip(ethernet(base, 0x0800), false, n, query, 17, 8 + 32);
        frames.setShort(at, query ? 40000 + n % 20000 : 53);
        frames.setShort(at + 2, query ? 53 : 40000 + n % 20000);
        frames.setShort(at + 4, 8 + 32);
        frames.setShort(at + 6, 0);
        frames.setZero(at + 8, 32);
        return at + 40 - base;
    }

    private int icmp(int base, int n, boolean request) {
        int at = ip(ethernet(base, 0x0800), false, n, request, 1, 8 + 16);
        frames.setShort(at, request ? 0x0800 : 0x0000);
        frames.setShort(at + 2, 0);
        frames.setShort(at + 4, n & 0xffff);
        frames.setShort(at + 6, 1);
        frames.setZero(at + 8, 16);
        return at + 24 - base;
    }
}
