package io.podcap.cli;

import io.podcap.decode.IpProtocol;
import io.podcap.flow.FlowRecord;
import io.podcap.probe.ProbeFlags;
import io.podcap.probe.SourceRole;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Prints flow records: a human table (problems marked with {@code !}) or one JSON object per line. */
final class FlowPrinter {
    private static final String ROW = "%-5s %-24s %-24s %-10s %-12s %-8s %7s %9s %7s %9s %8s  %s%n";

    private final PrintStream out;
    private final boolean json;
    private boolean headerPrinted;
    private static final String[] PROTO_NAMES = new String[256]; // lower case, made on first use
    private final StringBuilder row = new StringBuilder(256);
    private final FlowJson jsonWriter = new FlowJson();
    private byte[] bytes = new byte[256];

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
            printJson(r, false);
            return;
        }
        if (!headerPrinted) {
            out.printf(ROW, "PROTO", "CLIENT", "SERVER", "ROLE", "STATE", "END", "C2S_PKT", "C2S_BYTES",
                    "S2C_PKT", "S2C_BYTES", "RTT_MS", "DETAILS");
            headerPrinted = true;
        }
        // By hand into bytes, not printf and a PrintStream's encoder: a busy node ends thousands of flows a second.
        StringBuilder b = row;
        b.setLength(0);
        left(b, proto(r.protocol()), 5);
        int at = b.length();
        r.appendClient(b);
        padFrom(b, at, 24);
        at = b.length();
        r.appendServer(b);
        padFrom(b, at, 24);
        left(b, role(r), 10);
        left(b, r.state().label(), 12);
        left(b, r.end().label(), 8);
        right(b, r.c2sPackets(), 7);
        right(b, r.c2sBytes(), 9);
        right(b, r.s2cPackets(), 7);
        right(b, r.s2cBytes(), 9);
        long rtt = r.handshakeRttNanos();
        if (rtt < 0) {
            pad(b, 7);
            b.append("- ");
        } else {
            long micros = (rtt + 500) / 1000; // as %.3f prints milliseconds
            pad(b, 8 - digits(micros / 1000) - 4);
            b.append(micros / 1000).append('.');
            pad(b, 3 - digits(micros % 1000), '0');
            b.append(micros % 1000).append(' ');
        }
        b.append(' ');
        details(b, r);
        b.append('\n');
        write(b);
    }

    private void printJson(FlowRecord r, boolean snapshot) {
        row.setLength(0);
        jsonWriter.append(row, r, snapshot);
        write(row.append('\n'));
    }

    /** {@code b} as bytes: ASCII as is (nearly always), anything else through the stream's UTF-8 encoder. */
    private void write(StringBuilder b) {
        int n = b.length();
        if (bytes.length < n) {
            bytes = new byte[Math.max(n, 2 * bytes.length)];
        }
        for (int i = 0; i < n; i++) {
            char c = b.charAt(i);
            if (c >= 0x80) {
                out.append(b);
                return;
            }
            bytes[i] = (byte) c;
        }
        out.write(bytes, 0, n);
    }

    private static void left(StringBuilder b, String s, int width) {
        int at = b.length();
        b.append(s);
        padFrom(b, at, width);
    }

    private static void right(StringBuilder b, long n, int width) {
        pad(b, width - digits(n));
        b.append(n).append(' ');
    }

    private static void pad(StringBuilder b, int n) {
        pad(b, n, ' ');
    }

    private static void pad(StringBuilder b, int n, char c) {
        for (int i = 0; i < n; i++) {
            b.append(c);
        }
    }

    /** Decimal digits of a count (0 or more). */
    private static int digits(long n) {
        int d = 1;
        for (long x = n; x >= 10; x /= 10) {
            d++;
        }
        return d;
    }

    /** Left-aligns in {@code width} what was appended to {@code b} from {@code at} on, then a space. */
    private static void padFrom(StringBuilder b, int at, int width) {
        pad(b, width - (b.length() - at));
        b.append(' ');
    }

    /** A periodic snapshot of the live flows. */
    synchronized void snapshot(List<FlowRecord> live, long nowNanos) {
        if (json) {
            for (FlowRecord r : live) {
                printJson(r, true);
            }
        } else {
            out.printf("-- %s: %d live flows%n", Instant.ofEpochSecond(0, nowNanos), live.size());
            headerPrinted = false;
            live.forEach(this::print);
            out.println("--");
        }
        out.flush();
    }

    private static void details(StringBuilder sb, FlowRecord r) {
        if (!r.problems().isEmpty()) {
            sb.append("! ");
            for (int i = 0; i < r.problems().size(); i++) {
                sb.append(i == 0 ? "" : ",").append(r.problems().get(i).label());
            }
            sb.append("  ");
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
    }

    /** The client's role; {@code kubelet} marks probe connections. */
    private static String role(FlowRecord r) {
        SourceRole role = ProbeFlags.role(r.flags());
        return role == null ? "-" : role.label();
    }

    static String proto(int protocol) {
        String name = PROTO_NAMES[protocol & 0xff];
        if (name == null) {
            name = IpProtocol.name(protocol).toLowerCase(Locale.ROOT);
            PROTO_NAMES[protocol & 0xff] = name;
        }
        return name;
    }
}
