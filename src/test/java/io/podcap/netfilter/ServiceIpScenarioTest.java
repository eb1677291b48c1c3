package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.capture.Capture;
import io.podcap.decode.TcpFlags;
import io.podcap.ns.NamespaceSpec;
import io.podcap.testing.Root;
import io.podcap.testing.Tools;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kube-proxy ClusterIP failure on a real kernel, through the Java API: the node connects to a VIP that is also
 * its own address (kube-ipvs0), so the SYN leaves with the VIP as source after DNAT and the backend cannot answer.
 * Every source at once: xtables-monitor trace, conntrack events, NFLOG records captured on nflog:N.
 */
class ServiceIpScenarioTest {
    private static final int NFLOG_GROUP = 17;

    @Test
    void synLeavesWithTheVipAsSourceUntilMasqueradeIsAdded() throws Exception {
        Root.assume();
        Tools.require("xtables-monitor");
        Tools.require("conntrack");
        try (KubeNode k = KubeNode.create("svc")) {
            k.node("iptables", "-t", "raw", "-A", "OUTPUT", "-d", k.vip, "-p", "tcp", "-j", "TRACE").ok();
            k.node("iptables", "-t", "mangle", "-A", "POSTROUTING", "-p", "tcp", "--dport", "8080", "-j", "NFLOG",
                    "--nflog-group", Integer.toString(NFLOG_GROUP), "--nflog-prefix", "post").ok();

            CorrelationReport broken = trace(k);
            assertNotEquals(0, k.lastConnect, "the connection must fail without masquerade");
            List<TracedPacket> syns = broken.packets().stream()
                    .filter(p -> p.captured() && p.tcpFlags() == TcpFlags.SYN && "eth0".equals(p.iface())).toList();
            assertTrue(syns.size() >= 2, "SYN and its retransmission on eth0: " + broken.packets());
            TracedPacket syn = syns.get(0);
            assertEquals("SYN " + k.vip + ":" + syn.tuple().srcPort() + " > " + k.backendIp + ":8080", syn.summary());
            assertEquals("out", syn.direction());
            assertTrue(syn.hops().stream().anyMatch(h -> h.table().equals("nat") && h.chain().equals("OUTPUT")
                    && h.ruleText() != null && h.ruleText().contains("DNAT")), "the DNAT hop: " + syn.hops());
            assertTrue(syn.hops().stream().noneMatch(h -> h.ruleText() != null && h.ruleText().contains("MASQUERADE")));
            assertNotNull(syn.nat());
            assertTrue(syn.nat().dnat() && !syn.nat().snat(), syn.nat().toString());
            assertEquals(k.vip, syn.nat().before().dst());
            assertTrue(syn.logs().stream().anyMatch(l -> l.source() == NetfilterEvent.Source.NFLOG
                    && "post".equals(l.prefix()) && "POSTROUTING".equals(l.hook())), "NFLOG record: " + syn.logs());
            assertTrue(broken.has("source-is-service-ip"), broken.findings().toString());
            assertTrue(broken.has("unanswered-syn"), broken.findings().toString());
            Finding f = broken.findings().stream().filter(x -> x.name().equals("source-is-service-ip")).findFirst()
                    .orElseThrow();
            assertTrue(f.evidence().stream().anyMatch(e -> e.startsWith("conntrack NEW SYN_SENT")), f.evidence().toString());

            k.addMasquerade();
            CorrelationReport fixed = trace(k);
            assertEquals(0, k.lastConnect, "the connection succeeds with masquerade");
            assertFalse(fixed.has("source-is-service-ip"), fixed.findings().toString());
            assertFalse(fixed.has("unanswered-syn"), fixed.findings().toString());
            TracedPacket masqueraded = fixed.packets().stream()
                    .filter(p -> p.captured() && p.tcpFlags() == TcpFlags.SYN && "eth0".equals(p.iface()))
                    .findFirst().orElseThrow();
            assertEquals(k.nodeIp, masqueraded.tuple().src());
            assertTrue(masqueraded.nat().snat() && masqueraded.nat().dnat(), masqueraded.nat().toString());
            assertTrue(fixed.packets().stream().anyMatch(p -> p.tcpFlags() == (TcpFlags.SYN | TcpFlags.ACK)));
        }
    }

    private static CorrelationReport trace(KubeNode k) throws Exception {
        NamespaceSpec ns = NamespaceSpec.parse(k.nodeSpec());
        assertEquals(List.of(k.vip), PacketCorrelator.kubeIpvsAddresses(ns));
        PacketCorrelator c = PacketCorrelator.builder().serviceAddresses(PacketCorrelator.kubeIpvsAddresses(ns))
                .build();
        try (ToolSource xt = ToolSource.xtablesMonitor(ns, c::onEvent);
             ToolSource ct = ToolSource.conntrack(ns, c::onEvent);
             Capture nflog = Capture.builder().namespace(ns).device("nflog:" + NFLOG_GROUP).immediate(true)
                     .handler(new NflogEvents(c::onEvent)).open();
             Capture capture = Capture.builder().namespace(ns).filter("tcp port 80 or tcp port 8080").immediate(true)
                     .handler(c).open()) {
            assertTrue(xt.awaitReady(Duration.ofSeconds(5)) && ct.awaitReady(Duration.ofSeconds(5)));
            k.lastConnect = k.connectToService();
            Thread.sleep(500);
            capture.stop();
            assertTrue(capture.awaitTermination(Duration.ofSeconds(5)));
            assertTrue(xt.isAlive() && ct.isAlive(), xt.lastError() + " / " + ct.lastError());
        }
        return c.finish();
    }
}
