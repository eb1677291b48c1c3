package io.podcap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podcap.probe.ProbeAlert;
import io.podcap.probe.ProbeFailure;
import io.podcap.probe.ProbeStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints probe streams (a table, or one JSON object per line) and alerts (a line, or {@code {"alert": ...}}). */
final class ProbePrinter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String ROW = "%-5s %-22s %-8s %-22s %-24s %8s %6s %6s %6s %6s %13s %13s  %s%n";

    private final PrintStream out;
    private final boolean json;

    ProbePrinter(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    synchronized void alert(ProbeAlert a) {
        out.println(json ? json(a) : "ALERT " + Instant.ofEpochSecond(0, a.timestampNanos()) + " " + a.message());
        out.flush();
    }

    synchronized void streams(List<ProbeStream> streams) {
        if (json) {
            streams.forEach(s -> out.println(json(s)));
        } else {
            out.printf(ROW, "KIND", "SOURCE", "ROLE", "TARGET", "PATH", "PERIOD_S", "COUNT", "OK", "FAIL", "MISSED",
                    "CONNECT_MS", "1ST_BYTE_MS", "DETAILS");
            for (ProbeStream s : streams) {
                out.printf(Locale.ROOT, ROW, s.kind().label(), s.source(), s.sourceRole().label(), s.target(),
                        s.path().isEmpty() ? "-" : s.path(),
                        s.periodNanos() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.periodSeconds()), s.count(),
                        s.successes(), s.failureCount(), s.missed(),
                        latency(s.connectMedianNanos(), s.connectMaxNanos()),
                        latency(s.firstByteMedianNanos(), s.firstByteMaxNanos()), details(s));
            }
        }
        out.flush();
    }

    /** {@code median/max} in milliseconds. */
    private static String latency(long median, long max) {
        return median < 0 ? "-" : String.format(Locale.ROOT, "%.2f/%.2f", median / 1e6, max / 1e6);
    }

    private static String details(ProbeStream s) {
        StringBuilder sb = new StringBuilder();
        if (!s.failures().isEmpty()) {
            sb.append("! ").append(failures(s.failures())).append("  ");
        }
        if (s.consecutiveFailures() > 0) {
            sb.append("failing ").append(s.consecutiveFailures()).append(" in a row  ");
        }
        if (s.series() > 1) {
            sb.append("series ").append(s.series()).append("  ");
        }
        if (s.userAgent() != null) {
            sb.append('"').append(s.userAgent()).append("\" ");
        }
        if (s.netns() != null) {
            sb.append('@').append(s.netns());
        }
        return sb.toString().trim();
    }

    private static String failures(Map<ProbeFailure, Long> f) {
        return f.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().label() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    static String json(ProbeStream s) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("kind", s.kind().label());
            g.writeStringField("source", s.source());
            g.writeStringField("source_role", s.sourceRole().label());
            g.writeStringField("target", s.target());
            g.writeStringField("path", s.path());
            g.writeStringField("user_agent", s.userAgent());
            g.writeStringField("kubelet_version", s.kubeletVersion());
            g.writeNumberField("series", s.series());
            if (s.periodNanos() < 0) {
                g.writeNullField("period_s");
            } else {
                g.writeNumberField("period_s", Math.round(s.periodNanos() / 1e6) / 1e3);
            }
            g.writeNumberField("count", s.count());
            g.writeNumberField("successes", s.successes());
            g.writeObjectFieldStart("failures");
            for (Map.Entry<ProbeFailure, Long> e : s.failures().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList()) {
                g.writeNumberField(e.getKey().label(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("consecutive_failures", s.consecutiveFailures());
            latency(g, "connect_ms", s.connectMedianNanos(), s.connectMaxNanos());
            latency(g, "first_byte_ms", s.firstByteMedianNanos(), s.firstByteMaxNanos());
            g.writeStringField("first_ts", Instant.ofEpochSecond(0, s.firstTimestampNanos()).toString());
            g.writeStringField("last_ts", Instant.ofEpochSecond(0, s.lastTimestampNanos()).toString());
            g.writeNumberField("missed", s.missed());
            g.writeStringField("netns", s.netns());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void latency(JsonGenerator g, String name, long median, long max) throws IOException {
        if (median < 0) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        g.writeNumberField("median", median / 1e6);
        g.writeNumberField("max", max / 1e6);
        g.writeEndObject();
    }

    static String json(ProbeAlert a) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("alert", a.failing() ? "failing" : "recovered");
            g.writeStringField("message", a.message());
            g.writeStringField("ts", Instant.ofEpochSecond(0, a.timestampNanos()).toString());
            g.writeStringField("kind", a.kind().label());
            g.writeStringField("source", a.source());
            g.writeStringField("target", a.target());
            g.writeStringField("path", a.path());
            g.writeNumberField("consecutive_failures", a.consecutiveFailures());
            g.writeStringField("reason", a.reason().label());
            g.writeStringField("netns", a.netns());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}
