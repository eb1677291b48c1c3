package io.podcap.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Prometheus text exposition format (version 0.0.4): HELP and TYPE once per name, then one line per series. */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    public static String format(List<Metric> metrics) {
        Map<String, List<Metric>> byName = new LinkedHashMap<>();
        for (Metric m : metrics) {
            byName.computeIfAbsent(m.name(), n -> new ArrayList<>()).add(m);
        }
        StringBuilder out = new StringBuilder(4096);
        byName.forEach((name, series) -> {
            Metric first = series.get(0);
            out.append("# HELP ").append(name).append(' ').append(escape(first.help(), false)).append('\n');
            out.append("# TYPE ").append(name).append(' ')
                    .append(first.kind() == Metric.Kind.COUNTER ? "counter" : "gauge").append('\n');
            series.forEach(m -> series(out, m));
        });
        return out.toString();
    }

    private static void series(StringBuilder out, Metric m) {
        out.append(m.name());
        if (!m.labels().isEmpty()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, String> l : m.labels().entrySet()) {
                out.append(first ? "" : ",").append(l.getKey()).append("=\"").append(escape(l.getValue(), true))
                        .append('"');
                first = false;
            }
            out.append('}');
        }
        out.append(' ').append(number(m.read())).append('\n');
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Backslash and newline always; double quotes in label values only, as the format says. */
    private static String escape(String s, boolean quotes) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '"' -> b.append(quotes ? "\\\"" : "\"");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
