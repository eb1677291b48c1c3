package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.podcap.capture.Capture;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real traffic between the host and a namespace, captured inside the namespace on eth0 and turned into flows: each
 * record is checked field by field, and its packet and byte counts against every packet the capture delivered.
 */
class FlowNamespaceTest {
    private static TestNetns ns;

    @BeforeAll
    static void namespace() throws Exception {
        Root.assume();
        Tools.require("curl");
        Tools.require("nc");
        ns = TestNetns.create("flows");
        // resolve the neighbour first, so that no test's first packet waits for ARP
        ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    @FunctionalInterface
    interface Traffic {
        void run() throws Exception;
    }

    /** What a capture turned into flows, and the packets and bytes it delivered in all. */
    record Seen(List<FlowRecord> flows, long packets, long bytes) {
        FlowRecord only() {
            assertEquals(1, flows.size(), flows::toString);
            FlowRecord r = flows.get(0);
            assertEquals(packets, r.c2sPackets() + r.s2cPackets(), r::toString);
            assertEquals(bytes, r.c2sBytes() + r.s2cBytes(), r::toString);
            assertEquals("eth0", r.iface());
            assertEquals(ns.spec(), r.netns());
            assertTrue(r.firstTimestampNanos() <= r.lastTimestampNanos());
            assertTrue(Math.abs(System.currentTimeMillis() * 1_000_000L - r.firstTimestampNanos()) < 60_000_000_000L);
            return r;
        }
    }

    private static Seen capture(String filter, Traffic traffic) throws Exception {
        List<FlowRecord> flows = Collections.synchronizedList(new ArrayList<>());
        FlowTable table = FlowTable.builder().onFlowEnd(flows::add).build();
        AtomicLong packets = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        Capture capture = Capture.builder().namespace(ns.spec()).device("eth0").filter(filter).immediate(true)
                .handler(new PacketHandler() {
                    @Override
                    public void onPacket(PacketView p) {
                        packets.incrementAndGet();
                        bytes.addAndGet(p.wirelen());
                        table.onPacket(p);
                    }
                }).open();
        try (capture) {
            traffic.run();
            Thread.sleep(300); // the last packets (final ACKs) on their way through the ring
        }
        table.endAll(); // the capture's thread has finished: the table is ours now
        assertEquals(0, capture.stats().kernelDropped() + capture.stats().ringDropped());
        return new Seen(List.copyOf(flows), packets.get(), bytes.get());
    }

    @Test
    void httpRequestAndResponse() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(ns.hostAddress(), 0), 4);
        server.createContext("/", exchange -> {
            byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        try {
            Seen seen = capture("tcp port " + port, () -> assertEquals("ok\n", ns.exec("curl", "-s", "--http1.1",
                    "http://" + ns.hostAddress() + ":" + port + "/healthz").ok().stdout()));
            FlowRecord r = seen.only();
            assertEquals(6, r.protocol());
            assertEquals(ns.address(), r.clientAddress());
            assertEquals(ns.hostAddress() + ":" + port, r.server());
            assertEquals("GET /healthz HTTP/1.1", r.httpRequest());
            assertEquals(FlowState.CLOSED, r.state());
            assertEquals(FlowEnd.CLOSED, r.end());
            assertEquals(Side.BOTH, r.finFrom());
            assertNull(r.rstFrom());
            assertTrue(r.handshakeRttNanos() > 0 && r.handshakeRttNanos() < 1_000_000_000L, r::toString);
            assertEquals(0, r.synRetransmits());
            assertEquals(0, r.retransmits());
            assertEquals(0, r.zeroWindow());
            assertTrue(r.c2sPackets() >= 5 && r.s2cPackets() >= 4, r::toString); // SYN ACK GET FIN ACK / SYN-ACK ...
            assertEquals(List.of(), r.problems());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void serverResetsAConnectionToAClosedPort() throws Exception {
        Seen seen = capture("tcp port 9", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ns.address(), 9), 2000);
                throw new AssertionError("port 9 is open inside the namespace");
            } catch (java.net.ConnectException refused) {
                // SYN answered by RST
            }
        });
        FlowRecord r = seen.only();
        assertEquals(ns.hostAddress(), r.clientAddress());
        assertEquals(ns.address() + ":9", r.server());
        assertEquals(1, r.c2sPackets());
        assertEquals(1, r.s2cPackets());
        assertEquals(FlowState.RESET, r.state());
        assertEquals(FlowEnd.RESET, r.end());
        assertEquals(Side.SERVER, r.rstFrom());
        assertEquals(-1, r.handshakeRttNanos());
        assertEquals(List.of(FlowProblem.RESET_BY_SERVER), r.problems());
    }

    @Test
    void clientAbortsWithLingerZero() throws Exception {
        int port = 8081;
        ns.start("nc", "-l", ns.address(), Integer.toString(port));
        awaitListening(port);
        Seen seen = capture("tcp port " + port, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ns.address(), port), 2000);
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(100); // acknowledged before the abort
                s.setSoLinger(true, 0);
            }
        });
        FlowRecord r = seen.only();
        assertEquals(ns.hostAddress(), r.clientAddress());
        assertEquals(port, r.serverPort());
        assertEquals(FlowState.RESET, r.state());
        assertEquals(Side.CLIENT, r.rstFrom());
        assertNull(r.finFrom());
        assertTrue(r.handshakeRttNanos() > 0, r::toString);
        assertNull(r.httpRequest(), "hello is no HTTP request");
        assertEquals(4, r.c2sPackets(), r::toString); // SYN, ACK, data, RST
        assertEquals(2, r.s2cPackets(), r::toString); // SYN-ACK, ACK of the data
        assertEquals(List.of(FlowProblem.RESET_BY_CLIENT), r.problems());
    }

    private static void awaitListening(int port) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (ns.exec("ss", "-Hltn", "sport = :" + port).ok().stdout().contains(":" + port)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing listens on port " + port + " in " + ns.name());
    }

    @Test
    void synToAnAddressThatNeverAnswers() throws Exception {
        // a static neighbour entry sends the SYNs out of eth0 to a MAC nobody has: dropped without a word
        String silent = ns.address().substring(0, ns.address().lastIndexOf('.') + 1) + "77";
        ns.exec("ip", "neigh", "replace", silent, "lladdr", "02:00:00:00:00:77", "dev", "eth0", "nud", "permanent")
                .ok();
        Seen seen = capture("tcp port 80", () -> {
            TestNetns.Result curl = ns.exec("curl", "-s", "--connect-timeout", "2", "http://" + silent + "/");
            assertEquals(28, curl.exitCode(), curl::toString); // operation timed out
        });
        FlowRecord r = seen.only();
        assertEquals(ns.address(), r.clientAddress());
        assertEquals(silent + ":80", r.server());
        assertEquals(FlowState.SYN_SENT, r.state());
        assertEquals(FlowEnd.OPEN, r.end());
        assertTrue(r.synRetransmits() >= 1, r::toString); // Linux resends after 1 s
        assertEquals(r.synRetransmits() + 1, r.c2sPackets());
        assertEquals(0, r.s2cPackets());
        assertEquals(List.of(FlowProblem.UNANSWERED_SYN), r.problems());
    }

    @Test
    void udpRequestAndResponse() throws Exception {
        try (DatagramSocket server = new DatagramSocket(0, InetAddress.getByName(ns.hostAddress()))) {
            server.setSoTimeout(5000);
            int port = server.getLocalPort();
            Seen seen = capture("udp port " + port, () -> {
                Process client = ns.start("sh", "-c", "echo query | nc -u -w 2 " + ns.hostAddress() + " " + port);
                DatagramPacket query = new DatagramPacket(new byte[512], 512);
                server.receive(query);
                byte[] answer = "answer, longer than the query\n".getBytes(StandardCharsets.US_ASCII);
                server.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
                client.waitFor();
            });
            FlowRecord r = seen.only();
            assertEquals(17, r.protocol());
            assertEquals(ns.address(), r.clientAddress());
            assertEquals(ns.hostAddress() + ":" + port, r.server());
            assertEquals(1, r.c2sPackets());
            assertEquals(1, r.s2cPackets());
            assertEquals(14 + 20 + 8 + 6, r.c2sBytes());
            assertEquals(14 + 20 + 8 + 30, r.s2cBytes());
            assertEquals(FlowState.ACTIVE, r.state());
            assertEquals(FlowEnd.OPEN, r.end());
            assertEquals(-1, r.handshakeRttNanos());
            assertEquals(List.of(), r.problems());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no UDP query arrived from the namespace", e);
        }
    }

    @Test
    void aQuietCaptureStillEndsIdleFlows() throws Exception {
        List<FlowRecord> flows = Collections.synchronizedList(new ArrayList<>());
        FlowTable table = FlowTable.builder().udpTimeout(java.time.Duration.ofMillis(300)).onFlowEnd(flows::add)
                .build();
        try (Capture capture = Capture.builder().namespace(ns.spec()).device("eth0").filter("udp port 9998")
                .immediate(true).handler(table).open();
             DatagramSocket socket = new DatagramSocket()) {
            byte[] data = "once".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(data, data.length, InetAddress.getByName(ns.address()), 9998));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (flows.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // no packet came after the first, so only the capture's idle call can have moved the clock
            assertTrue(capture.isRunning());
            assertEquals(1, flows.size(), flows::toString);
            assertEquals(FlowEnd.TIMEOUT, flows.get(0).end());
            assertEquals(1, flows.get(0).c2sPackets());
        }
    }

    @Test
    void icmpEcho() throws Exception {
        Seen seen = capture("icmp", () -> ns.exec("ping", "-c", "3", "-i", "0.2", ns.hostAddress()).ok());
        FlowRecord r = seen.only();
        assertEquals(1, r.protocol());
        assertEquals(ns.address(), r.client());
        assertEquals(ns.hostAddress(), r.server());
        assertEquals(-1, r.clientPort());
        assertEquals(3, r.c2sPackets());
        assertEquals(3, r.s2cPackets());
        assertEquals(FlowState.ACTIVE, r.state());
        assertEquals(List.of(), r.problems());
    }
}
