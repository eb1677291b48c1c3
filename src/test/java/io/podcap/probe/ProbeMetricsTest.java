package io.podcap.probe;

import static io.podcap.probe.ProbeTraffic.S;
import static io.podcap.probe.ProbeTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podcap.flow.FlowTable;
import io.podcap.flow.FlowTableStats;
import io.podcap.metrics.Exposition;
import io.podcap.metrics.FlowMetrics;
import io.podcap.metrics.Metrics;
import io.podcap.metrics.PodcapMeterBinder;
import io.podcap.metrics.ProbeMetrics;
import io.podcap.metrics.PrometheusText;
import io.podcap.metrics.StatsSnapshot;
import io.podcap.pcap.PcapReader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probe and flow counters as an embedder exports them: snapshots taken on the analysis' thread, read by the Prometheus
 * text format and by a Micrometer registry; a failing probe stream shows as failures and one alert.
 */
class ProbeMetricsTest {
    @TempDir
    Path dir;

    @Test
    void failuresAndAlertsReachPrometheusAndMicrometer() throws Exception {
        ProbeTraffic t = new ProbeTraffic();
        for (int i = 0; i < 6; i++) {
            t.http(T0 + i * 10 * S, "10.244.1.1", "10.244.1.5", 8080, "/healthz", "kube-probe/1.29", 200);
            t.http(T0 + 2 * S + i * 10 * S, "10.36.0.0", "10.36.0.5", 8080, "/ready", "kube-probe/1.29",
                    i < 2 ? 200 : 503); // four failures in a row: one alert
        }
        Path file = dir.resolve("probes.pcapng");
        t.write(file);

        FlowTable table = FlowTable.builder().build();
        ProbeDetector detector = ProbeDetector.builder().build(table);
        StatsSnapshot<FlowTableStats> flows = new StatsSnapshot<>(table::stats);
        StatsSnapshot<ProbeDetectorStats> probes = new StatsSnapshot<>(detector::stats);
        Metrics metrics = new Metrics();
        metrics.addAll(FlowMetrics.of(flows, Map.of("netns", "file")));
        metrics.addAll(ProbeMetrics.of(probes, Map.of("netns", "file")));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new PodcapMeterBinder(metrics).bindTo(registry);

        try (PcapReader reader = PcapReader.open(file)) {
            reader.readAll(table);
        }
        String label = "{netns=\"file\"}";
        // not refreshed yet: exporters still see the first snapshot
        assertEquals(0, Exposition.parse(PrometheusText.format(metrics.snapshot()))
                .get("podcap_probe_connections_total" + label));
        table.endAll();
        flows.refresh();
        probes.refresh();

        ProbeDetectorStats s = detector.stats();
        assertEquals(12, s.probes());
        assertEquals(4, s.failures());
        assertEquals(1, s.alerts());
        Map<String, Double> scraped = Exposition.parse(PrometheusText.format(metrics.snapshot()));
        assertEquals(2, scraped.get("podcap_probe_streams" + label));
        assertEquals(12, scraped.get("podcap_probe_connections_total" + label));
        assertEquals(4, scraped.get("podcap_probe_failures_total" + label));
        assertEquals(1, scraped.get("podcap_probe_alerts_total" + label));
        assertEquals(12, scraped.get("podcap_flows_total" + label));
        assertEquals(12, scraped.get("podcap_flows_ended_total" + label));
        assertEquals(0, scraped.get("podcap_flows_active" + label));
        assertEquals(table.stats().packets(), scraped.get("podcap_flow_packets_total" + label));

        assertEquals(4, registry.get("podcap.probe.failures").tag("netns", "file").functionCounter().count());
        assertEquals(1, registry.get("podcap.probe.alerts").functionCounter().count());
        assertEquals(2, registry.get("podcap.probe.streams").gauge().value());
        assertEquals(12, registry.get("podcap.flows.ended").functionCounter().count());
    }
}
