package io.podcap.capture;

/**
 * Spaces a reader's looks at the kernel while packets flow ({@link CaptureOptions#wakeInterval}): once it has caught
 * up, it waits out the rest of the interval that began with the first look to find packets. Given no interval, it
 * adapts one: each round, the time the fullest kernel buffer takes to fill a quarter at the rate it took bytes since
 * the last round, at most twice the interval before and at most 200 ms; after an idle spell (not a look that found
 * nothing, as a kernel block may still be filling) it starts again from the first interval. While nothing comes, the
 * idle waits double from the first up to a second: packets end a wait at once anyway, so only the handler's
 * {@code onIdle} comes less often. Reader thread only.
 */
final class Pacing {
    private static final long MAX_ADAPTIVE_NANOS = 200_000_000L;
    private static final int MAX_IDLE_WAIT_MILLIS = 1000;

    private final long firstNanos;
    private final long quarterBuffer; // bytes; 0: the interval is fixed
    private long intervalNanos;
    private boolean inRound; // a look found packets since the last wait
    private long roundStart;
    private long lastCheck; // System.nanoTime() of the last catch-up; 0 after an idle spell
    private int idleWaits; // whole idle waits since packets last came

    private Pacing(int firstMillis, long bufferBytes) {
        this.firstNanos = firstMillis * 1_000_000L;
        this.quarterBuffer = bufferBytes / 4;
        this.intervalNanos = firstNanos;
    }

    static Pacing fixed(int intervalMillis) {
        return new Pacing(intervalMillis, 0);
    }

    /** Adapting to the traffic, from a first interval, for kernel buffers of this size. */
    static Pacing adaptive(int firstMillis, long bufferBytes) {
        return new Pacing(firstMillis, bufferBytes);
    }

    /** The reader took packets. */
    void tookPackets() {
        idleWaits = 0;
        if (!inRound && intervalNanos > 0) {
            inRound = true;
            roundStart = System.nanoTime();
        }
    }

    /**
     * The reader has caught up, the fullest kernel buffer having given {@code bytes} since the last call: waits out
     * the rest of the round's interval (a ring of {@code wake} cuts it short) and returns true, or returns false at
     * once when no round is on or it took the whole interval.
     */
    boolean waitOutInterval(Wake wake, long bytes) {
        if (!inRound) {
            return false; // a look that found nothing is not yet idle: a kernel block may still be filling
        }
        inRound = false;
        long now = System.nanoTime();
        if (quarterBuffer > 0 && lastCheck != 0) { // after an idle spell, no span to measure the bytes over
            intervalNanos = nextIntervalNanos(intervalNanos, bytes, now - lastCheck, quarterBuffer);
        }
        lastCheck = now;
        long leftMillis = (roundStart + intervalNanos - now) / 1_000_000L;
        if (leftMillis <= 0) {
            return false;
        }
        wake.await((int) leftMillis);
        return true;
    }

    /** Nothing came for a whole idle wait: the next burst may come at any rate, so it starts over. */
    void idle() {
        intervalNanos = firstNanos;
        lastCheck = 0;
        idleWaits++;
    }

    /** How long to wait for packets now: {@code firstMillis}, doubled for each idle wait in a row, up to a second. */
    int idleWaitMillis(int firstMillis) {
        long wait = (long) firstMillis << Math.min(idleWaits, 20);
        return (int) Math.min(wait, Math.max(firstMillis, MAX_IDLE_WAIT_MILLIS));
    }

    /** The interval of the round under way, or of the next. */
    long intervalMillis() {
        return intervalNanos / 1_000_000L;
    }

    /**
     * The adaptive rule: the time {@code quarterBuffer} takes at {@code bytes} per {@code elapsed}, within bounds;
     * never 0, as 0 is the fixed interval of immediate mode and would not start a round to grow from.
     */
    static long nextIntervalNanos(long previous, long bytes, long elapsedNanos, long quarterBuffer) {
        long limit = Math.min(2 * previous, MAX_ADAPTIVE_NANOS);
        if (bytes <= 0) {
            return Math.max(limit, 1);
        }
        double fill = (double) quarterBuffer / bytes * Math.max(elapsedNanos, 1);
        return Math.max((long) Math.min(fill, limit), 1);
    }
}
