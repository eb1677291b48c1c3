package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.capture.PacketView;
import io.podcap.decode.TcpFlags;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketCorrelatorTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int SYN = TcpFlags.SYN;

    private static void feed(PacketCorrelator c, LineParser parser, String... lines) {
        for (String l : lines) {
            parser.parse(l, c::onEvent);
        }
    }

    @Test
    void conntrackJoinsAPacketTranslatedOnBothSides() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().build();
        // LOG in nat OUTPUT saw it before NAT; the capture on eth0 after DNAT and SNAT: only conntrack links them
        feed(c, new KernelLogParser(), "[ 1.0] pre: IN= OUT=eth0 SRC=10.0.0.5 DST=10.96.0.1 LEN=60 TTL=64 ID=777 DF "
                + "PROTO=TCP SPT=40000 DPT=443 SEQ=5000 ACK=0 WINDOW=1 RES=0x00 SYN URGP=0");
        feed(c, new ConntrackParser(), "[NEW] tcp 6 120 SYN_SENT src=10.0.0.5 dst=10.96.0.1 sport=40000 dport=443 "
                + "[UNREPLIED] src=10.1.0.9 dst=10.0.0.100 sport=6443 dport=1024");
        c.onPacket(RawTcp.view(T0, "10.0.0.100", 1024, "10.1.0.9", 6443, 777, 5000, SYN, ""));
        c.onPacket(RawTcp.view(T0, "10.0.0.100", 1024, "10.1.0.9", 6443, 778, 5000, SYN, "")); // other id
        CorrelationReport r = c.finish();
        assertEquals(2, r.packets().size(), r.packets().toString());
        TracedPacket p = r.packets().get(0);
        assertEquals("SYN 10.0.0.100:1024 > 10.1.0.9:6443", p.summary());
        assertEquals("pre:", p.logs().get(0).prefix());
        Nat nat = p.nat();
        assertNotNull(nat);
        assertEquals("DNAT+SNAT", nat.kind());
        assertEquals(new Tuple(6, "10.0.0.5", 40000, "10.96.0.1", 443), nat.before());
        assertEquals(new Tuple(6, "10.0.0.100", 1024, "10.1.0.9", 6443), nat.after());
        assertTrue(r.packets().get(1).logs().isEmpty());
        assertEquals(1, r.capturedWithoutEvents());
        assertEquals(0, r.eventsWithoutPacket());
        assertTrue(r.has("unanswered-syn"), "two SYNs with one seq, no SYN-ACK: " + r.findings());
    }

    @Test
    void withoutConntrackOnlyOneSideMayDiffer() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().build();
        feed(c, new KernelLogParser(), "[ 1.0] x: IN= OUT=eth0 SRC=10.0.0.5 DST=10.96.0.1 LEN=60 TTL=64 ID=9 "
                + "PROTO=TCP SPT=40000 DPT=443 SYN URGP=0");
        c.onPacket(RawTcp.view(T0, "10.0.0.100", 1024, "10.1.0.9", 6443, 9, 1, SYN, ""));
        CorrelationReport r = c.finish();
        assertEquals(2, r.packets().size());
        assertFalse(r.packets().get(1).captured(), "the logged packet, reported as not captured");
        assertEquals(1, r.eventsWithoutPacket());
        assertEquals(1, r.capturedWithoutEvents());
    }

    @Test
    void timesFurtherApartThanTheWindowDoNotMatch() throws Exception {
        long boot = T0 - 100_000_000_000L; // the log line's 100.0 s after boot is T0
        for (long offset : new long[] {0, 10_000_000_000L}) {
            PacketCorrelator c = PacketCorrelator.builder().window(Duration.ofSeconds(2)).build();
            feed(c, new KernelLogParser(boot), "[ 100.0] x: IN= OUT=eth0 SRC=10.0.0.5 DST=10.0.0.6 LEN=60 TTL=64 "
                    + "ID=9 PROTO=TCP SPT=1 DPT=2 SYN URGP=0");
            c.onPacket(RawTcp.view(T0 + offset, "10.0.0.5", 1, "10.0.0.6", 2, 9, 1, SYN, ""));
            assertEquals(offset == 0 ? 0 : 1, c.finish().capturedWithoutEvents());
        }
    }

    @Test
    void xtablesTraceShowsDnatHopAndServiceSourceFinding() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().serviceAddresses(List.of("10.96.0.10")).build();
        feed(c, new XtablesMonitorParser(),
                "PACKET: 2 aa OUT=lo SRC=10.96.0.10 DST=10.96.0.10 LEN=60 TOS=0x0 TTL=64 ID=100DF SPORT=5 DPORT=80 SYN ",
                " TRACE: 2 aa nat:OUTPUT:rule:0x2:ACCEPT  -4 -t nat -A OUTPUT -d 10.96.0.10/32 -p tcp -j DNAT "
                        + "--to-destination 10.77.0.2:8080",
                "PACKET: 2 aa OUT=eth0 SRC=10.96.0.10 DST=10.77.0.2 LEN=60 TOS=0x0 TTL=64 ID=100DF SPORT=5 DPORT=8080 SYN ",
                " TRACE: 2 aa filter:OUTPUT:policy:ACCEPT ");
        c.onPacket(RawTcp.view(T0, "10.96.0.10", 5, "10.77.0.2", 8080, 100, 1, SYN, ""));
        CorrelationReport r = c.finish();
        TracedPacket p = r.packets().get(0);
        assertEquals(List.of("nat:OUTPUT rule 0x2 ACCEPT", "filter:OUTPUT policy ACCEPT"),
                p.hops().stream().map(TraceHop::label).toList());
        assertEquals("DNAT", p.nat().kind());
        assertEquals("trace", p.nat().evidence());
        assertTrue(r.has("source-is-service-ip"), r.findings().toString());
        assertFalse(r.has("unanswered-syn"), "one SYN is not a retransmission");

        c = PacketCorrelator.builder().build();
        c.onPacket(RawTcp.view(T0, "10.0.0.1", 5, "10.0.0.2", 80, 100, 1, SYN, ""));
        c.onPacket(RawTcp.view(T0 + 1000, "10.0.0.1", 5, "10.0.0.2", 80, 100, 1, SYN, "")); // on a second interface
        assertFalse(c.finish().has("unanswered-syn"), "one SYN seen twice is not a retransmission");
    }

    @Test
    void masqueradeMarkWithoutMasqueradeAndProbeDetection() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().nodeAddresses(Set.of("10.0.0.1")).build();
        feed(c, new NftTraceParser(),
                "trace id 1 ip filter INPUT packet: iif \"eth0\" ip saddr 10.0.0.1 ip daddr 10.0.0.2 ip id 50 "
                        + "ip protocol tcp tcp sport 3333 tcp dport 8080 tcp flags == syn meta mark 0x00004000",
                "trace id 1 ip filter INPUT rule tcp dport 8080 drop (verdict drop)");
        c.onPacket(RawTcp.view(T0, "10.0.0.1", 3333, "10.0.0.2", 8080, 50, 1, SYN, ""));
        c.onPacket(RawTcp.view(T0, "10.0.0.9", 3334, "10.0.0.2", 8080, 51, 2, TcpFlags.PSH | TcpFlags.ACK,
                "GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: kube-probe/1.30\r\n\r\n"));
        CorrelationReport r = c.finish();
        assertTrue(r.has("masq-mark-not-masqueraded"), r.findings().toString());
        assertTrue(r.has("dropped-by-rule") && r.has("probe-blocked"), r.findings().toString());
        assertEquals(List.of(0x4000L), r.packets().get(0).marks());
        assertTrue(r.packets().get(1).kubeProbe());
        assertFalse(r.packets().get(0).kubeProbe());
    }

    @Test
    void ipv6MatchesOnPortsAcrossDnat() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().build();
        feed(c, new KernelLogParser(), "[ 1.0] v6: IN= OUT=eth0 SRC=fd00:0000:0000:0000:0000:0000:0000:0005 "
                + "DST=fd00:0000:0000:0000:0000:0000:0096:0001 LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=1 PROTO=TCP SPT=40000 "
                + "DPT=443 SEQ=77 ACK=0 WINDOW=1 RES=0x00 SYN URGP=0");
        c.onPacket(RawTcp.view6(T0, "fd00::5", 40000, "fd00::9", 6443, 77, SYN));  // after DNAT: same source
        c.onPacket(RawTcp.view6(T0, "fd00::5", 40000, "fd00::9", 6443, 78, SYN));  // another seq
        CorrelationReport r = c.finish();
        assertEquals("SYN [fd00::5]:40000 > [fd00::9]:6443", r.packets().get(0).summary());
        assertEquals(1, r.packets().get(0).logs().size());
        assertEquals("DNAT", r.packets().get(0).nat().kind());
        assertTrue(r.packets().get(1).logs().isEmpty());
    }

    @Test
    void tablesAreBoundedAndCount() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().maxPackets(4).maxEvents(3).build();
        for (int i = 0; i < 10; i++) {
            c.onPacket(RawTcp.view(T0 + i, "10.0.0.1", 1, "10.0.0.2", 2, i, i, SYN, ""));
        }
        KernelLogParser p = new KernelLogParser();
        for (int i = 0; i < 5; i++) {
            p.parse("[ 1.0] x: IN= OUT=eth0 SRC=10.9.9.9 DST=10.0.0.6 LEN=60 TTL=64 ID=" + (100 + i)
                    + " PROTO=TCP SPT=1 DPT=2 SYN URGP=0", c::onEvent);
        }
        CorrelationReport r = c.finish();
        assertEquals(6, r.packetsDropped(), "nothing drained: the newest are dropped, like the capture ring");
        assertEquals(2, r.eventsDropped());
        assertEquals(3, r.packetsForgotten(), "4 captured and 3 traced-only correlated, 4 kept");
        assertEquals(4, r.packets().size());
        assertEquals(3, r.packets().get(0).ipId());
        assertFalse(r.packets().get(1).captured());
        assertThrows(IllegalArgumentException.class, () -> PacketCorrelator.builder().serviceAddresses(List.of("x")));
    }

    @Test
    void drainStreamsPacketsAndExpiresObservations() throws Exception {
        long boot = T0 - 100_000_000_000L;
        PacketCorrelator c = PacketCorrelator.builder().window(Duration.ofSeconds(2)).build();
        KernelLogParser log = new KernelLogParser(boot);
        log.parse("[ 100.0] a: IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=2 SYN "
                + "URGP=0", c::onEvent);
        log.parse("[ 100.5] lost: IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.9 LEN=60 TTL=64 ID=77 PROTO=TCP SPT=1 DPT=9 "
                + "SYN URGP=0", c::onEvent);
        c.onPacket(RawTcp.view(T0, "10.0.0.1", 1, "10.0.0.2", 2, 1, 1, SYN, ""));
        c.onPacket(RawTcp.view(T0 + 10_000_000_000L, "10.0.0.1", 1, "10.0.0.2", 2, 2, 1, SYN, ""));

        List<TracedPacket> first = c.drain(T0 + 5_000_000_000L);
        assertEquals(2, first.size(), first.toString());
        assertEquals("a:", first.get(0).logs().get(0).prefix());
        assertFalse(first.get(1).captured(), "the unmatched record expired: older than the cut less the window");

        // the second packet's record comes late, but before its packet is drained
        log.parse("[ 110.0] b: IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TTL=64 ID=2 PROTO=TCP SPT=1 DPT=2 SYN "
                + "URGP=0", c::onEvent);
        List<TracedPacket> second = c.drain(Long.MAX_VALUE);
        assertEquals(1, second.size());
        assertEquals("b:", second.get(0).logs().get(0).prefix());
        CorrelationReport r = c.finish();
        assertEquals(3, r.packets().size(), "the report keeps what was drained before");
        assertEquals(1, r.eventsWithoutPacket());
        assertTrue(r.has("unanswered-syn"), "the diagnosis sees both drains: " + r.findings());
    }

    @Test
    void keepingAPacketAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // what onPacket does: decode and copy into the store, whose slots drain() gives back
        PacketStore store = new PacketStore(1024);
        PacketView[] views = {
            RawTcp.view(T0, "10.0.0.1", 1, "10.0.0.2", 2, 3, 4, SYN, ""),
            RawTcp.view(T0, "10.0.0.2", 2, "10.0.0.1", 1, 5, 6, SYN | TcpFlags.ACK, "User-Agent: kube-probe/1"),
            RawTcp.view6(T0, "fd00::1", 1, "fd00::2", 2, 7, SYN),
        };
        long id = Thread.currentThread().getId();
        long sink = run(store, views, 200_000);
        long allocated = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && allocated > 512; attempt++) {
            long before = threads.getThreadAllocatedBytes(id);
            sink += run(store, views, 1_000_000);
            allocated = threads.getThreadAllocatedBytes(id) - before;
        }
        assertTrue(sink > 0);
        assertEquals(0, store.dropped());
        assertTrue(allocated <= 512, allocated + " bytes allocated for 1M packets");
    }

    private static long run(PacketStore store, PacketView[] views, int count) {
        long kept = 0;
        for (int i = 0; i < count; i++) {
            kept += store.add(views[i % views.length], "eth0") ? 1 : 0;
            if ((i & 511) == 511) {
                store.taken(store.end());
            }
        }
        return kept;
    }

    @Test
    void bpfSelectorMakesIptablesMatches() {
        assertEquals(List.of(List.of("-p", "tcp", "--sport", "80"), List.of("-p", "tcp", "--dport", "80")),
                BpfSelector.toIptables("tcp port 80"));
        assertEquals(List.of(List.of("-p", "udp", "-d", "10.0.0.1", "--dport", "53")),
                BpfSelector.toIptables("udp and dst host 10.0.0.1 and dst port 53"));
        assertEquals(4, BpfSelector.toIptables("port 53").size(), "tcp and udp, both directions");
        assertEquals(List.of(List.of()), BpfSelector.toIptables(""));
        for (String bad : List.of("tcp or udp", "not port 1", "port 70000", "host example.com", "(tcp)")) {
            assertThrows(IllegalArgumentException.class, () -> BpfSelector.toIptables(bad), bad);
        }
    }
}
