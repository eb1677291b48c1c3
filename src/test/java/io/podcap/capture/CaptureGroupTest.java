package io.podcap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.ns.NamespaceSpec;
import io.podcap.pcap.PcapngSink;
import io.podcap.pcap.PcapngWriter;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several real namespaces into one handler on one thread: sources, per-member counters, add/remove, failures. */
class CaptureGroupTest {
    private static final int PORT = 9555;
    private static TestNetns a;
    private static TestNetns b;
    private static TestNetns c;

    @TempDir
    Path dir;

    @BeforeAll
    static void namespaces() throws Exception {
        Root.assume();
        a = TestNetns.create("groupa");
        b = TestNetns.create("groupb");
        c = TestNetns.create("groupc");
        for (TestNetns ns : List.of(a, b, c)) {
            ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (TestNetns ns : new TestNetns[] {a, b, c}) {
            if (ns != null) {
                ns.close();
            }
        }
    }

    /** Copies "source payload" per packet and remembers which threads called it. */
    private static final class Collector implements PacketHandler {
        final List<String> packets = new ArrayList<>();
        final List<Long> threads = new ArrayList<>();

        @Override
        public synchronized void onPacket(PacketView p) {
            // Ethernet 14 + IPv4 20 + UDP 8
            byte[] payload = new byte[p.caplen() - 42];
            p.data().getBytes(p.offset() + 42, payload);
            packets.add(p.source().namespace() + " " + p.interfaceName() + " "
                    + new String(payload, StandardCharsets.US_ASCII));
            long id = Thread.currentThread().getId();
            if (!threads.contains(id)) {
                threads.add(id);
            }
        }

        synchronized int size() {
            return packets.size();
        }

        synchronized long count(String prefix) {
            return packets.stream().filter(s -> s.startsWith(prefix)).count();
        }
    }

    private static void send(TestNetns ns, String text, int count) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress to = InetAddress.getByName(ns.address());
            for (int i = 0; i < count; i++) {
                byte[] data = (text + i).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(data, data.length, to, PORT));
            }
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static CaptureGroup.Builder group(PacketHandler handler) {
        return CaptureGroup.builder().device("eth0").filter("udp dst port " + PORT).immediate(true).handler(handler);
    }

    @Test
    void packetsOfTwoNamespacesArriveOnOneThreadWithTheirSource() throws Exception {
        Collector collector = new Collector();
        CaptureGroup group = group(collector).add(NamespaceSpec.parse(a.spec()), "pod default/a")
                .add(b.spec()).open();
        try (group) {
            send(a, "to-a-", 30);
            send(b, "to-b-", 20);
            await(() -> collector.size() >= 50);
            Thread.sleep(200);
        }
        assertEquals(50, collector.size(), () -> String.join("\n", collector.packets));
        assertEquals(30, collector.count("pod default/a eth0 to-a-"));
        assertEquals(20, collector.count(b.spec() + " eth0 to-b-"));
        assertEquals(1, collector.threads.size(), "one reader thread for the group");
        List<CaptureGroup.Member> members = group.members();
        assertEquals(2, members.size());
        assertEquals(30, members.get(0).stats().consumed());
        assertEquals(20, members.get(1).stats().consumed());
        // The kernel also counts what reached the socket before the filter was set (libpcap drops those itself).
        assertTrue(members.get(0).stats().received() >= 30, () -> members.get(0).stats().toString());
        assertEquals(30, members.get(0).stats().delivered());
        assertEquals(0, members.get(0).stats().dropped());
        members.forEach(m -> assertEquals(CaptureGroup.State.STOPPED, m.state()));
        assertFalse(group.isRunning());
        assertEquals(null, group.failure());
    }

    /** More members than the native poll keeps on its stack (16): each still wakes the reader and delivers. */
    @Test
    void twentyMembersAllDeliver() throws Exception {
        Collector collector = new Collector();
        CaptureGroup.Builder builder = group(collector);
        TestNetns[] of = new TestNetns[20];
        for (int i = 0; i < of.length; i++) {
            of[i] = i < 9 ? a : i < 18 ? b : c; // a namespace captured several times sees each packet once per member
            builder.add(of[i].spec());
        }
        CaptureGroup group = builder.open();
        try (group) {
            send(c, "to-c-", 5); // the last members' fds, past the first 16
            await(() -> collector.size() >= 10);
            send(a, "to-a-", 5);
            send(b, "to-b-", 5);
            await(() -> collector.size() >= 100);
            Thread.sleep(200);
        }
        assertEquals(100, collector.size(), () -> String.join("\n", collector.packets));
        List<CaptureGroup.Member> members = group.members();
        for (int i = 0; i < of.length; i++) {
            assertEquals(5, members.get(i).stats().consumed(), "member " + i + " of " + of[i].spec());
        }
        assertEquals(null, group.failure());
    }

    /** As for one capture: more than the ring holds reaches the kernel while the handler stalls, a stop loses none. */
    @Test
    void aStopDeliversEverythingTheKernelHoldsReady() throws Exception {
        Collector collector = new Collector();
        StallingHandler stalling = new StallingHandler(collector);
        CaptureGroup group = group(stalling).snaplen(200).ringSize(4096).add(a.spec()).add(b.spec()).open();
        try (group) {
            send(a, "a-", 1);
            stalling.awaitStall();
            send(a, "a-", 100);
            send(b, "b-", 100);
            Thread.sleep(20);
            group.stop();
            stalling.release();
        }
        assertEquals(201, collector.size());
        assertEquals(101, group.members().get(0).stats().consumed());
        assertEquals(100, group.members().get(1).stats().consumed());
    }

    /** As for one capture: the reader waits out its wake interval after taking packets, and a stop cuts it short. */
    @Test
    void theReaderWaitsOutItsWakeIntervalAndAStopCutsItShort() throws Exception {
        Collector collector = new Collector();
        CaptureGroup group = group(collector).immediate(false).timeout(Duration.ofMillis(1))
                .wakeInterval(Duration.ofMillis(1000)).add(a.spec()).add(b.spec()).open();
        long closing;
        try (group) {
            send(a, "first-", 1);
            await(() -> collector.size() >= 1); // the reader took it and waits until a second after
            send(a, "a-", 10);
            send(b, "b-", 10);
            Thread.sleep(200);
            assertEquals(1, collector.size(), () -> String.join("\n", collector.packets));
            closing = System.nanoTime();
        }
        long closeMillis = (System.nanoTime() - closing) / 1_000_000;
        assertEquals(10, collector.count(a.spec() + " eth0 a-"));
        assertEquals(10, collector.count(b.spec() + " eth0 b-"));
        assertTrue(closeMillis < 400, "the stop sat out the wait: " + closeMillis + " ms");
    }

    @Test
    void membersAreAddedAndRemovedWhileItRuns() throws Exception {
        Collector collector = new Collector();
        try (CaptureGroup group = group(collector).add(a.spec()).open()) {
            send(a, "first-", 5);
            await(() -> collector.size() >= 5);
            CaptureGroup.Member added = group.add(NamespaceSpec.parse(c.spec()), "added c");
            send(c, "c-", 7);
            await(() -> collector.count("added c") >= 7);
            CaptureGroup.Member first = group.members().get(0);
            group.remove(first);
            await(() -> first.state() == CaptureGroup.State.REMOVED);
            assertEquals(CaptureGroup.State.REMOVED, first.state());
            send(a, "after-removal-", 5);
            send(c, "c-again-", 3);
            await(() -> collector.count("added c eth0 c-again-") >= 3);
            Thread.sleep(200);
            assertTrue(group.isRunning());
            assertEquals(CaptureGroup.State.RUNNING, added.state());
        }
        assertEquals(5, collector.count(a.spec() + " eth0 first-"));
        assertEquals(0, collector.count(a.spec() + " eth0 after-removal-"), "nothing from a removed member");
        assertEquals(7, collector.count("added c eth0 c-") - collector.count("added c eth0 c-again-"));
        assertEquals(5, collector.count(a.spec()));
    }

    @Test
    void aMemberWhoseInterfaceVanishesFailsAndTheOthersContinue() throws Exception {
        try (TestNetns doomed = TestNetns.create("groupdoom")) {
            Collector collector = new Collector();
            try (CaptureGroup group = group(collector).add(doomed.spec()).add(a.spec()).open()) {
                CaptureGroup.Member gone = group.members().get(0);
                doomed.exec("ip", "link", "del", "eth0").ok();
                await(() -> gone.state() != CaptureGroup.State.RUNNING);
                assertEquals(CaptureGroup.State.FAILED, gone.state());
                assertNotNull(gone.failure());
                send(a, "still-", 10);
                await(() -> collector.size() >= 10);
                assertTrue(group.isRunning());
            }
            assertEquals(10, collector.count(a.spec() + " eth0 still-"));
        }
    }

    /**
     * Taken down first, the interface reports ENETDOWN while it still exists; its removal later raises no event of
     * its own on the socket, so the member must keep checking while it is down.
     */
    @Test
    void aMemberWhoseInterfaceGoesDownAndThenVanishesFails() throws Exception {
        try (TestNetns doomed = TestNetns.create("groupdown")) {
            Collector collector = new Collector();
            try (CaptureGroup group = group(collector).add(doomed.spec()).add(a.spec()).open()) {
                CaptureGroup.Member gone = group.members().get(0);
                doomed.exec("ip", "link", "set", "eth0", "down").ok();
                Thread.sleep(200);
                assertEquals(CaptureGroup.State.RUNNING, gone.state(), "down is not gone");
                doomed.exec("ip", "link", "set", "eth0", "up").ok();
                send(doomed, "up-again-", 5);
                await(() -> collector.size() >= 5);
                assertEquals(5, collector.count(doomed.spec() + " eth0 up-again-"));
                doomed.exec("ip", "link", "set", "eth0", "down").ok();
                Thread.sleep(50);
                doomed.exec("ip", "link", "del", "eth0").ok();
                await(() -> gone.state() != CaptureGroup.State.RUNNING);
                assertEquals(CaptureGroup.State.FAILED, gone.state());
                assertTrue(gone.failure().contains("disappeared"), gone.failure());
            }
        }
    }

    @Test
    void theGroupEndsWithItsLastMemberUnlessToldToWait() throws Exception {
        try (TestNetns doomed = TestNetns.create("groupend")) {
            CaptureGroup group = group(p -> { }).add(doomed.spec()).open();
            try (group) {
                doomed.exec("ip", "link", "del", "eth0").ok();
                assertTrue(group.awaitTermination(Duration.ofSeconds(10)));
            }
            try (CaptureGroup waiting = group(p -> { }).keepRunningWhenEmpty(true).open()) {
                Thread.sleep(300);
                assertTrue(waiting.isRunning());
            }
        }
    }

    @Test
    void badInputIsAClearExceptionAndLeavesNothingOpen() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> group(p -> { }).add(a.spec()).device("nosuch0").open());
        assertTrue(e.getMessage().contains("no interface 'nosuch0'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> CaptureGroup.builder().add(a.spec()).open());
        assertThrows(IllegalArgumentException.class, () -> group(p -> { }).open());
    }

    @Test
    void aHandlerExceptionEndsTheGroup() throws Exception {
        try (CaptureGroup group = group(p -> { throw new IllegalStateException("boom"); }).add(a.spec()).open()) {
            send(a, "x", 1);
            assertTrue(group.awaitTermination(Duration.ofSeconds(10)));
            assertEquals("boom", group.failure().getMessage());
            assertThrows(IllegalStateException.class, () -> group.add(NamespaceSpec.parse(b.spec()), null));
        }
    }

    @Test
    void pcapngNamesEachNamespaceInItsInterfaceBlock() throws Exception {
        Tools.require("tshark");
        Path file = dir.resolve("group.pcapng");
        try (PcapngWriter writer = PcapngWriter.builder().path(file).open()) {
            PcapngSink sink = new PcapngSink(writer, 262_144, "");
            Collector collector = new Collector();
            try (CaptureGroup group = group(p -> {
                sink.onPacket(p);
                collector.onPacket(p);
            }).add(NamespaceSpec.parse(a.spec()), "pod default/a").add(NamespaceSpec.parse(b.spec()), "pod default/b")
                    .open()) {
                send(a, "A", 4);
                send(b, "B", 6);
                await(() -> collector.size() >= 10);
                group.stop();
                group.awaitTermination(Duration.ofSeconds(10));
                for (CaptureGroup.Member m : group.members()) {
                    sink.writeStatistics(m.source(), m.stats(), System.currentTimeMillis() * 1_000_000L);
                }
            }
        }
        List<String[]> rows = Tools.tsharkFields(file, "frame.interface_description", "udp.payload");
        assertEquals(10, rows.size());
        for (String[] row : rows) {
            String payload = Tools.ascii(row[1]);
            String expected = payload.startsWith("A") ? "eth0 in pod default/a" : "eth0 in pod default/b";
            assertTrue(row[0].startsWith(expected), row[0] + " for " + payload);
        }
        // one statistics block per namespace's interface: received by its filter, delivered into the file
        List<String[]> isb = Tools.pcapngBlockFields(file, "pcapng.options.option.data.interface.received",
                "pcapng.options.option.data.interface.delivered_to_user");
        assertEquals(List.of("4,6", "4,6"), List.of(isb.get(0)));
    }

    /** Paced, so that a burst does not overrun the veth's backlog before any capture sees it. */
    private static void sendPaced(TestNetns ns, int count) throws Exception {
        for (int sent = 0; sent < count; sent += 250) {
            send(ns, "m", Math.min(250, count - sent));
            Thread.sleep(1);
        }
    }

    @Test
    void theReaderAllocatesNothingPerPacket() throws Exception {
        AtomicLong readerThread = new AtomicLong(-1);
        AtomicLong seen = new AtomicLong();
        CaptureGroup group = group(p -> {
            readerThread.set(Thread.currentThread().getId());
            seen.incrementAndGet();
        }).add(a.spec()).add(b.spec()).open();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (group) {
            sendPaced(a, 5_000);
            sendPaced(b, 5_000);
            await(() -> seen.get() >= 10_000);
            long before = threads.getThreadAllocatedBytes(readerThread.get());
            for (int i = 0; i < 5; i++) {
                sendPaced(a, 5_000);
                sendPaced(b, 5_000);
            }
            await(() -> seen.get() >= 60_000);
            long used = threads.getThreadAllocatedBytes(readerThread.get()) - before;
            // On a loaded machine a datagram can be lost in the veth's backlog before any capture sees it; what the
            // captures delivered must all have reached the handler.
            assertEquals(group.stats().delivered(), seen.get(), "every delivered packet reached the handler");
            assertTrue(seen.get() >= 59_000, "only " + seen.get() + " of 60000 packets arrived");
            assertTrue(used < 16 * 1024, "the group's reader allocated " + used + " bytes for 50000 packets");
        }
    }
}
