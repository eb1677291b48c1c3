package io.podcap.metrics;

import io.podcap.flow.FlowTableStats;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A {@code FlowTable}'s counters as metrics, read from a {@link StatsSnapshot} of its stats when asked. */
public final class FlowMetrics {
    private FlowMetrics() {}

    public static List<Metric> of(Supplier<FlowTableStats> stats, Map<String, String> labels) {
        return List.of(
                Metric.gauge("podcap_flows_active", "Flows in the table now", labels, () -> stats.get().live()),
                Metric.counter("podcap_flows_total", "Flows started", labels, () -> stats.get().flows()),
                Metric.counter("podcap_flows_ended_total", "Flows ended (closed, expired, evicted or at the end)",
                        labels, () -> stats.get().flows() - stats.get().live()),
                Metric.counter("podcap_flows_expired_total", "Flows ended by an idle or close timeout", labels,
                        () -> stats.get().expired()),
                Metric.counter("podcap_flows_evicted_total", "Flows pushed out because the table was full", labels,
                        () -> stats.get().evicted()),
                Metric.counter("podcap_flow_packets_total", "Packets offered to the flow table", labels,
                        () -> stats.get().packets()),
                Metric.counter("podcap_flow_unattributed_packets_total",
                        "Packets in no flow (not IP, cut before the ports, later fragments)", labels,
                        () -> stats.get().unattributed()),
                Metric.counter("podcap_flow_partial_packets_total",
                        "Packets in a flow but left out of TCP analysis (cut or bad header)", labels,
                        () -> stats.get().partial()));
    }
}
