package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.capture.Capture;
import io.podcap.decode.TcpFlags;
import io.podcap.ns.NamespaceSpec;
import io.podcap.testing.Root;
import io.podcap.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The other sources on real traffic: LOG lines and legacy TRACE lines read from /dev/kmsg, and a DROP rule on a
 * probe port seen through xtables-monitor from inside the pod.
 */
class KernelSourcesTest {
    private static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");

    @Test
    void logAndLegacyTraceLinesFromKmsgWithTheMasqueradeMark() throws Exception {
        Root.assume();
        Tools.require("iptables-legacy");
        String before = Files.readString(LOG_ALL_NETNS).strip();
        try (KubeNode k = KubeNode.create("kmsg")) {
            Files.writeString(LOG_ALL_NETNS, "1"); // LOG and TRACE write nothing from a namespace otherwise
            k.node("iptables", "-t", "mangle", "-A", "OUTPUT", "-d", k.vip, "-p", "tcp", "-j", "MARK",
                    "--set-xmark", "0x4000/0x4000").ok();
            k.node("iptables", "-A", "OUTPUT", "-p", "tcp", "--dport", "8080", "-j", "LOG", "--log-prefix",
                    "podcap-log: ").ok();
            // legacy TRACE logs through the namespace's IPv4 logger: nf_log_ipv4 while no NFLOG rule bound another
            k.node("iptables-legacy", "-t", "raw", "-A", "OUTPUT", "-d", k.vip, "-p", "tcp", "-j", "TRACE").ok();
            k.node("iptables-legacy", "-t", "raw", "-A", "OUTPUT", "-p", "tcp", "--dport", "80", "-j", "ACCEPT").ok();
            RuleSet rules = RuleSet.parse(k.node("iptables-legacy-save").ok().stdout());
            NamespaceSpec ns = NamespaceSpec.parse(k.nodeSpec());
            PacketCorrelator c = PacketCorrelator.builder().rules(rules).build();
            try (KmsgSource kmsg = new KmsgSource(c::onEvent);
                 Capture capture = Capture.builder().namespace(ns).filter("tcp port 8080").immediate(true)
                         .handler(c).open()) {
                assertNotEquals(0, k.connectToService());
                Thread.sleep(500);
                capture.stop();
                assertTrue(capture.awaitTermination(Duration.ofSeconds(5)));
                assertTrue(kmsg.parser().events() > 0, "kernel log lines read");
            }
            CorrelationReport report = c.finish();
            TracedPacket syn = report.packets().stream().filter(p -> p.captured() && p.tcpFlags() == TcpFlags.SYN)
                    .findFirst().orElseThrow();
            assertTrue(syn.logs().stream().anyMatch(l -> l.source() == NetfilterEvent.Source.LOG
                    && l.prefix().equals("podcap-log:") && l.packet().mark() == 0x4000), syn.logs().toString());
            assertTrue(syn.marks().contains(0x4000L), syn.marks().toString());
            assertTrue(syn.hops().stream().anyMatch(h -> h.source() == NetfilterEvent.Source.LEGACY_TRACE
                    && h.table().equals("raw") && h.chain().equals("OUTPUT") && "2".equals(h.rule())
                    && "-A OUTPUT -p tcp -m tcp --dport 80 -j ACCEPT".equals(h.ruleText())), syn.hops().toString());
            assertTrue(report.has("masq-mark-not-masqueraded"), report.findings().toString());
            assertTrue(report.has("source-is-service-ip"), report.findings().toString());
        } finally {
            Files.writeString(LOG_ALL_NETNS, before);
        }
    }

    @Test
    void dropRuleOnTheProbePortIsAProbeBlocked() throws Exception {
        Root.assume();
        Tools.require("xtables-monitor");
        Tools.require("curl");
        try (KubeNode k = KubeNode.create("drop")) {
            k.backend("iptables", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "TRACE").ok();
            List<String> drop = List.of("INPUT", "-p", "tcp", "-s", k.nodeIp, "--dport", "8080", "-j", "DROP");
            k.backend(iptables("-A", drop)).ok();

            CorrelationReport blocked = traceBackend(k, () -> k.node("nc", "-z", "-w", "2", k.backendIp, "8080")
                    .exitCode());
            assertTrue(blocked.has("dropped-by-rule"), blocked.findings().toString());
            assertTrue(blocked.has("probe-blocked"), blocked.findings().toString());
            TracedPacket syn = blocked.packets().stream().filter(p -> p.captured() && p.tcpFlags() == TcpFlags.SYN)
                    .findFirst().orElseThrow();
            assertEquals("in", syn.direction());
            TraceHop last = syn.lastHop();
            assertEquals("filter", last.table());
            assertEquals("INPUT", last.chain());
            assertEquals("DROP", last.verdict());
            assertTrue(last.ruleText().contains("-j DROP"), last.ruleText());
            Finding probe = blocked.findings().stream().filter(f -> f.name().equals("probe-blocked")).findFirst()
                    .orElseThrow();
            assertTrue(probe.evidence().stream().anyMatch(e -> e.contains("TCP from the node's address " + k.nodeIp)),
                    probe.evidence().toString());

            k.backend(iptables("-D", drop)).ok();
            CorrelationReport open = traceBackend(k, () -> k.node("curl", "-s", "-m", "2", "-A", "kube-probe/1.30",
                    "http://" + k.backendIp + ":8080/healthz").exitCode());
            assertTrue(open.packets().stream().anyMatch(TracedPacket::kubeProbe), "the kube-probe request is seen");
            assertTrue(!open.has("dropped-by-rule") && !open.has("probe-blocked"), open.findings().toString());
        }
    }

    @Test
    void nftMonitorTracesAPingBothWays() throws Exception {
        Root.assume();
        Tools.require("nft");
        Tools.require("ping");
        try (KubeNode k = KubeNode.create("icmp")) {
            k.node("nft", "add table ip podcap; add chain ip podcap out { type filter hook output priority -301; }; "
                    + "add rule ip podcap out ip daddr " + k.backendIp + " icmp type echo-request meta nftrace set 1; "
                    + "add chain ip podcap in { type filter hook input priority -301; }; "
                    + "add rule ip podcap in ip saddr " + k.backendIp + " meta nftrace set 1").ok();
            NamespaceSpec ns = NamespaceSpec.parse(k.nodeSpec());
            PacketCorrelator c = PacketCorrelator.builder().build();
            try (ToolSource nft = ToolSource.nftMonitor(ns, c::onEvent);
                 Capture capture = Capture.builder().namespace(ns).device("eth0").filter("icmp").immediate(true)
                         .handler(c).open()) {
                assertTrue(nft.awaitReady(Duration.ofSeconds(5)));
                k.node("ping", "-c", "2", "-i", "0.2", "-W", "1", k.backendIp).ok();
                Thread.sleep(500);
                capture.stop();
                assertTrue(capture.awaitTermination(Duration.ofSeconds(5)));
                assertTrue(nft.isAlive(), nft.lastError());
            }
            CorrelationReport r = c.finish();
            List<TracedPacket> captured = r.packets().stream().filter(TracedPacket::captured).toList();
            assertEquals(4, captured.size(), r.packets().toString());
            for (TracedPacket p : captured) {
                assertTrue(p.hops().stream().anyMatch(h -> h.source() == NetfilterEvent.Source.NFT_MONITOR
                        && h.table().equals("podcap") && h.ruleText() != null && h.ruleText().contains("nftrace")),
                        p + " has its nft trace");
                assertTrue(p.summary().matches("ICMP 10\\.251\\.\\d+\\.[12] > 10\\.251\\.\\d+\\.[12] id \\d+"),
                        p.summary());
            }
            assertEquals(0, r.capturedWithoutEvents());
            assertTrue(r.findings().isEmpty(), r.findings().toString());
        }
    }

    private static String[] iptables(String op, List<String> rule) {
        List<String> all = new java.util.ArrayList<>(List.of("iptables", op));
        all.addAll(rule);
        return all.toArray(String[]::new);
    }

    private static CorrelationReport traceBackend(KubeNode k, Callable<Integer> traffic) throws Exception {
        NamespaceSpec ns = NamespaceSpec.parse(k.backendSpec());
        PacketCorrelator c = PacketCorrelator.builder().nodeAddresses(Set.of(k.nodeIp)).build();
        try (ToolSource xt = ToolSource.xtablesMonitor(ns, c::onEvent);
             Capture capture = Capture.builder().namespace(ns).filter("tcp port 8080").immediate(true).handler(c)
                     .open()) {
            assertTrue(xt.awaitReady(Duration.ofSeconds(5)));
            traffic.call();
            Thread.sleep(500);
            capture.stop();
            assertTrue(capture.awaitTermination(Duration.ofSeconds(5)));
            assertTrue(xt.isAlive(), xt.lastError());
        }
        return c.finish();
    }
}
