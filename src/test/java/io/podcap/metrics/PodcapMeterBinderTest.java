package io.podcap.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podcap.capture.Capture;
import io.podcap.capture.CaptureStats;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Micrometer binder over a real capture: each meter reads what {@link Capture#stats()} says. */
class PodcapMeterBinderTest {
    @Test
    void metersReadTheCapturesStats() throws Exception {
        Root.assume();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestNetns ns = TestNetns.create("binder")) {
            ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
            Capture capture = Capture.builder().namespace(ns.spec()).device("eth0").filter("udp dst port 9790")
                    .handler(p -> { }).open();
            PodcapMeterBinder binder = PodcapMeterBinder.of(capture);
            binder.bindTo(registry);
            try (capture; DatagramSocket socket = new DatagramSocket()) {
                for (int i = 0; i < 25; i++) {
                    socket.send(new DatagramPacket(new byte[64], 64, InetAddress.getByName(ns.address()), 9790));
                }
                for (int i = 0; i < 100 && capture.stats().delivered() < 25; i++) {
                    Thread.sleep(100);
                }
            }
            CaptureStats stats = capture.stats(); // closed: these are the final counters
            assertEquals(25, stats.delivered());
            Map<String, Double> expected = Map.of(
                    "podcap.capture.received.packets", (double) stats.received(),
                    "podcap.capture.packets", (double) stats.delivered(),
                    "podcap.capture.bytes", (double) stats.bytes(),
                    "podcap.capture.kernel.dropped.packets", (double) stats.kernelDropped(),
                    "podcap.capture.interface.dropped.packets",
                    stats.interfaceDropped() < 0 ? Double.NaN : stats.interfaceDropped(),
                    "podcap.capture.ring.dropped.packets", (double) stats.ringDropped());
            expected.forEach((name, value) -> {
                FunctionCounter c = registry.find(name).tags("netns", ns.spec(), "iface", "eth0").functionCounter();
                assertNotNull(c, name + " in " + registry.getMetersAsString());
                assertEquals(value, c.count(), name);
            });
            assertEquals(25L * (14 + 20 + 8 + 64), stats.bytes());

            binder.close();
            assertNull(registry.find("podcap.capture.packets").functionCounter(), "close removes the meters");
        }
    }

    @Test
    void metricsAddedLaterAreBoundToo() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics metrics = new Metrics();
        metrics.addAll(List.of(Metric.gauge("podcap_flows_active", "Flows", Map.of(), () -> 3)));
        new PodcapMeterBinder(metrics).bindTo(registry);
        metrics.addAll(List.of(Metric.counter("podcap_flows_evicted_total", "Evicted", Map.of(), () -> 7)));
        assertEquals(3.0, registry.get("podcap.flows.active").gauge().value());
        assertEquals(7.0, registry.get("podcap.flows.evicted").functionCounter().count());
        assertTrue(registry.getMeters().size() == 2);
    }
}
