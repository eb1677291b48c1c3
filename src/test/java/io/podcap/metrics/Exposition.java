package io.podcap.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format, for tests: samples keyed {@code name{labels}} as written. */
public final class Exposition {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? "
                    + "(NaN|[+-]Inf|-?[0-9.eE+-]+)");
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");

    private Exposition() {}

    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher meta = META.matcher(line);
            if (meta.matches()) {
                if (meta.group(1).equals("TYPE")
                        && types.put(meta.group(2), meta.group(3)) != null) {
                    throw new IllegalArgumentException("second TYPE for " + meta.group(2));
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample: '" + line + "'");
            }
            if (!types.containsKey(m.group(1))) {
                throw new IllegalArgumentException("sample before its TYPE: " + line);
            }
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            double v = switch (m.group(3)) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(m.group(3));
            };
            if (samples.put(key, v) != null) {
                throw new IllegalArgumentException("duplicate sample " + key);
            }
        }
        return samples;
    }
}
