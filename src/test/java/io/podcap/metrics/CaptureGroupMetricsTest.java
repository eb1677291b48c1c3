package io.podcap.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podcap.capture.CaptureGroup;
import io.podcap.ns.NamespaceSpec;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A group's members as metric series, one per namespace, the ones added later included, over real namespaces. */
class CaptureGroupMetricsTest {
    private static final int PORT = 9791;

    private static void send(TestNetns ns, int n) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int i = 0; i < n; i++) {
                socket.send(new DatagramPacket(new byte[10], 10, InetAddress.getByName(ns.address()), PORT));
            }
        }
    }

    private static Map<String, Double> scrape(Metrics metrics) {
        return Exposition.parse(PrometheusText.format(metrics.snapshot()));
    }

    @Test
    void eachMemberIsASeriesAndLaterOnesJoin() throws Exception {
        Root.assume();
        try (TestNetns a = TestNetns.create("gma"); TestNetns b = TestNetns.create("gmb")) {
            a.exec("ping", "-c", "1", "-W", "2", a.hostAddress()).ok();
            b.exec("ping", "-c", "1", "-W", "2", b.hostAddress()).ok();
            Metrics metrics = new Metrics();
            CaptureGroup group = CaptureGroup.builder().device("eth0").filter("udp dst port " + PORT)
                    .handler(p -> { }).add(a.spec()).open();
            try (group) {
                CaptureGroupMetrics tracked = new CaptureGroupMetrics(group, "eth0", metrics);
                group.add(NamespaceSpec.parse(b.spec()), "pod default/b");
                tracked.refresh();
                send(a, 3);
                send(b, 5);
                for (int i = 0; i < 100 && group.stats().delivered() < 8; i++) {
                    Thread.sleep(100);
                }
            }
            Map<String, Double> scraped = scrape(metrics);
            assertEquals(3.0, scraped.get("podcap_capture_packets_total{iface=\"eth0\",netns=\"" + a.spec() + "\"}"),
                    scraped::toString);
            assertEquals(5.0, scraped.get("podcap_capture_packets_total{iface=\"eth0\",netns=\"pod default/b\"}"),
                    scraped::toString);
            assertEquals(12, scraped.size(), "six counters for each of the two members");
        }
    }
}
