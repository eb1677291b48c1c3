package io.podcap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podcap.netfilter.CorrelationReport;
import io.podcap.netfilter.Finding;
import io.podcap.netfilter.LogEvent;
import io.podcap.netfilter.TraceHop;
import io.podcap.netfilter.TracedPacket;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Prints a correlation as it goes: per packet its hops, logs, NAT and marks; at the end the findings and counters.
 * Or JSON, one object a line.
 */
final class TraceOutput {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS")
            .withZone(ZoneId.systemDefault());
    private static final JsonFactory JSON = new JsonFactory();

    private final PrintStream out;
    private final boolean json;

    TraceOutput(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void packets(List<TracedPacket> packets) throws IOException {
        for (TracedPacket p : packets) {
            if (json) {
                out.println(line(g -> packet(g, p)));
            } else {
                human(p);
            }
        }
        out.flush();
    }

    void end(CorrelationReport report) throws IOException {
        if (json) {
            json(report);
        } else {
            human(report);
        }
        out.flush();
    }

    private void human(TracedPacket p) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.timeNanos() > 0 ? TIME.format(instant(p.timeNanos())) : "--:--:--.------").append(' ');
        if (p.captured()) {
            sb.append(p.direction() == null ? "" : p.direction() + " ").append(p.iface() == null ? "" : p.iface())
                    .append(' ');
        } else {
            sb.append("(not captured) ");
        }
        sb.append(p.summary());
        if (p.ipId() >= 0) {
            sb.append("  id ").append(p.ipId());
        }
        if (p.seq() >= 0) {
            sb.append(" seq ").append(p.seq());
        }
        out.println(sb);
        for (TraceHop h : p.hops()) {
            String comment = h.comment();
            out.println("    " + h.label() + (comment == null ? "" : " [" + comment + "]")
                    + (h.ruleText() == null ? "" : "   " + h.ruleText()));
        }
        for (LogEvent l : p.logs()) {
            out.println("    " + l.source().label() + (l.prefix() == null || l.prefix().isEmpty() ? ""
                    : " \"" + l.prefix() + "\"") + (l.hook() == null ? "" : " at " + l.hook())
                    + (l.packet().mark() > 0 ? " mark 0x" + Long.toHexString(l.packet().mark()) : ""));
        }
        if (p.nat() != null) {
            out.println("    NAT " + p.nat());
        }
        if (p.in() != null || p.out() != null || !p.marks().isEmpty()) {
            out.println("    in " + dash(p.in()) + " out " + dash(p.out()) + (p.marks().isEmpty() ? ""
                    : " marks " + p.marks().stream().map(m -> "0x" + Long.toHexString(m)).toList()));
        }
        if (p.captured() && p.hops().isEmpty() && p.logs().isEmpty()) {
            out.println("    (no trace or log record)");
        }
    }

    private void human(CorrelationReport report) {
        for (Finding f : report.findings()) {
            out.println();
            out.println("FINDING " + f.name() + "  " + f.subject());
            f.evidence().forEach(e -> out.println("    - " + e));
            out.println("    hint: " + f.hint());
        }
        if (report.findings().isEmpty()) {
            out.println();
            out.println("no findings");
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    private void json(CorrelationReport report) throws IOException {
        for (Finding f : report.findings()) {
            out.println(line(g -> {
                g.writeStringField("type", "finding");
                g.writeStringField("name", f.name());
                g.writeStringField("subject", f.subject().toString());
                g.writeArrayFieldStart("evidence");
                for (String e : f.evidence()) {
                    g.writeString(e);
                }
                g.writeEndArray();
                g.writeStringField("hint", f.hint());
            }));
        }
        out.println(line(g -> {
            g.writeStringField("type", "stats");
            g.writeNumberField("packets", report.packets().stream().filter(TracedPacket::captured).count());
            g.writeNumberField("capturedWithoutEvents", report.capturedWithoutEvents());
            g.writeNumberField("eventsWithoutPacket", report.eventsWithoutPacket());
            g.writeNumberField("packetsDropped", report.packetsDropped());
            g.writeNumberField("packetsForgotten", report.packetsForgotten());
            g.writeNumberField("eventsDropped", report.eventsDropped());
            g.writeNumberField("packetsNotIp", report.packetsNotIp());
        }));
    }

    private static void packet(JsonGenerator g, TracedPacket p) throws IOException {
        g.writeStringField("type", "packet");
        g.writeNumberField("timeNanos", p.timeNanos());
        g.writeBooleanField("captured", p.captured());
        g.writeStringField("iface", p.iface());
        g.writeStringField("direction", p.direction());
        g.writeStringField("summary", p.summary());
        g.writeNumberField("protocol", p.tuple().protocol());
        g.writeStringField("src", p.tuple().src());
        g.writeNumberField("srcPort", p.tuple().srcPort());
        g.writeStringField("dst", p.tuple().dst());
        g.writeNumberField("dstPort", p.tuple().dstPort());
        g.writeNumberField("ipId", p.ipId());
        g.writeNumberField("seq", p.seq());
        g.writeArrayFieldStart("hops");
        for (TraceHop h : p.hops()) {
            g.writeStartObject();
            g.writeStringField("source", h.source().label());
            g.writeStringField("table", h.table());
            g.writeStringField("chain", h.chain());
            g.writeStringField("kind", h.kind());
            g.writeStringField("rule", h.rule());
            g.writeStringField("verdict", h.verdict());
            g.writeStringField("ruleText", h.ruleText());
            g.writeStringField("comment", h.comment());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("logs");
        for (LogEvent l : p.logs()) {
            g.writeStartObject();
            g.writeStringField("source", l.source().label());
            g.writeStringField("prefix", l.prefix());
            g.writeStringField("hook", l.hook());
            g.writeNumberField("mark", l.packet().mark());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (p.nat() != null) {
            g.writeObjectFieldStart("nat");
            g.writeStringField("kind", p.nat().kind());
            g.writeStringField("before", p.nat().before().toString());
            g.writeStringField("after", p.nat().after().toString());
            g.writeStringField("evidence", p.nat().evidence());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("marks");
        for (long m : p.marks()) {
            g.writeString("0x" + Long.toHexString(m));
        }
        g.writeEndArray();
        g.writeStringField("in", p.in());
        g.writeStringField("out", p.out());
        g.writeBooleanField("kubeProbe", p.kubeProbe());
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String line(Body body) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        }
        return w.toString();
    }
}
