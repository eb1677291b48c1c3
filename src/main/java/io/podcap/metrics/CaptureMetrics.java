package io.podcap.metrics;

import io.podcap.capture.Capture;
import io.podcap.capture.CaptureStats;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/** A capture's counters as metrics, read from {@link Capture#stats()} when asked, labelled with netns and iface. */
public final class CaptureMetrics {
    private CaptureMetrics() {}

    public static List<Metric> of(Capture capture) {
        return of(capture, Map.of("netns", capture.namespace().label(), "iface", capture.device()));
    }

    public static List<Metric> of(Capture capture, Map<String, String> labels) {
        return of(capture::stats, labels);
    }

    /** The six counters of whatever {@code stats} reads, e.g. a {@code CaptureGroup.Member}'s. */
    public static List<Metric> of(Supplier<CaptureStats> stats, Map<String, String> labels) {
        return List.of(
                counter(stats, labels, "podcap_capture_received_packets_total",
                        "Packets the kernel socket received (after the BPF filter)", CaptureStats::received),
                counter(stats, labels, "podcap_capture_packets_total",
                        "Packets delivered through the shared ring", CaptureStats::delivered),
                counter(stats, labels, "podcap_capture_bytes_total",
                        "Wire bytes of the delivered packets", CaptureStats::bytes),
                counter(stats, labels, "podcap_capture_kernel_dropped_packets_total",
                        "Packets the kernel dropped (socket buffer full)", CaptureStats::kernelDropped),
                counter(stats, labels, "podcap_capture_interface_dropped_packets_total",
                        "Packets the interface dropped (NaN when unknown, e.g. on any)", CaptureStats::interfaceDropped),
                counter(stats, labels, "podcap_capture_ring_dropped_packets_total",
                        "Packets dropped because the shared ring was full", CaptureStats::ringDropped));
    }

    private static Metric counter(Supplier<CaptureStats> stats, Map<String, String> labels, String name, String help,
                                  ToLongFunction<CaptureStats> field) {
        return Metric.counter(name, help, labels, () -> {
            long v = field.applyAsLong(stats.get());
            return v < 0 ? Double.NaN : v; // -1: unknown
        });
    }
}
