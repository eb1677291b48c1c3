package io.podcap.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.podcap.capture.Capture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Registers podcap's {@link Metrics} with a Micrometer registry (Micrometer is an optional dependency: add
 * micrometer-core to use this class). Counters become {@link FunctionCounter}s and gauges {@link Gauge}s that read
 * the value when the registry publishes; metrics added to {@link Metrics} later are registered too. Names lose their
 * {@code _total} and take dots ({@code podcap.capture.packets}), which Micrometer's Prometheus registry turns back into
 * {@code podcap_capture_packets_total}. {@link #close()} removes the meters.
 *
 * <pre>{@code
 * PodcapMeterBinder binder = PodcapMeterBinder.of(capture);
 * binder.bindTo(meterRegistry);
 * }</pre>
 */
public final class PodcapMeterBinder implements MeterBinder, AutoCloseable {
    private final Metrics metrics;
    private final List<Registered> registered = new CopyOnWriteArrayList<>();

    private record Registered(MeterRegistry registry, Meter meter) {}

    public PodcapMeterBinder(Metrics metrics) {
        this.metrics = metrics;
    }

    /** A binder for one capture's counters (packets, bytes, kernel, interface and ring drops). */
    public static PodcapMeterBinder of(Capture capture) {
        Metrics metrics = new Metrics();
        metrics.addAll(CaptureMetrics.of(capture));
        return new PodcapMeterBinder(metrics);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        metrics.forEachNowAndLater(m -> registered.add(new Registered(registry, register(registry, m))));
    }

    /** The Micrometer name of a metric: {@code podcap_capture_packets_total} is {@code podcap.capture.packets}. */
    public static String meterName(Metric m) {
        String name = m.kind() == Metric.Kind.COUNTER ? m.name().substring(0, m.name().length() - 6) : m.name();
        return name.replace('_', '.');
    }

    // Micrometer holds a function counter's state object weakly: the function keeps the metric, so it lives as long as
    // the meter, whoever else forgets it.
    private static Meter register(MeterRegistry registry, Metric m) {
        String[] tags = tags(m.labels());
        if (m.kind() == Metric.Kind.COUNTER) {
            return FunctionCounter.builder(meterName(m), m, state -> m.read()).description(m.help()).tags(tags)
                    .register(registry);
        }
        return Gauge.builder(meterName(m), m, Metric::read).description(m.help()).tags(tags)
                .strongReference(true).register(registry);
    }

    private static String[] tags(Map<String, String> labels) {
        return labels.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
    }

    @Override
    public void close() {
        for (Registered r : registered) {
            r.registry().remove(r.meter());
        }
        registered.clear();
    }
}
