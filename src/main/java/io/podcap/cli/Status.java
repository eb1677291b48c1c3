package io.podcap.cli;

import io.podcap.capture.CaptureStats;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The counters line: refreshed in place on stderr while capturing (when it is a terminal), printed once at the end. */
final class Status {
    private final PrintStream err;
    private long lastPackets;
    private long lastNanos = System.nanoTime();

    Status(PrintStream err) {
        this.err = err;
    }

    /** Whether stderr is a terminal (the JDK only tells for stdin/stdout). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    void refresh(CaptureStats s) {
        long now = System.nanoTime();
        double rate = (s.consumed() - lastPackets) * 1e9 / Math.max(1, now - lastNanos);
        lastPackets = s.consumed();
        lastNanos = now;
        err.print(String.format(Locale.ROOT, "\r\033[K%,d packets  %s  kernel drops %,d  ring drops %,d  %,.0f pkt/s",
                s.consumed(), bytes(s.bytes()), s.kernelDropped(), s.ringDropped(), rate));
        err.flush();
    }

    void clear() {
        err.print("\r\033[K");
    }

    /**
     * The final counters. {@code captured} is what the command handled (with {@code --count}, the ring may have
     * delivered a few packets more, which were not written).
     */
    static String describe(CaptureStats s, long captured) {
        return String.format(Locale.ROOT,
                "%,d packets captured (%s delivered), %,d received by filter, %,d dropped by kernel,"
                        + " %s dropped by interface, %,d dropped by ring",
                captured, bytes(s.bytes()), s.received(), s.kernelDropped(),
                s.interfaceDropped() < 0 ? "unknown" : String.format(Locale.ROOT, "%,d", s.interfaceDropped()),
                s.ringDropped());
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        int unit = (63 - Long.numberOfLeadingZeros(n)) / 10;
        return String.format(Locale.ROOT, "%.1f %siB", n / (double) (1L << (unit * 10)), " KMGTPE".charAt(unit));
    }
}
