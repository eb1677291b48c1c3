package io.podcap.bench;

import io.podcap.capture.Capture;
import io.podcap.capture.CaptureStats;
import java.time.Duration;
import java.util.Locale;

/**
 * The embedded Java API with a handler that only counts: what a monitoring stack pays to get packets off a pod.
 * Usage: {@code LiveCount SPEC IFACE SECONDS}. Prints its counters in the CLI's words, for bench/live to parse.
 */
public final class LiveCount {
    private LiveCount() {}

    public static void main(String[] args) throws Exception {
        long[] count = new long[1];
        try (Capture capture = Capture.builder().namespace(args[0]).device(args[1]).handler(p -> count[0]++)
                .open()) {
            System.err.println("capturing on " + args[1] + " in " + args[0]);
            capture.awaitTermination(Duration.ofMillis((long) (Double.parseDouble(args[2]) * 1000)));
            capture.close();
            CaptureStats s = capture.stats();
            System.err.printf(Locale.ROOT, "%d packets captured, %d received by filter, %d dropped by kernel,"
                    + " %d dropped by ring%n", count[0], s.received(), s.kernelDropped(), s.ringDropped());
        }
    }
}
