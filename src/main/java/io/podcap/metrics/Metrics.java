package io.podcap.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The metrics of one process: each command or embedder adds the counters of what it runs (a capture's, and flows',
 * probes' or trace's), exporters ({@link MetricsServer}, {@link PodcapMeterBinder}) read them. Thread-safe.
 */
public final class Metrics {
    private final List<Metric> metrics = new ArrayList<>();
    private final List<Consumer<Metric>> listeners = new ArrayList<>();

    /** Adds metrics; the same name with the same labels twice is an error. */
    public synchronized void addAll(Collection<Metric> added) {
        for (Metric m : added) {
            if (metrics.stream().anyMatch(o -> o.name().equals(m.name()) && o.labels().equals(m.labels()))) {
                throw new IllegalArgumentException("metric " + m.name() + m.labels() + " is already registered");
            }
        }
        for (Metric m : added) {
            metrics.add(m);
            listeners.forEach(l -> l.accept(m));
        }
    }

    public synchronized void removeAll(Collection<Metric> removed) {
        metrics.removeAll(removed);
    }

    /** The metrics now, in the order they were added. */
    public synchronized List<Metric> snapshot() {
        return List.copyOf(metrics);
    }

    /** Calls {@code listener} for every metric there is and every one added later. */
    synchronized void forEachNowAndLater(Consumer<Metric> listener) {
        metrics.forEach(listener);
        listeners.add(listener);
    }
}
