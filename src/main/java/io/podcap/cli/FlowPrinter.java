package io.podcap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podcap.decode.IpProtocol;
import io.podcap.flow.FlowProblem;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.Side;
import io.podcap.probe.ProbeFlags;
import io.podcap.probe.SourceRole;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints flow records: a human table (problems marked with {@code !}) or one JSON object per line. */
final class FlowPrinter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String ROW = "%-5s %-24s %-24s %-10s %-12s %-8s %7s %9s %7s %9s %8s  %s%n";

    private final PrintStream out;
    private final boolean json;
    private boolean headerPrinted;
    private final StringBuilder row = new StringBuilder(256);

    /** Output reaches the reader at {@link #flush()}: live, the command flushes a few times a second. */
    FlowPrinter(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    synchronized void flush() {
        out.flush();
    }

    synchronized void print(FlowRecord r) {
        if (json) {
            out.println(json(r, false));
            return;
        }
        if (!headerPrinted) {
            out.printf(ROW, "PROTO", "CLIENT", "SERVER", "ROLE", "STATE", "END", "C2S_PKT", "C2S_BYTES",
                    "S2C_PKT", "S2C_BYTES", "RTT_MS", "DETAILS");
            headerPrinted = true;
        }
        // By hand, not printf: a busy node ends thousands of flows a second, and Formatter parses its pattern each time.
        StringBuilder b = row;
        b.setLength(0);
        left(b, proto(r.protocol()), 5);
        left(b, r.client(), 24);
        left(b, r.server(), 24);
        left(b, role(r), 10);
        left(b, r.state().label(), 12);
        left(b, r.end().label(), 8);
        right(b, Long.toString(r.c2sPackets()), 7);
        right(b, Long.toString(r.c2sBytes()), 9);
        right(b, Long.toString(r.s2cPackets()), 7);
        right(b, Long.toString(r.s2cBytes()), 9);
        right(b, r.handshakeRttNanos() < 0 ? "-" : millis(r.handshakeRttNanos()), 8);
        b.append(' ').append(details(r)).append('\n');
        out.append(b);
    }

    private static void left(StringBuilder b, String s, int width) {
        b.append(s);
        for (int i = s.length(); i < width; i++) {
            b.append(' ');
        }
        b.append(' ');
    }

    private static void right(StringBuilder b, String s, int width) {
        for (int i = s.length(); i < width; i++) {
            b.append(' ');
        }
        b.append(s).append(' ');
    }

    /** Nanoseconds as milliseconds with three decimals, as %.3f would print them. */
    static String millis(long nanos) {
        long micros = (nanos + 500) / 1000;
        String frac = Long.toString(1000 + micros % 1000);
        return micros / 1000 + "." + frac.substring(1);
    }

    /** A periodic snapshot of the live flows. */
    synchronized void snapshot(List<FlowRecord> live, long nowNanos) {
        if (json) {
            for (FlowRecord r : live) {
                out.println(json(r, true));
            }
        } else {
            out.printf("-- %s: %d live flows%n", Instant.ofEpochSecond(0, nowNanos), live.size());
            headerPrinted = false;
            live.forEach(this::print);
            out.println("--");
        }
        out.flush();
    }

    private static String details(FlowRecord r) {
        StringBuilder sb = new StringBuilder();
        if (!r.problems().isEmpty()) {
            sb.append("! ").append(r.problems().stream().map(FlowProblem::label).collect(Collectors.joining(",")))
                    .append("  ");
        }
        if (r.synRetransmits() > 0) {
            sb.append("syn_retx=").append(r.synRetransmits()).append(' ');
        }
        if (r.retransmits() > 0) {
            sb.append("retx=").append(r.retransmits()).append(' ');
        }
        if (r.zeroWindow() > 0) {
            sb.append("zero_window=").append(r.zeroWindow()).append(' ');
        }
        if (r.rstFrom() != null) {
            sb.append("rst_from=").append(r.rstFrom().label()).append(' ');
        }
        if (r.finFrom() != null) {
            sb.append("fin_from=").append(r.finFrom().label()).append(' ');
        }
        sb.append(r.iface());
        if (r.netns() != null) {
            sb.append('@').append(r.netns());
        }
        if (r.httpRequest() != null) {
            sb.append("  \"").append(r.httpRequest()).append('"');
        }
        return sb.toString();
    }

    /** The client's role; {@code kubelet} marks probe connections. */
    private static String role(FlowRecord r) {
        SourceRole role = ProbeFlags.role(r.flags());
        return role == null ? "-" : role.label();
    }

    static String proto(int protocol) {
        return IpProtocol.name(protocol).toLowerCase(Locale.ROOT);
    }

    static String json(FlowRecord r, boolean snapshot) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("proto", proto(r.protocol()));
            g.writeStringField("client", r.client());
            g.writeStringField("server", r.server());
            g.writeStringField("first_ts", Instant.ofEpochSecond(0, r.firstTimestampNanos()).toString());
            g.writeStringField("last_ts", Instant.ofEpochSecond(0, r.lastTimestampNanos()).toString());
            g.writeNumberField("c2s_packets", r.c2sPackets());
            g.writeNumberField("c2s_bytes", r.c2sBytes());
            g.writeNumberField("s2c_packets", r.s2cPackets());
            g.writeNumberField("s2c_bytes", r.s2cBytes());
            g.writeStringField("state", r.state().label());
            g.writeStringField("end", r.end().label());
            if (r.handshakeRttNanos() >= 0) {
                g.writeNumberField("handshake_rtt_ms", r.handshakeRttNanos() / 1e6);
            } else {
                g.writeNullField("handshake_rtt_ms");
            }
            g.writeNumberField("syn_retransmits", r.synRetransmits());
            g.writeNumberField("retransmits", r.retransmits());
            side(g, "rst_from", r.rstFrom());
            side(g, "fin_from", r.finFrom());
            g.writeNumberField("zero_window", r.zeroWindow());
            g.writeStringField("iface", r.iface());
            g.writeStringField("netns", r.netns());
            g.writeStringField("http_request", r.httpRequest());
            g.writeArrayFieldStart("problems");
            for (FlowProblem p : r.problems()) {
                g.writeString(p.label());
            }
            g.writeEndArray();
            SourceRole role = ProbeFlags.role(r.flags());
            g.writeStringField("source_role", role == null ? null : role.label());
            g.writeBooleanField("probe", ProbeFlags.isProbe(r.flags()));
            if (snapshot) {
                g.writeBooleanField("snapshot", true);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void side(JsonGenerator g, String name, Side side) throws IOException {
        if (side == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, side.label());
        }
    }
}
