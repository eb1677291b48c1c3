package io.podcap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.decode.PacketDecoder;
import io.podcap.pcap.PcapngSink;
import io.podcap.pcap.PcapngWriter;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live captures in a real namespace: exact filtered counts, bytes, timestamps, counters, and the namespace rule. */
class CaptureIntegrationTest {
    private static final int UDP_PORT = 9999;
    private static final int CLOSED_TCP_PORT = 9001;
    private static TestNetns ns;

    @TempDir
    Path dir;

    @BeforeAll
    static void namespace() throws Exception {
        Root.assume();
        ns = TestNetns.create("capture");
        // Resolve the neighbour first: datagrams sent to an unresolved address may be dropped before any capture.
        ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    /** The namespace of every thread of this process: none may be left in the capture's namespace. */
    private static Map<String, String> threadNamespaces() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    out.put(task.getFileName().toString(), Files.readSymbolicLink(task.resolve("ns/net")).toString());
                } catch (java.nio.file.NoSuchFileException exited) {
                    // a thread that ended meanwhile
                }
            }
        }
        return out;
    }

    private static void assertNoThreadInside(String hostNs) throws Exception {
        threadNamespaces().forEach((tid, netns) -> assertEquals(hostNs, netns, "thread " + tid));
    }

    /** Collects what a capture delivers; copies, since views die with their batch. */
    private static final class Collector implements PacketHandler {
        final List<byte[]> payloads = new ArrayList<>();
        final List<Long> timestamps = new ArrayList<>();
        final List<String> summaries = new ArrayList<>();
        final PacketDecoder decoder = new PacketDecoder();

        @Override
        public synchronized void onPacket(PacketView p) {
            decoder.decode(p);
            byte[] payload = new byte[decoder.payloadLength()];
            p.data().getBytes(decoder.payloadOffset(), payload);
            payloads.add(payload);
            timestamps.add(p.timestampNanos());
            summaries.add(p.interfaceName() + " " + decoder.summary());
            assertEquals(p.caplen(), p.wirelen(), "nothing is cut at the default snaplen");
        }

        synchronized int size() {
            return payloads.size();
        }
    }

    private static void sendUdp(int count) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress to = InetAddress.getByName(ns.address());
            for (int i = 0; i < count; i++) {
                byte[] data = ("podcap-" + i).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(data, data.length, to, UDP_PORT));
            }
        }
    }

    private static void knockOnClosedPort(int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ns.address(), CLOSED_TCP_PORT), 2000);
                throw new AssertionError("port " + CLOSED_TCP_PORT + " is open inside the namespace");
            } catch (ConnectException refused) {
                // SYN answered by RST: two packets
            }
        }
    }

    private static void awaitCount(Collector c, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (c.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // anything beyond the expected count would show now
    }

    @Test
    void capturesExactlyTheFilteredPacketsByNetnsName() throws Exception {
        String hostNs = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        Collector collector = new Collector();
        Capture capture = Capture.builder().namespace(ns.spec()).device("eth0")
                .filter("udp dst port " + UDP_PORT + " or tcp port " + CLOSED_TCP_PORT)
                .immediate(true).handler(collector).open();
        CaptureStats stats;
        try (capture) {
            assertEquals(LinkType.ETHERNET, capture.linkType());
            assertNoThreadInside(hostNs);
            sendUdp(100);
            knockOnClosedPort(5);
            sendUdp(1); // not counted below: just after the TCP packets, proves ordering
            awaitCount(collector, 111);
        }
        stats = capture.stats();
        assertNoThreadInside(hostNs);
        assertEquals(111, collector.size(), () -> String.join("\n", collector.summaries));
        for (int i = 0; i < 100; i++) {
            assertEquals("podcap-" + i, new String(collector.payloads.get(i), StandardCharsets.US_ASCII));
            assertTrue(collector.summaries.get(i).startsWith("eth0 " + ns.hostAddress() + "."),
                    collector.summaries.get(i));
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(collector.summaries.get(100 + 2 * i).contains("Flags [S]"), collector.summaries.toString());
            assertTrue(collector.summaries.get(101 + 2 * i).contains("Flags [R."), collector.summaries.toString());
        }
        for (int i = 1; i < collector.timestamps.size(); i++) {
            assertTrue(collector.timestamps.get(i) >= collector.timestamps.get(i - 1), "timestamps in order");
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(now - collector.timestamps.get(0)) < 60_000_000_000L, "timestamps are wall-clock ns");
        assertEquals(111, stats.delivered(), stats::toString);
        assertEquals(111, stats.consumed(), stats::toString);
        assertEquals(0, stats.kernelDropped(), stats::toString);
        assertEquals(0, stats.ringDropped(), stats::toString);
        assertTrue(stats.received() >= 111, stats::toString);
        assertTrue(stats.bytes() > 111 * 42, stats::toString);
    }

    @Test
    void capturesByPidOnAnyAndWritesPcapngThatTcpdumpAndTsharkRead() throws Exception {
        Tools.require("tcpdump");
        Tools.require("tshark");
        Process sleeper = ns.start("sleep", "60");
        Path file = dir.resolve("pid.pcapng");
        PcapngWriter writer = PcapngWriter.builder().path(file).open();
        PcapngSink sink = new PcapngSink(writer, 262_144, "udp dst port " + UDP_PORT);
        Collector collector = new Collector();
        Capture capture = Capture.builder().namespace("pid:" + sleeper.pid()).filter("udp dst port " + UDP_PORT)
                .immediate(true).handler(new PacketHandler() {
                    @Override
                    public void onPacket(PacketView p) {
                        collector.onPacket(p);
                        sink.onPacket(p);
                    }
                }).open();
        try (capture) {
            assertEquals(LinkType.LINUX_SLL2, capture.linkType());
            sendUdp(50);
            awaitCount(collector, 50);
        }
        sink.writeStatistics(capture.source(), capture.stats(), System.currentTimeMillis() * 1_000_000L);
        writer.close();
        assertEquals(50, collector.size(), () -> capture.stats() + "\n" + String.join("\n", collector.summaries));
        assertTrue(collector.summaries.stream().allMatch(s -> s.startsWith("eth0 ")), collector.summaries.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Tools.Result read = Tools.run("tcpdump", "-nn", "-r", file.toString());
        assertEquals(0, read.exit(), read::err);
        // tcpdump says this of every LINUX_SLL2 file: it names interfaces by this host's ifindexes
        assertEquals("", read.complaints().replace("Warning: interface names might be incorrect", "").strip());
        List<String> tcpdump = read.lines();
        assertEquals(50, tcpdump.size(), tcpdump::toString);
        assertTrue(tcpdump.get(0).contains(ns.address() + "." + UDP_PORT), tcpdump.get(0));
        List<String[]> tshark = Tools.tsharkFields(file, "frame.interface_name", "frame.interface_description",
                "udp.dstport");
        assertEquals(50, tshark.size());
        for (String[] row : tshark) {
            assertEquals("eth0", row[0]);
            assertTrue(row[1].contains("pid:" + sleeper.pid()), row[1]);
            assertEquals(Integer.toString(UDP_PORT), row[2]);
        }
    }

    /**
     * The reader takes from the kernel only what its ring holds and leaves the rest there: a 4 KiB ring (about 30 of
     * these datagrams) and a handler that stalls as a GC pause would still get every packet, in order, none dropped.
     */
    @Test
    void aSmallRingAndASlowHandlerLoseNothing() throws Exception {
        Collector collector = new Collector();
        Capture capture = Capture.builder().namespace(ns.spec()).device("eth0").filter("udp dst port " + UDP_PORT)
                .snaplen(200).ringSize(4096).immediate(true).handler(new PacketHandler() {
                    @Override
                    public void onPacket(PacketView p) {
                        if (collector.size() == 0) {
                            sleep(300); // the other datagrams arrive meanwhile
                        }
                        collector.onPacket(p);
                    }
                }).open();
        try (capture) {
            sendUdp(100);
            awaitCount(collector, 100);
        }
        CaptureStats stats = capture.stats();
        assertEquals(100, collector.size(), stats::toString);
        for (int i = 0; i < 100; i++) {
            assertEquals("podcap-" + i, new String(collector.payloads.get(i), StandardCharsets.US_ASCII));
        }
        assertEquals(0, stats.ringDropped(), stats::toString);
        assertEquals(0, stats.kernelDropped(), stats::toString);
    }

    /**
     * What reaches the kernel while the handler stalls is more than a 4 KiB ring holds at once; a stop requested
     * meanwhile still delivers all of it.
     */
    @Test
    void aStopDeliversEverythingTheKernelHoldsReady() throws Exception {
        Collector collector = new Collector();
        StallingHandler stalling = new StallingHandler(collector);
        Capture capture = Capture.builder().namespace(ns.spec()).device("eth0").filter("udp dst port " + UDP_PORT)
                .snaplen(200).ringSize(4096).immediate(true).handler(stalling).open();
        try (capture) {
            sendUdp(1);
            stalling.awaitStall();
            for (int i = 0; i < 10; i++) {
                sendUdp(10);
                sleep(5);
            }
            capture.stop();
            stalling.release();
        }
        CaptureStats stats = capture.stats();
        assertEquals(101, collector.size(), stats::toString);
        assertEquals(101, stats.consumed(), stats::toString);
    }

    /**
     * Having taken packets, the reader waits out its wake interval before it looks again (blocks retire after 1 ms
     * here, so only that wait holds the second packets back); a stop cuts the wait short and delivers them.
     * {@code immediate} looks at once.
     */
    @Test
    void theReaderWaitsOutItsWakeIntervalUnlessImmediate() throws Exception {
        Collector collector = new Collector();
        Capture.Builder builder = Capture.builder().namespace(ns.spec()).device("eth0").filter("udp dst port " + UDP_PORT)
                .timeout(Duration.ofMillis(1)).wakeInterval(Duration.ofMillis(1000)).handler(collector);
        Capture capture = builder.open();
        long closing;
        try (capture) {
            sendUdp(1);
            awaitCount(collector, 1); // the reader took it and waits until a second after
            sendUdp(10);
            sleep(200);
            assertEquals(1, collector.size(), "looked again before the interval was out");
            closing = System.nanoTime();
        }
        long closeMillis = (System.nanoTime() - closing) / 1_000_000;
        assertEquals(11, collector.size());
        assertTrue(closeMillis < 400, "the stop sat out the wait: " + closeMillis + " ms");

        Collector immediate = new Collector();
        try (Capture c = builder.immediate(true).handler(immediate).open()) {
            sendUdp(1);
            awaitCount(immediate, 1);
            sendUdp(10);
            sleep(200);
            assertEquals(11, immediate.size());
        }
    }

    /**
     * Given no interval, light steady traffic stretches the reader's waits from the first 50 ms to 200 ms: the kernel
     * buffer would take far longer to fill a quarter. Each look hands its few packets over in one batch.
     */
    @Test
    void withoutAnIntervalLightTrafficStretchesTheWaitsTo200Ms() throws Exception {
        Timings handler = new Timings();
        List<Long> looks = handler.batchEnds;
        AtomicInteger packets = handler.packets;
        long start = System.nanoTime();
        try (Capture c = Capture.builder().namespace(ns.spec()).device("eth0").filter("udp dst port " + UDP_PORT)
                .timeout(Duration.ofMillis(1)).handler(handler).open()) {
            for (int i = 0; i < 150; i++) {
                sendUdp(1);
                sleep(10);
            }
        }
        assertEquals(150, packets.get());
        List<Long> gaps = new ArrayList<>();
        synchronized (looks) {
            for (int i = 1; i < looks.size(); i++) {
                if (looks.get(i - 1) - start > 700_000_000L) { // past 50, 100 and 200 ms rounds
                    gaps.add((looks.get(i) - looks.get(i - 1)) / 1_000_000);
                }
            }
        }
        Collections.sort(gaps);
        assertTrue(!gaps.isEmpty() && gaps.get(gaps.size() / 2) >= 150, "ms between looks: " + gaps);
    }

    @Test
    void aQuietCaptureCallsOnIdleLessOftenTheLongerItStaysQuiet() throws Exception {
        for (boolean group : new boolean[] {false, true}) {
            Timings handler = new Timings();
            List<Long> idles = handler.idles;
            AtomicInteger packets = handler.packets;
            String filter = "udp dst port " + UDP_PORT;
            long sent;
            try (AutoCloseable c = group
                    ? CaptureGroup.builder().add(ns.spec()).device("eth0").filter(filter).handler(handler).open()
                    : Capture.builder().namespace(ns.spec()).device("eth0").filter(filter).handler(handler).open()) {
                sleep(3500); // waits of 100, 200, 400, 800 and then 1000 ms: five or six, not 35
                sendUdp(1); // a packet starts them over
                sent = System.nanoTime();
                sleep(1000);
            }
            assertEquals(1, packets.get());
            List<Long> ms = idles.stream().map(t -> (t - sent) / 1_000_000).toList(); // from the packet
            long quiet = ms.stream().filter(t -> t < 0).count();
            long after = ms.stream().filter(t -> t > 0 && t < 900).count(); // without the start over: one at most
            String what = (group ? "group" : "capture") + ": onIdle at ms from the packet " + ms;
            assertTrue(quiet >= 3 && quiet <= 8, what);
            assertTrue(after >= 2, what);
        }
    }

    @Test
    void aReaderSaysWhenItHasCaughtUpBetweenBatchesAndAfterTheLastPacket() throws Exception {
        for (boolean group : new boolean[] {false, true}) {
            Timings handler = new Timings();
            String filter = "udp dst port " + UDP_PORT;
            try (AutoCloseable c = group
                    ? CaptureGroup.builder().add(ns.spec()).device("eth0").filter(filter).handler(handler).open()
                    : Capture.builder().namespace(ns.spec()).device("eth0").filter(filter).handler(handler).open()) {
                sendUdp(500);
                awaitCaughtUpAt(handler, 500);
            }
            String what = (group ? "group" : "capture") + ": packets taken at each catch-up " + handler.caughtUps;
            assertEquals(0, handler.caughtUpInBatch.get(), what);
            assertTrue(handler.caughtUps.size() < 100, what); // once per look that found nothing, not per packet
        }
    }

    private static void awaitCaughtUpAt(Timings handler, int packets) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!handler.caughtUps.contains(packets) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(handler.caughtUps.contains(packets), "no catch-up after the last packet: " + handler.caughtUps);
    }

    @Test
    void aCaptureWhoseInterfaceGoesDownAndThenVanishesEnds() throws Exception {
        try (TestNetns doomed = TestNetns.create("capdown")) {
            Capture capture = Capture.builder().namespace(doomed.spec()).device("eth0").handler(p -> { }).open();
            try (capture) {
                doomed.exec("ip", "link", "set", "eth0", "down").ok();
                Thread.sleep(200);
                assertTrue(capture.isRunning(), "down is not gone");
                doomed.exec("ip", "link", "del", "eth0").ok();
                assertTrue(capture.awaitTermination(Duration.ofSeconds(10)), "still waiting for a vanished interface");
            }
            assertTrue(capture.failure().getMessage().contains("disappeared"), capture.failure()::toString);
        }
    }

    /**
     * Counts packets and notes when each batch ended and each idle call came (System.nanoTime()), and the packets taken
     * at each catch-up.
     */
    private static final class Timings implements PacketHandler {
        final AtomicInteger packets = new AtomicInteger();
        final List<Long> batchEnds = Collections.synchronizedList(new ArrayList<>());
        final List<Long> idles = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> caughtUps = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger caughtUpInBatch = new AtomicInteger();
        private boolean inBatch;

        @Override
        public void onPacket(PacketView packet) {
            packets.incrementAndGet();
            inBatch = true;
        }

        @Override
        public void onBatchEnd() {
            batchEnds.add(System.nanoTime());
            inBatch = false;
        }

        @Override
        public void onCaughtUp() {
            caughtUps.add(packets.get());
            if (inBatch) {
                caughtUpInBatch.incrementAndGet();
            }
        }

        @Override
        public void onIdle() {
            idles.add(System.nanoTime());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void badInputIsAClearException() {
        IllegalArgumentException noIface = assertThrows(IllegalArgumentException.class, () -> Capture.builder()
                .namespace(ns.spec()).device("eth9").handler(p -> { }).open());
        assertTrue(noIface.getMessage().contains("eth9") && noIface.getMessage().contains(ns.spec()),
                noIface.getMessage());
        IllegalArgumentException badFilter = assertThrows(IllegalArgumentException.class, () -> Capture.builder()
                .namespace(ns.spec()).filter("udp port nine").handler(p -> { }).open());
        assertTrue(badFilter.getMessage().contains("does not compile"), badFilter.getMessage());
        IllegalArgumentException smallRing = assertThrows(IllegalArgumentException.class, () -> Capture.builder()
                .namespace(ns.spec()).ringSize(4096).handler(p -> { }).open());
        assertEquals("snaplen 262144 does not fit a ring of 4096 bytes", smallRing.getMessage());
        IllegalArgumentException noPid = assertThrows(IllegalArgumentException.class,
                () -> Capture.builder().namespace("pid:999999999"));
        assertTrue(noPid.getMessage().contains("999999999"), noPid.getMessage());
        IllegalArgumentException longWait = assertThrows(IllegalArgumentException.class,
                () -> Capture.builder().wakeInterval(Duration.ofSeconds(2)));
        assertEquals("wake interval must be 0 to 1000 ms, not 2000 ms", longWait.getMessage());
    }
}
