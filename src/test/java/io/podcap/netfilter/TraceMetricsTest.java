package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podcap.decode.TcpFlags;
import io.podcap.metrics.Exposition;
import io.podcap.metrics.Metrics;
import io.podcap.metrics.PrometheusText;
import io.podcap.metrics.StatsSnapshot;
import io.podcap.metrics.TraceMetrics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The correlator's counters and findings as {@code podcap trace --metrics-port} serves them: snapshots taken on the
 * draining thread agree with the final report; the capture side's drops show once its batch has ended.
 */
class TraceMetricsTest {
    private static final long T0 = 1_700_000_000_000_000_000L;

    @Test
    void countersAndFindingsMatchTheReport() throws Exception {
        PacketCorrelator c = PacketCorrelator.builder().maxPackets(4).build();
        StatsSnapshot<CorrelatorStats> stats = new StatsSnapshot<>(c::stats);
        StatsSnapshot<Map<String, Long>> findings = new StatsSnapshot<>(() -> TraceMetrics.countByName(c.findings()));
        Metrics metrics = new Metrics();
        metrics.addAll(TraceMetrics.of(stats, findings, Map.of()));

        new KernelLogParser().parse("[ 1.0] x: IN= OUT=eth0 SRC=10.0.0.5 DST=10.96.0.1 LEN=60 TTL=64 ID=9 "
                + "PROTO=TCP SPT=40000 DPT=443 SYN URGP=0", c::onEvent); // logged, never captured
        // two other SYNs, a SYN sent twice with one sequence number and no answer, then two more than the 4 packets
        // the store holds (dropped); the logged packet, not captured, pushes the oldest out of the 4 kept (forgotten)
        other(c, T0, 0);
        other(c, T0, 1);
        c.onPacket(RawTcp.view(T0 + 1_000_000_000L, "10.0.0.1", 5000, "10.0.0.2", 80, 777, 1, TcpFlags.SYN, ""));
        c.onPacket(RawTcp.view(T0 + 2_000_000_000L, "10.0.0.1", 5000, "10.0.0.2", 80, 778, 1, TcpFlags.SYN, ""));
        other(c, T0 + 3_000_000_000L, 2);
        other(c, T0 + 3_000_000_000L, 3);
        stats.refresh();
        assertEquals(0, stats.get().packetsDropped(), "the capture's batch has not ended: nothing published yet");
        c.onBatchEnd();
        c.drain(Long.MAX_VALUE);
        stats.refresh();
        findings.refresh();
        Map<String, Double> scraped = Exposition.parse(PrometheusText.format(metrics.snapshot()));

        CorrelationReport r = c.finish();
        assertEquals(2, r.packetsDropped());
        assertEquals(r.packetsDropped(), scraped.get("podcap_trace_packets_dropped_total"));
        assertEquals(4, scraped.get("podcap_trace_packets_total"));
        assertEquals(1, r.packetsForgotten());
        assertEquals(r.packetsForgotten(), scraped.get("podcap_trace_packets_forgotten_total"));
        assertEquals(r.capturedWithoutEvents(), scraped.get("podcap_trace_packets_without_events_total"));
        assertEquals(1, r.eventsWithoutPacket());
        assertEquals(r.eventsWithoutPacket(), scraped.get("podcap_trace_events_without_packet_total"));
        assertEquals(r.eventsDropped(), scraped.get("podcap_trace_events_dropped_total"));
        assertEquals(1, r.findings().stream().filter(f -> f.name().equals("unanswered-syn")).count(), r::toString);
        assertEquals(1, scraped.get("podcap_trace_findings{finding=\"unanswered-syn\"}"));
        assertEquals(r.findings().size(), Finding.NAMES.stream()
                .mapToDouble(n -> scraped.get("podcap_trace_findings{finding=\"" + n + "\"}")).sum());
    }

    private static void other(PacketCorrelator c, long time, int i) throws Exception {
        c.onPacket(RawTcp.view(time, "10.0.0.3", 6000 + i, "10.0.0.4", 80, i, 1, TcpFlags.SYN, ""));
    }
}
