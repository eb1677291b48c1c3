package io.podcap.netfilter;

import static io.podcap.netfilter.KernelLogParserTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.decode.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceParsersTest {
    @Test
    void xtablesMonitorJoinsPacketAndTraceLinesById() {
        XtablesMonitorParser p = new XtablesMonitorParser();
        List<NetfilterEvent> e = parse(p,
                "PACKET: 2 82eb071e OUT=v0 SRC=10.99.0.1 DST=10.99.0.2 LEN=84 TOS=0x0 TTL=64 ID=50378 DF ",
                " TRACE: 2 82eb071e raw:OUTPUT:rule:0x2:CONTINUE  -4 -t raw -A OUTPUT -d 10.99.0.2/32 -p icmp -j TRACE",
                " TRACE: 2 82eb071e raw:OUTPUT:policy:ACCEPT ",
                "PACKET: 2 f0c51c31 OUT=lo SRC=10.96.0.10 DST=10.96.0.10 LEN=60 TOS=0x0 TTL=64 ID=38349DF "
                        + "SPORT=42230 DPORT=80 SYN ",
                " TRACE: 2 f0c51c31 nat:OUTPUT:rule:0x2:ACCEPT  -4 -t nat -A OUTPUT -d 10.96.0.10/32 -p tcp -m tcp "
                        + "--dport 80 -j DNAT --to-destination 10.77.0.2:8080",
                " TRACE: 2 f0c51c31 filter:KUBE-SERVICES:rule:0x9:JUMP:KUBE-SVC-X  -4 -t filter -A KUBE-SERVICES "
                        + "-d 10.96.0.1/32 -p tcp -m comment --comment \"default/kubernetes:https cluster IP\" -j KUBE-SVC-X",
                "EVENT: -4 -t filter -A OUTPUT -j ACCEPT");
        assertEquals(4, e.size());
        TraceHop first = (TraceHop) e.get(0);
        assertEquals("raw", first.table());
        assertEquals("OUTPUT", first.chain());
        assertEquals("0x2", first.rule());
        assertEquals("CONTINUE", first.verdict());
        assertEquals("-4 -t raw -A OUTPUT -d 10.99.0.2/32 -p icmp -j TRACE", first.ruleText());
        assertEquals(50378, first.packet().ipId());
        assertEquals("82eb071e", first.traceId());
        TraceHop policy = (TraceHop) e.get(1);
        assertEquals("policy", policy.kind());
        assertNull(policy.rule());
        assertEquals("ACCEPT", policy.verdict());
        TraceHop dnat = (TraceHop) e.get(2);
        assertEquals(38349, dnat.packet().ipId(), "the ID=38349DF quirk");
        assertTrue(dnat.packet().dontFragment());
        assertEquals(new Tuple(6, "10.96.0.10", 42230, "10.96.0.10", 80), dnat.packet().tuple());
        assertEquals("JUMP:KUBE-SVC-X", ((TraceHop) e.get(3)).verdict());
        assertEquals("default/kubernetes:https cluster IP", ((TraceHop) e.get(3)).comment());
        assertNull(first.comment());
        assertEquals(1, p.skipped(), "the EVENT line");
    }

    @Test
    void nftMonitorTrace() {
        NftTraceParser p = new NftTraceParser();
        List<NetfilterEvent> e = parse(p,
                "trace id 88d50f99 ip raw OUTPUT packet: oif \"v0\" ip saddr 10.99.0.1 ip daddr 10.99.0.2 ip dscp cs0 "
                        + "ip ecn not-ect ip ttl 64 ip id 50135 ip length 84 icmp type echo-request icmp code 0 "
                        + "icmp id 6 icmp sequence 1 @th,64,96 0x1",
                "trace id 88d50f99 ip raw OUTPUT rule meta l4proto icmp ip daddr 10.99.0.2 counter packets 0 bytes 0 "
                        + "meta nftrace set 1 (verdict continue)",
                "trace id 88d50f99 ip raw OUTPUT policy accept",
                "trace id 1 ip filter INPUT packet: iif \"eth0\" ether saddr 02:00:00:00:00:01 ether daddr "
                        + "02:00:00:00:00:02 ip saddr 10.0.0.1 ip daddr 10.0.0.2 ip id 7 ip protocol tcp tcp sport 5 "
                        + "tcp dport 8080 tcp flags == (syn | ack) tcp window 100 meta mark 0x00004000",
                "trace id 1 ip filter INPUT rule tcp dport 8080 comment \"no probes\" drop # handle 7 (verdict drop)",
                "trace id 2 ip6 filter INPUT packet: iif \"eth0\" ip6 saddr fe80::1 ip6 daddr fe80::2 "
                        + "ip6 nexthdr udp udp sport 546 udp dport 547",
                "trace id 2 ip6 filter INPUT verdict continue",
                "not a trace");
        assertEquals(4, e.size());
        TraceHop rule = (TraceHop) e.get(0);
        assertEquals("CONTINUE", rule.verdict());
        assertEquals("meta l4proto icmp ip daddr 10.99.0.2 counter packets 0 bytes 0 meta nftrace set 1", rule.ruleText());
        PacketFields icmp = rule.packet();
        assertEquals(50135, icmp.ipId());
        assertEquals(8, icmp.icmpType());
        assertEquals(6, icmp.icmpId());
        assertEquals("v0", icmp.out());
        assertEquals("ACCEPT", ((TraceHop) e.get(1)).verdict());
        TraceHop drop = (TraceHop) e.get(2);
        assertEquals("7", drop.rule());
        assertEquals("no probes", drop.comment());
        assertEquals("DROP", drop.verdict());
        assertTrue(drop.isDrop());
        assertEquals(TcpFlags.SYN | TcpFlags.ACK, drop.packet().tcpFlags());
        assertEquals(0x4000, drop.packet().mark());
        assertEquals("02:00:00:00:00:01", drop.packet().mac());
        TraceHop v6 = (TraceHop) e.get(3);
        assertEquals("verdict", v6.kind());
        assertEquals(new Tuple(17, "fe80::1", 546, "fe80::2", 547), v6.packet().tuple());
        assertEquals(1, p.skipped());
    }

    @Test
    void conntrackEvents() {
        ConntrackParser p = new ConntrackParser();
        List<NetfilterEvent> e = parse(p,
                "    [NEW] tcp      6 120 SYN_SENT src=10.8.6.97 dst=10.11.249.108 sport=46128 dport=80 [UNREPLIED] "
                        + "src=10.8.6.96 dst=10.8.6.97 sport=80 dport=46128",
                "[1700000000.250000]\t[UPDATE] tcp 6 60 SYN_RECV src=10.0.0.1 dst=10.96.0.1 sport=1 dport=443 "
                        + "src=10.0.0.50 dst=10.0.0.9 sport=6443 dport=2 mark=16384",
                " [DESTROY] udp 17 src=10.0.0.1 dst=10.0.0.53 sport=5353 dport=53 src=10.0.0.53 dst=10.0.0.1 "
                        + "sport=53 dport=5353 [ASSURED]",
                "    [NEW] icmp     1 30 src=10.99.0.1 dst=10.99.0.2 type=8 code=0 id=6 [UNREPLIED] src=10.99.0.2 "
                        + "dst=10.99.0.1 type=0 code=0 id=6",
                "conntrack v1.4.7 (conntrack-tools): 1 flow events have been shown.",
                "[NEW] tcp 6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1");
        assertEquals(4, e.size());
        ConntrackEvent dnat = (ConntrackEvent) e.get(0);
        assertEquals("NEW", dnat.type());
        assertEquals("SYN_SENT", dnat.state());
        assertTrue(dnat.unreplied());
        assertTrue(dnat.isDnat());
        assertTrue(!dnat.isSnat());
        assertEquals(new Tuple(6, "10.8.6.97", 46128, "10.8.6.96", 80), dnat.translated());
        ConntrackEvent both = (ConntrackEvent) e.get(1);
        assertEquals(1700000000_250000000L, both.timeNanos());
        assertTrue(both.isDnat() && both.isSnat());
        assertEquals(16384, both.mark());
        ConntrackEvent udp = (ConntrackEvent) e.get(2);
        assertTrue(udp.assured() && !udp.isDnat() && !udp.isSnat());
        assertNull(udp.state());
        ConntrackEvent icmp = (ConntrackEvent) e.get(3);
        assertEquals(new Tuple(1, "10.99.0.1", 6, "10.99.0.2", 6), icmp.original());
        assertEquals(2, p.skipped());
    }

    @Test
    void iptablesSaveNumbersRulesPerChainAndReadsKubeProxyRules() {
        RuleSet rules = RuleSet.parse("""
                # Generated by iptables-save v1.8.9 (nf_tables)
                *nat
                :PREROUTING ACCEPT [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-POSTROUTING - [0:0]
                -A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
                -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ
                -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
                -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
                -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE
                COMMIT
                *filter
                -A INPUT -p tcp --dport 8080 -j DROP
                bogus
                COMMIT
                """);
        Rule svc = rules.rule("nat", "KUBE-SERVICES", 1).orElseThrow();
        assertEquals("kube-system/kube-dns:dns cluster IP", svc.comment());
        assertEquals("KUBE-SVC-TCOU7JCQXEZGVUNU", svc.target());
        assertEquals("KUBE-MARK-MASQ", rules.rule("nat", "KUBE-SERVICES", 2).orElseThrow().target());
        assertEquals(List.of(0x4000L, 0x4000L), rules.markRules().stream().map(Rule::markSet).toList());
        assertTrue(rules.hasSourceNat());
        assertTrue(rules.rule("nat", "KUBE-SERVICES", 3).isEmpty());
        assertEquals("-A INPUT -p tcp --dport 8080 -j DROP", rules.rule("filter", "INPUT", 1).orElseThrow().text());
        assertEquals(1, rules.skipped());
        TraceHop legacy = new TraceHop(NetfilterEvent.Source.LEGACY_TRACE, -1, null, "ip", "filter", "INPUT", "rule",
                "1", null, null, null);
        TraceHop annotated = rules.annotate(legacy);
        assertTrue(annotated.isDrop());
    }
}
