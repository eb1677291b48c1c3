package io.podcap.cli;

import io.podcap.decode.IpProtocol;
import io.podcap.flow.FlowRecord;
import io.podcap.probe.ProbeFlags;
import io.podcap.probe.SourceRole;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Prints flow records: a human table (problems marked with {@code !}) or one JSON object per line. Not thread-safe: the
 * command calls it from its {@link FlowPrintThread}.
 */
final class FlowPrinter {
    private static final String ROW = "%-5s %-24s %-24s %-10s %-12s %-8s %7s %9s %7s %9s %8s  %s%n";

    private final PrintStream out;
    private final boolean json;
    private boolean headerPrinted;
    private static final String[] PROTO_NAMES = new String[256]; // lower case, made on first use
    private static final int WRITE_AT = 1 << 15;
    // lines not yet written, out in writes of about WRITE_AT; room for more from the start, as a buffer that grows
    // while real flows are printed would throw away the printing code compiled during the warm-up
    private final LineBuffer lines = new LineBuffer(2 * WRITE_AT);
    private final FlowJson jsonWriter = new FlowJson();

    /** Output reaches the reader at {@link #flush()}: live, the command flushes a few times a second. */
    FlowPrinter(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void flush() {
        drain();
        out.flush();
    }

    void print(FlowRecord r) {
        if (json) {
            printJson(r, false);
        } else {
            printRow(r);
        }
    }

    // Apart from print(), so that the JIT compiling print() for one format does not compile the other's code with it:
    // the AOT cache's training profiles (`podcap train`) have seen both.
    private void printRow(FlowRecord r) {
        if (!headerPrinted) {
            drain();
            out.printf(ROW, "PROTO", "CLIENT", "SERVER", "ROLE", "STATE", "END", "C2S_PKT", "C2S_BYTES",
                    "S2C_PKT", "S2C_BYTES", "RTT_MS", "DETAILS");
            headerPrinted = true;
        }
        // By hand into bytes, not printf and a PrintStream's encoder: a busy node ends thousands of flows a second.
        LineBuffer b = lines;
        left(b, proto(r.protocol()), 5);
        int at = b.length();
        endpoint(b, r, true);
        padFrom(b, at, 24);
        at = b.length();
        endpoint(b, r, false);
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
            b.repeat(' ', 7).append("- ");
        } else {
            long micros = (rtt + 500) / 1000; // as %.3f prints milliseconds
            b.repeat(' ', 8 - LineBuffer.digits(micros / 1000) - 4).append(micros / 1000).append('.');
            b.append(micros % 1000, 3).append(' ');
        }
        b.append(' ');
        details(b, r);
        endLine();
    }

    private void printJson(FlowRecord r, boolean snapshot) {
        jsonWriter.append(lines, r, snapshot);
        endLine();
    }

    private void endLine() {
        lines.append('\n');
        if (lines.length() >= WRITE_AT) {
            drain();
        }
    }

    private void drain() {
        lines.writeTo(out);
        lines.clear();
    }

    private static void left(LineBuffer b, String s, int width) {
        int at = b.length();
        b.append(s);
        padFrom(b, at, width);
    }

    /** {@link FlowRecord#client()} or {@link FlowRecord#server()}, appended without making the string. */
    static void endpoint(LineBuffer b, FlowRecord r, boolean client) {
        String address = client ? r.clientAddress() : r.serverAddress();
        int port = client ? r.clientPort() : r.serverPort();
        if (port < 0) {
            b.append(address);
        } else if (r.ipVersion() == 6) {
            b.append('[').append(address).append("]:").append(port);
        } else {
            b.append(address).append(':').append(port);
        }
    }

    private static void right(LineBuffer b, long n, int width) {
        b.repeat(' ', width - LineBuffer.digits(n)).append(n).append(' ');
    }

    /** Left-aligns in {@code width} what was appended to {@code b} from {@code at} on (ASCII), then a space. */
    private static void padFrom(LineBuffer b, int at, int width) {
        b.repeat(' ', width - (b.length() - at)).append(' ');
    }

    /** A periodic snapshot of the live flows. */
    void snapshot(List<FlowRecord> live, long nowNanos) {
        if (json) {
            for (FlowRecord r : live) {
                printJson(r, true);
            }
        } else {
            drain();
            out.printf("-- %s: %d live flows%n", Instant.ofEpochSecond(0, nowNanos), live.size());
            headerPrinted = false;
            live.forEach(this::print);
            drain();
            out.println("--");
        }
        flush();
    }

    private static void details(LineBuffer b, FlowRecord r) {
        if (!r.problems().isEmpty()) {
            b.append("! ");
            for (int i = 0; i < r.problems().size(); i++) {
                b.append(i == 0 ? "" : ",").append(r.problems().get(i).label());
            }
            b.append("  ");
        }
        if (r.synRetransmits() > 0) {
            b.append("syn_retx=").append(r.synRetransmits()).append(' ');
        }
        if (r.retransmits() > 0) {
            b.append("retx=").append(r.retransmits()).append(' ');
        }
        if (r.zeroWindow() > 0) {
            b.append("zero_window=").append(r.zeroWindow()).append(' ');
        }
        if (r.rstFrom() != null) {
            b.append("rst_from=").append(r.rstFrom().label()).append(' ');
        }
        if (r.finFrom() != null) {
            b.append("fin_from=").append(r.finFrom().label()).append(' ');
        }
        b.utf8(r.iface());
        if (r.netns() != null) {
            b.append('@').utf8(r.netns());
        }
        if (r.httpRequest() != null) {
            b.append("  \"").utf8(r.httpRequest()).append('"');
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
