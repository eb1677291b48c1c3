package io.podcap.netfilter;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel log lines of the LOG target and of legacy (iptables-legacy) TRACE, in the forms users have them: bare dmesg
 * ({@code [  139.648051] prefix: IN=...}), {@code /dev/kmsg} records ({@code 4,1234,139648051,-;prefix: IN=...}),
 * syslog and {@code journalctl -k} ({@code Feb 28 16:48:11 host kernel: ...}, also ISO timestamps). Other lines are
 * skipped and counted.
 *
 * <p>Kernel timestamps count from boot; with {@code bootEpochNanos} (the wall-clock time of boot) they become epoch
 * times, else events carry no time unless the line has an ISO wall-clock timestamp.
 */
public final class KernelLogParser extends LineParser {
    // LOG always starts its fields with IN= then OUT=; the prefix is whatever comes before (it may end without a space)
    private static final Pattern FIELDS = Pattern.compile("IN=\\S*\\s+OUT=");
    private static final Pattern KMSG = Pattern.compile("^\\d+,\\d+,(\\d+),[^;]*;");
    private static final Pattern BRACKET_TIME = Pattern.compile("^\\[\\s*(\\d+)\\.(\\d+)]\\s?");
    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT);
    private static final Pattern LEGACY_TRACE = Pattern.compile("^TRACE: ([^:\\s]+):([^:\\s]+):([a-z]+):(\\d+)\\s*");

    private final long bootEpochNanos;

    /** A parser that leaves boot-relative times unknown. */
    public KernelLogParser() {
        this(-1);
    }

    /** @param bootEpochNanos wall-clock time of boot in epoch nanoseconds, or -1 when unknown */
    public KernelLogParser(long bootEpochNanos) {
        super(null);
        this.bootEpochNanos = bootEpochNanos;
    }

    @Override
    protected boolean parseLine(String line, Consumer<NetfilterEvent> sink) {
        Matcher fields = FIELDS.matcher(line);
        if (!fields.find()) {
            return false;
        }
        long time = -1;
        String message = line;
        Matcher kmsg = KMSG.matcher(line);
        if (kmsg.find()) {
            time = fromBoot(Long.parseLong(kmsg.group(1)) * 1000);
            message = line.substring(kmsg.end());
        } else {
            // [uptime] or dmesg -T's [wall clock] may come first (journalctl -o short-monotonic) or after "kernel: "
            long[] bracket = new long[1];
            message = stripBracket(message, bracket);
            time = bracket[0];
            int kernel = message.indexOf("kernel: ");
            if (kernel >= 0 && kernel < message.indexOf("IN=")) {
                long iso = isoTime(message.substring(0, kernel));
                time = iso >= 0 ? iso : time;
                message = stripBracket(message.substring(kernel + "kernel: ".length()), bracket);
                time = time >= 0 ? time : bracket[0];
            }
        }
        fields = FIELDS.matcher(message);
        if (!fields.find()) {
            return false;
        }
        PacketFields packet = LogFields.parse(message, fields.start());
        if (packet == null) {
            return false;
        }
        String prefix = message.substring(0, fields.start());
        Matcher trace = LEGACY_TRACE.matcher(prefix);
        if (trace.find()) {
            sink.accept(new TraceHop(NetfilterEvent.Source.LEGACY_TRACE, time, null, family(packet), trace.group(1),
                    trace.group(2), trace.group(3), trace.group(4), null, null, packet));
        } else {
            sink.accept(new LogEvent(NetfilterEvent.Source.LOG, time, prefix.trim(), null, packet));
        }
        return true;
    }

    /** Removes a leading {@code [  139.648051]} or {@code [Wed Nov 25 08:40:26 2026]}, putting its time in {@code time[0]}. */
    private String stripBracket(String message, long[] time) {
        time[0] = -1;
        if (!message.startsWith("[")) {
            return message;
        }
        Matcher m = BRACKET_TIME.matcher(message);
        if (m.find()) {
            String frac = (m.group(2) + "000000000").substring(0, 9);
            time[0] = fromBoot(Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(frac));
            return message.substring(m.end());
        }
        int close = message.indexOf(']');
        if (close < 0 || close > message.indexOf("IN=")) {
            return message;
        }
        try { // dmesg -T: local time
            time[0] = LocalDateTime.parse(message.substring(1, close).trim().replaceAll(" +", " "), CTIME)
                    .atZone(ZoneId.systemDefault()).toInstant().toEpochMilli() * 1_000_000L;
        } catch (DateTimeParseException e) {
            time[0] = -1;
        }
        return message.substring(close + 1).stripLeading();
    }

    private long fromBoot(long nanos) {
        return bootEpochNanos < 0 ? -1 : bootEpochNanos + nanos;
    }

    /** The epoch time of an ISO-8601 syslog timestamp at the start of {@code header}, or -1. */
    private static long isoTime(String header) {
        int space = header.indexOf(' ');
        String first = space < 0 ? header : header.substring(0, space);
        if (first.length() < 20 || first.charAt(4) != '-' || first.charAt(10) != 'T') {
            return -1; // "Feb 28 16:48:11": no year or zone, so no usable time
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(first);
            return t.toEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    static String family(PacketFields p) {
        return p.family() == 6 ? "ip6" : "ip";
    }
}
