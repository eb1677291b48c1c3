package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.decode.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelLogParserTest {
    static List<NetfilterEvent> parse(LineParser parser, String... lines) {
        List<NetfilterEvent> out = new ArrayList<>();
        for (String line : lines) {
            parser.parse(line, out::add);
        }
        return out;
    }

    static PacketFields only(LineParser parser, String line) {
        List<NetfilterEvent> events = parse(parser, line);
        assertEquals(1, events.size(), line);
        NetfilterEvent e = events.get(0);
        return e instanceof LogEvent l ? l.packet() : ((TraceHop) e).packet();
    }

    @Test
    void bareDmesgTcpSyn() {
        KernelLogParser p = new KernelLogParser(1_000_000_000_000L);
        List<NetfilterEvent> events = parse(p, "[  139.648051] filt-out: IN= OUT=v0 SRC=10.99.0.1 DST=10.99.0.2 "
                + "LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=55455 DF PROTO=TCP SPT=39902 DPT=81 WINDOW=64240 RES=0x00 "
                + "SYN URGP=0");
        LogEvent e = assertInstanceOf(LogEvent.class, events.get(0));
        assertEquals("filt-out:", e.prefix());
        assertEquals(1_000_000_000_000L + 139_648_051_000L, e.timeNanos());
        PacketFields f = e.packet();
        assertEquals("", f.in());
        assertEquals("v0", f.out());
        assertEquals(new Tuple(6, "10.99.0.1", 39902, "10.99.0.2", 81), f.tuple());
        assertEquals(55455, f.ipId());
        assertEquals(60, f.length());
        assertEquals(64, f.ttl());
        assertTrue(f.dontFragment());
        assertEquals(TcpFlags.SYN, f.tcpFlags());
        assertEquals(-1, f.mark());
        assertEquals(1, p.events());
        assertEquals(0, p.skipped());
    }

    @Test
    void syslogPrefixAndMark() {
        PacketFields f = only(new KernelLogParser(), "Feb 28 16:48:11 10 kernel: nat postrouting: IN= OUT=eth0 "
                + "SRC=172.16.0.1 DST=10.10.173.203 LEN=52 TOS=0x10 PREC=0x00 TTL=64 ID=49938 DF PROTO=TCP SPT=19383 "
                + "DPT=443 WINDOW=43690 RES=0x00 SYN URGP=0 MARK=0x4000");
        assertEquals(0x4000, f.mark());
        assertEquals(49938, f.ipId());
        assertEquals(443, f.dstPort());
    }

    @Test
    void syslogPrefixKeepsTheLogPrefixAndHasNoTimeWithoutAYear() {
        List<NetfilterEvent> e = parse(new KernelLogParser(5), "Feb 28 16:48:11 node1 kernel: [ 12.5] nat "
                + "postrouting: IN= OUT=eth0 SRC=1.2.3.4 DST=5.6.7.8 LEN=52 TTL=64 ID=1 PROTO=TCP SPT=1 DPT=2 ACK PSH");
        LogEvent l = (LogEvent) e.get(0);
        assertEquals("nat postrouting:", l.prefix());
        assertEquals(5 + 12_500_000_000L, l.timeNanos(), "the [uptime] inside the syslog line");
        assertEquals(TcpFlags.ACK | TcpFlags.PSH, l.packet().tcpFlags());
    }

    @Test
    void isoJournalTimestampAndKmsgRecord() {
        LogEvent iso = (LogEvent) parse(new KernelLogParser(), "2026-11-25T08:40:26.267949+00:00 node kernel: "
                + "x: IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=40 TTL=1 ID=9 PROTO=TCP SPT=1 DPT=2 RST").get(0);
        assertEquals(1795596026_267949000L, iso.timeNanos());
        LogEvent kmsg = (LogEvent) parse(new KernelLogParser(1000), "4,1234,139648051,-;pfxIN=eth0 OUT= "
                + "SRC=1.1.1.1 DST=2.2.2.2 LEN=40 TTL=1 ID=9 PROTO=TCP SPT=1 DPT=2 RST").get(0);
        assertEquals(1000 + 139_648_051_000L, kmsg.timeNanos());
        assertEquals("pfx", kmsg.prefix(), "a prefix without a trailing space");
    }

    @Test
    void monotonicJournalAndHumanDmesgTimestamps() {
        LogEvent mono = (LogEvent) parse(new KernelLogParser(7), "[  139.648051] node1 kernel: pfx: IN= OUT=lo "
                + "SRC=1.1.1.1 DST=2.2.2.2 LEN=40 TTL=1 ID=9 PROTO=TCP SPT=1 DPT=2 RST").get(0);
        assertEquals(7 + 139_648_051_000L, mono.timeNanos());
        assertEquals("pfx:", mono.prefix());
        LogEvent human = (LogEvent) parse(new KernelLogParser(), "[Wed Nov 25 08:40:26 2026] pfx: IN= OUT=lo "
                + "SRC=1.1.1.1 DST=2.2.2.2 LEN=40 TTL=1 ID=9 PROTO=TCP SPT=1 DPT=2 RST").get(0);
        assertEquals("pfx:", human.prefix());
        assertEquals(java.time.LocalDateTime.of(2026, 11, 25, 8, 40, 26).atZone(java.time.ZoneId.systemDefault())
                .toInstant().toEpochMilli() * 1_000_000L, human.timeNanos());
    }

    @Test
    void udpHasLenTwice() {
        PacketFields f = only(new KernelLogParser(), "[ 1.0] u: IN=eth0 OUT= MAC=aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:08:00 "
                + "SRC=10.0.0.1 DST=10.0.0.53 LEN=73 TOS=0x00 PREC=0x00 TTL=64 ID=4242 PROTO=UDP SPT=5353 DPT=53 LEN=53");
        assertEquals(73, f.length(), "the IP length, not UDP's");
        assertEquals(17, f.protocol());
        assertEquals(4242, f.ipId());
        assertEquals("aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:08:00", f.mac());
        assertFalse(f.dontFragment());
    }

    @Test
    void icmpHasIdTwiceAndErrorsQuoteTheInnerHeader() {
        PacketFields echo = only(new KernelLogParser(), "[ 2.0] i: IN= OUT=v0 SRC=10.99.0.1 DST=10.99.0.2 LEN=84 "
                + "TOS=0x00 PREC=0x00 TTL=64 ID=50378 DF PROTO=ICMP TYPE=8 CODE=0 ID=17 SEQ=3");
        assertEquals(50378, echo.ipId());
        assertEquals(17, echo.icmpId());
        assertEquals(3, echo.icmpSeq());
        assertEquals(8, echo.icmpType());
        assertEquals(17, echo.srcPort(), "echo id stands in for ports, as conntrack keys it");
        PacketFields error = only(new KernelLogParser(), "[ 2.0] e: IN=eth0 OUT= SRC=10.0.0.9 DST=10.0.0.1 LEN=88 "
                + "TTL=64 ID=7 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.1 DST=10.0.0.9 LEN=60 TTL=64 ID=99 PROTO=UDP "
                + "SPT=1 DPT=2 LEN=40 ] ");
        assertEquals(7, error.ipId());
        assertEquals("10.0.0.9", error.src());
        assertEquals(-1, error.icmpId());
    }

    @Test
    void ipv6IsCanonicalised() {
        PacketFields f = only(new KernelLogParser(), "[ 3.0] v6: IN=eth0 OUT= "
                + "SRC=fe80:0000:0000:0000:0000:0000:0000:0001 DST=2001:0db8:0000:0000:0000:0000:0000:00aa LEN=80 "
                + "TC=0 HOPLIMIT=64 FLOWLBL=12345 PROTO=TCP SPT=40000 DPT=443 WINDOW=100 RES=0x00 SYN URGP=0");
        assertEquals(6, f.family());
        assertEquals("fe80::1", f.src());
        assertEquals("2001:db8::aa", f.dst());
        assertEquals(64, f.ttl());
        assertEquals(-1, f.ipId());
    }

    @Test
    void bridgeFieldsOptionsAndOddSpacing() {
        PacketFields f = only(new KernelLogParser(), "[ 4.0]   br:  IN=br0  OUT=br0 PHYSIN=veth1 PHYSOUT=veth2  "
                + "MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00  SRC=10.1.0.2   DST=10.1.0.3 LEN=60 TTL=64 ID=5 DF "
                + "PROTO=TCP SPT=1000 DPT=2000 SEQ=1116279521 ACK=0 WINDOW=29200 RES=0x00 SYN URGP=0 "
                + "OPT (020405B40402080A) MARK=0x10");
        assertEquals("veth1", f.physIn());
        assertEquals("veth2", f.physOut());
        assertEquals(1116279521L, f.seq());
        assertEquals(0, f.ack());
        assertEquals(0x10, f.mark());
    }

    @Test
    void legacyTraceLineIsAHop() {
        List<NetfilterEvent> e = parse(new KernelLogParser(), "[ 9.0] TRACE: nat:KUBE-SERVICES:rule:25 IN=ens5 OUT= "
                + "MAC=0a:00:00:00:00:01:0a:00:00:00:00:02:08:00 SRC=10.0.1.5 DST=10.96.0.10 LEN=60 TOS=0x00 PREC=0x00 "
                + "TTL=64 ID=23727 DF PROTO=TCP SPT=45847 DPT=8089 SEQ=1116279521 ACK=0 WINDOW=29200 RES=0x00 SYN "
                + "URGP=0 OPT (020405B40402080A01234567)");
        TraceHop hop = assertInstanceOf(TraceHop.class, e.get(0));
        assertEquals("nat", hop.table());
        assertEquals("KUBE-SERVICES", hop.chain());
        assertEquals("rule", hop.kind());
        assertEquals("25", hop.rule());
        assertNull(hop.verdict());
        assertEquals(23727, hop.packet().ipId());
        assertEquals(NetfilterEvent.Source.LEGACY_TRACE, hop.source());
    }

    @Test
    void garbageIsSkippedAndCountedNeverThrown() {
        KernelLogParser p = new KernelLogParser();
        List<NetfilterEvent> e = parse(p, "", "random text", "[ 1.0] x: IN= OUT= SRC=1.2.3.4",
                "[ 1.0] x: IN= OUT= SRC=1.2.3.4 DST=5.6.7.8 ID=99999999999999999999999 PROTO=TCP",
                "[ 1.0] x: IN= OUT= SRC=not-an-ip DST=5.6.7.8 PROTO=TCP", null, "IN= OUT=\u0000=",
                "[ 1.0] ok: IN= OUT=lo SRC=1.2.3.4 DST=5.6.7.8 LEN=1 ID=1 PROTO=TCP SPT=1 DPT=2");
        assertEquals(1, e.size());
        assertEquals(8, p.lines());
        assertEquals(7, p.skipped());
    }
}
