package io.podcap.cli;

import io.podcap.flow.FlowProblem;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.Side;
import io.podcap.probe.ProbeFlags;
import io.podcap.probe.SourceRole;
import java.time.Instant;
import java.util.List;

/**
 * A flow record as one JSON object, appended by hand: what a JSON library would write (fields in this order, strings
 * escaped as Jackson does, instants as {@link Instant#toString()}) without a generator, a writer and two formatted
 * instants per flow. One instance per printer: it remembers the last minute it formatted.
 */
final class FlowJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private long minute = Long.MIN_VALUE;
    private String minutePrefix; // "2026-12-03T04:07:" of that minute

    void append(LineBuffer b, FlowRecord r, boolean snapshot) {
        b.append("{\"proto\":");
        string(b, FlowPrinter.proto(r.protocol()));
        b.append(",\"client\":\"");
        FlowPrinter.endpoint(b, r, true); // addresses and ports: nothing to escape
        b.append("\",\"server\":\"");
        FlowPrinter.endpoint(b, r, false);
        b.append("\",\"first_ts\":\"");
        instant(b, r.firstTimestampNanos());
        b.append("\",\"last_ts\":\"");
        instant(b, r.lastTimestampNanos());
        b.append("\",\"c2s_packets\":").append(r.c2sPackets());
        b.append(",\"c2s_bytes\":").append(r.c2sBytes());
        b.append(",\"s2c_packets\":").append(r.s2cPackets());
        b.append(",\"s2c_bytes\":").append(r.s2cBytes());
        b.append(",\"state\":");
        string(b, r.state().label());
        b.append(",\"end\":");
        string(b, r.end().label());
        b.append(",\"handshake_rtt_ms\":");
        if (r.handshakeRttNanos() >= 0) {
            millis(b, r.handshakeRttNanos());
        } else {
            b.append("null");
        }
        b.append(",\"syn_retransmits\":").append(r.synRetransmits());
        b.append(",\"retransmits\":").append(r.retransmits());
        b.append(",\"rst_from\":");
        side(b, r.rstFrom());
        b.append(",\"fin_from\":");
        side(b, r.finFrom());
        b.append(",\"zero_window\":").append(r.zeroWindow());
        b.append(",\"iface\":");
        string(b, r.iface());
        b.append(",\"netns\":");
        string(b, r.netns());
        b.append(",\"http_request\":");
        string(b, r.httpRequest());
        b.append(",\"problems\":[");
        List<FlowProblem> problems = r.problems();
        for (int i = 0; i < problems.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, problems.get(i).label());
        }
        SourceRole role = ProbeFlags.role(r.flags());
        b.append("],\"source_role\":");
        string(b, role == null ? null : role.label());
        b.append(",\"probe\":").append(ProbeFlags.isProbe(r.flags()) ? "true" : "false");
        if (snapshot) {
            b.append(",\"snapshot\":true");
        }
        b.append('}');
    }

    private static void side(LineBuffer b, Side side) {
        string(b, side == null ? null : side.label());
    }

    /** A JSON string, or null: quote, backslash and control characters escaped, the rest as is (in UTF-8). */
    static void string(LineBuffer b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { // a run of non-ASCII characters, encoded together (a surrogate pair stays whole)
                int end = i + 1;
                while (end < n && s.charAt(end) >= 0x80) {
                    end++;
                }
                b.utf8(s, i, end);
                i = end - 1;
            } else if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20) {
                b.append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\b') {
                b.append("\\b");
            } else if (c == '\f') {
                b.append("\\f");
            } else {
                b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        b.append('"');
    }

    /**
     * {@code nanos} in milliseconds as {@link Double#toString(double)} writes {@code nanos / 1e6}, without it: from 1 ns
     * to 10^7 ms (where its E notation for large values starts) that quotient's shortest decimal is the digits of
     * {@code nanos} less their trailing zeros.
     */
    static void millis(LineBuffer b, long nanos) {
        if (nanos <= 0 || nanos >= 10_000_000_000_000L) {
            b.append(Double.toString(nanos / 1e6));
            return;
        }
        long mantissa = nanos;
        int exponent = -6; // nanos ms = mantissa * 10^exponent
        while (mantissa % 10 == 0) {
            mantissa /= 10;
            exponent++;
        }
        int count = LineBuffer.digits(mantissa);
        int point = count + exponent; // digits before the decimal point
        if (nanos < 1000) { // under 10^-3 ms: d.ddd E-n
            long rest = pow10(count - 1);
            b.append((char) ('0' + mantissa / rest)).append('.');
            if (count == 1) {
                b.append('0');
            } else {
                b.append(mantissa % rest, count - 1);
            }
            b.append("E-").append(1 - point);
        } else if (point <= 0) { // 0.00ddd
            b.append("0.").repeat('0', -point).append(mantissa);
        } else if (exponent >= 0) { // a whole number
            b.append(mantissa).repeat('0', exponent).append(".0");
        } else {
            long p = pow10(-exponent);
            b.append(mantissa / p).append('.').append(mantissa % p, -exponent);
        }
    }

    /** As {@link Instant#toString()}: the minute's text made once a minute, then seconds and 0, 3, 6 or 9 digits. */
    void instant(LineBuffer b, long epochNanos) {
        long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
        int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
        long m = Math.floorDiv(seconds, 60);
        if (m != minute) {
            String text = Instant.ofEpochSecond(m * 60).toString(); // ...T04:07:00Z
            minutePrefix = text.substring(0, text.length() - 3);
            minute = m;
        }
        b.append(minutePrefix);
        int second = (int) (seconds - m * 60);
        b.append((char) ('0' + second / 10)).append((char) ('0' + second % 10));
        if (nanos != 0) {
            int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
            int value = digits == 3 ? nanos / 1_000_000 : digits == 6 ? nanos / 1000 : nanos;
            b.append('.');
            for (int d = digits - 1, p = (int) pow10(d); d >= 0; d--, p /= 10) {
                b.append((char) ('0' + value / p % 10));
            }
        }
        b.append('Z');
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
