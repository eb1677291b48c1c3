package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podcap.flow.FlowEnd;
import io.podcap.flow.FlowProblem;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowState;
import io.podcap.flow.Side;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The human table, written by hand, against the printf pattern of its header. */
class FlowPrinterTest {
    private static final String ROW = "%-5s %-24s %-24s %-10s %-12s %-8s %7s %9s %7s %9s %8s  %s%n";

    private static FlowRecord tcp(int ipVersion, String client, String server, long rttNanos, String netns,
                                  List<FlowProblem> problems) {
        return new FlowRecord(6, ipVersion, client, 40000, server, 80, 0, 0, 12, 3456, 7, 1_234_567_890L,
                FlowState.CLOSED, FlowEnd.CLOSED, rttNanos, 0, 2, Side.SERVER, Side.BOTH, 0, "eth0", netns, null,
                problems, 0);
    }

    @Test
    void rowsMatchThePrintfLayoutAndKeepNonAsciiText() {
        List<FlowRecord> records = List.of(
                tcp(4, "10.0.0.1", "10.0.0.2", 1_234_567, "netns:a", List.of()),
                tcp(6, "fd00::1", "fd00::2", -1, "netns:ü", List.of(FlowProblem.RESET_BY_SERVER,
                        FlowProblem.RETRANSMISSIONS)),
                tcp(4, "10.0.0.1", "10.0.0.2", 999_999_600, null, List.of()),
                new FlowRecord(1, 4, "10.0.0.3", -1, "10.0.0.4", -1, 0, 0, 1, 98, 1, 98, FlowState.ACTIVE,
                        FlowEnd.TIMEOUT, -1, 0, 0, null, null, 0, "if3", null, null, List.of(), 0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        FlowPrinter printer = new FlowPrinter(out, false);
        records.forEach(printer::print);
        printer.flush();

        String details = "retx=2 rst_from=server fin_from=both eth0";
        String expected = String.format(Locale.ROOT, ROW, "PROTO", "CLIENT", "SERVER", "ROLE", "STATE", "END",
                "C2S_PKT", "C2S_BYTES", "S2C_PKT", "S2C_BYTES", "RTT_MS", "DETAILS")
                + row("tcp", "10.0.0.1:40000", "10.0.0.2:80", "closed", "closed", 12, 3456, 7, 1_234_567_890L,
                        "1.235", details + "@netns:a")
                + row("tcp", "[fd00::1]:40000", "[fd00::2]:80", "closed", "closed", 12, 3456, 7, 1_234_567_890L,
                        "-", "! reset_by_server,retransmissions  " + details + "@netns:ü")
                + row("tcp", "10.0.0.1:40000", "10.0.0.2:80", "closed", "closed", 12, 3456, 7, 1_234_567_890L,
                        "1000.000", details)
                + row("icmp", "10.0.0.3", "10.0.0.4", "active", "timeout", 1, 98, 1, 98, "-", "if3");
        assertEquals(expected, bytes.toString(StandardCharsets.UTF_8));
    }

    private static String row(String proto, String client, String server, String state, String end, long c2sPackets,
                              long c2sBytes, long s2cPackets, long s2cBytes, String rtt, String details) {
        return String.format(Locale.ROOT, ROW, proto, client, server, "-", state, end, c2sPackets, c2sBytes,
                s2cPackets, s2cBytes, rtt, details);
    }
}
