package io.podcap.metrics;

import io.podcap.netfilter.CorrelatorStats;
import io.podcap.netfilter.Finding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@code PacketCorrelator}'s counters and findings as metrics, read from snapshots: {@code stats} of
 * {@code PacketCorrelator.stats()}, {@code findings} of {@code PacketCorrelator.findings()} counted by name (see
 * {@link #countByName}). Findings are a gauge: how many the packets kept now show, not a running total.
 */
public final class TraceMetrics {
    private TraceMetrics() {}

    public static List<Metric> of(Supplier<CorrelatorStats> stats, Supplier<Map<String, Long>> findings,
                                  Map<String, String> labels) {
        List<Metric> out = new ArrayList<>(List.of(
                Metric.counter("podcap_trace_packets_total", "Captured IP packets kept for correlation", labels,
                        () -> stats.get().packets()),
                Metric.counter("podcap_trace_packets_without_events_total",
                        "Captured packets no trace, log or conntrack event matched", labels,
                        () -> stats.get().withoutEvents()),
                Metric.counter("podcap_trace_events_without_packet_total", "Traced or logged packets not captured",
                        labels, () -> stats.get().withoutPacket()),
                Metric.counter("podcap_trace_packets_dropped_total", "Captured packets dropped: packet table full",
                        labels, () -> stats.get().packetsDropped()),
                Metric.counter("podcap_trace_packets_forgotten_total", "Correlated packets beyond the kept cap",
                        labels, () -> stats.get().packetsForgotten()),
                Metric.counter("podcap_trace_events_dropped_total", "Events and observations dropped beyond caps",
                        labels, () -> stats.get().eventsDropped()),
                Metric.counter("podcap_trace_not_ip_packets_total", "Captured packets that were not IP", labels,
                        () -> stats.get().packetsNotIp())));
        for (String name : Finding.NAMES) {
            Map<String, String> withName = new HashMap<>(labels);
            withName.put("finding", name);
            out.add(Metric.gauge("podcap_trace_findings", "Findings in the packets kept now, by name", withName,
                    () -> findings.get().getOrDefault(name, 0L)));
        }
        return out;
    }

    /** The findings' counts by name, what {@code findings} above supplies. */
    public static Map<String, Long> countByName(List<Finding> findings) {
        Map<String, Long> counts = new HashMap<>();
        findings.forEach(f -> counts.merge(f.name(), 1L, Long::sum));
        return Map.copyOf(counts);
    }
}
