package io.podcap.capture;

/**
 * Spaces a reader's looks at the kernel while packets flow ({@link CaptureOptions#wakeInterval}): once it has caught
 * up, it waits out the rest of the interval that began with the first look to find packets. Reader thread only.
 */
final class Pacing {
    private final long intervalNanos;
    private boolean inRound; // a look found packets since the last wait
    private long roundStart;

    Pacing(int intervalMillis) {
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /** The reader took packets. */
    void tookPackets() {
        if (!inRound && intervalNanos > 0) {
            inRound = true;
            roundStart = System.nanoTime();
        }
    }

    /**
     * The reader has caught up: waits out the rest of the round's interval (a ring of {@code wake} cuts it short) and
     * returns true, or returns false at once when no round is on or it took the whole interval.
     */
    boolean waitOutInterval(Wake wake) {
        if (!inRound) {
            return false;
        }
        inRound = false;
        long leftMillis = (roundStart + intervalNanos - System.nanoTime()) / 1_000_000L;
        if (leftMillis <= 0) {
            return false;
        }
        wake.await((int) leftMillis);
        return true;
    }
}
