package io.podcap.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * One number podcap exposes, read only when an exporter asks (nothing is counted per packet for it). Names follow
 * Prometheus conventions: {@code podcap_<what>_<unit>}, counters end in {@code _total}. A value that is not known
 * (e.g. interface drops on {@code any}) reads as NaN.
 */
public record Metric(String name, String help, Kind kind, Map<String, String> labels, DoubleSupplier value) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public enum Kind { COUNTER, GAUGE }

    public Metric {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name " + name);
        }
        if (kind == Kind.COUNTER != name.endsWith("_total")) {
            throw new IllegalArgumentException("counter names and only they end in _total: " + name);
        }
        for (String label : labels.keySet()) {
            if (!NAME.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("bad label name " + label);
            }
        }
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels)); // sorted: exporters write them in order
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(value, "value");
    }

    public static Metric counter(String name, String help, Map<String, String> labels, DoubleSupplier value) {
        return new Metric(name, help, Kind.COUNTER, labels, value);
    }

    public static Metric gauge(String name, String help, Map<String, String> labels, DoubleSupplier value) {
        return new Metric(name, help, Kind.GAUGE, labels, value);
    }

    /** The current value. */
    public double read() {
        return value.getAsDouble();
    }
}
