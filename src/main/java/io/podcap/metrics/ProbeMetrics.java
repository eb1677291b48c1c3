package io.podcap.metrics;

import io.podcap.probe.ProbeDetectorStats;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A {@code ProbeDetector}'s counters as metrics, read from a {@link StatsSnapshot} of its stats when asked. */
public final class ProbeMetrics {
    private ProbeMetrics() {}

    public static List<Metric> of(Supplier<ProbeDetectorStats> stats, Map<String, String> labels) {
        return List.of(
                Metric.gauge("podcap_probe_streams", "Probe streams kept now (confirmed or not)", labels,
                        () -> stats.get().streams()),
                Metric.counter("podcap_probe_streams_evicted_total", "Probe streams dropped to make room", labels,
                        () -> stats.get().evicted()),
                Metric.counter("podcap_probe_connections_total", "Probe connections with an outcome", labels,
                        () -> stats.get().probes()),
                Metric.counter("podcap_probe_failures_total", "Probe connections that failed", labels,
                        () -> stats.get().failures()),
                Metric.counter("podcap_probe_alerts_total", "Failing alerts raised", labels,
                        () -> stats.get().alerts()),
                Metric.counter("podcap_probe_uninspected_total",
                        "Connection directions not inspected (every prefix buffer in use)", labels,
                        () -> stats.get().uninspected()),
                Metric.counter("podcap_probe_unparsed_total", "HTTP or gRPC requests or answers that did not parse",
                        labels, () -> stats.get().unparsed()));
    }
}
