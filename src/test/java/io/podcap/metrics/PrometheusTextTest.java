package io.podcap.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void oneHelpAndTypePerNameEscapedLabelsAndUnknownAsNaN() {
        AtomicLong packets = new AtomicLong(41);
        Metrics metrics = new Metrics();
        metrics.addAll(List.of(
                Metric.counter("podcap_x_packets_total", "Packets \\ seen\nhere", Map.of("netns", "pid:1", "iface", "eth0"),
                        () -> packets.get()),
                Metric.gauge("podcap_x_active", "Active", Map.of(), () -> 2.5),
                Metric.counter("podcap_x_packets_total", "Packets", Map.of("netns", "a\"b\\c\nd", "iface", "any"),
                        () -> Double.NaN)));
        packets.incrementAndGet();
        String text = PrometheusText.format(metrics.snapshot());
        assertEquals("""
                # HELP podcap_x_packets_total Packets \\\\ seen\\nhere
                # TYPE podcap_x_packets_total counter
                podcap_x_packets_total{iface="eth0",netns="pid:1"} 42
                podcap_x_packets_total{iface="any",netns="a\\"b\\\\c\\nd"} NaN
                # HELP podcap_x_active Active
                # TYPE podcap_x_active gauge
                podcap_x_active 2.5
                """, text);
        Map<String, Double> parsed = Exposition.parse(text);
        assertEquals(42.0, parsed.get("podcap_x_packets_total{iface=\"eth0\",netns=\"pid:1\"}"));
        assertTrue(parsed.get("podcap_x_packets_total{iface=\"any\",netns=\"a\\\"b\\\\c\\nd\"}").isNaN());
        assertEquals(2.5, parsed.get("podcap_x_active"));
    }

    @Test
    void badNamesAndDuplicatesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Metric.counter("podcap_x", "no _total", Map.of(), () -> 0));
        assertThrows(IllegalArgumentException.class, () -> Metric.gauge("podcap_x_total", "gauge", Map.of(), () -> 0));
        assertThrows(IllegalArgumentException.class, () -> Metric.gauge("podcap-x", "dash", Map.of(), () -> 0));
        assertThrows(IllegalArgumentException.class, () -> Metric.gauge("x", "label", Map.of("__a", "b"), () -> 0));
        Metrics metrics = new Metrics();
        metrics.addAll(List.of(Metric.gauge("podcap_y", "y", Map.of("a", "1"), () -> 0)));
        assertThrows(IllegalArgumentException.class,
                () -> metrics.addAll(List.of(Metric.gauge("podcap_y", "y", Map.of("a", "1"), () -> 1))));
        assertEquals(1, metrics.snapshot().size());
    }
}
