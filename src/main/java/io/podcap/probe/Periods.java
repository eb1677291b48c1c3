package io.podcap.probe;

import java.util.Arrays;

/**
 * Period estimates from connection start times. Several probes of the same kind to the same path (liveness,
 * readiness, startup) interleave: {@link #split} separates them into series, each a chain of starts one period apart
 * (a tick may be missing; each hit re-anchors the chain, so drift does not accumulate). {@link #period} is robust to
 * jitter, missed ticks and late probes: the median of the gaps that span a whole number of periods, each divided by
 * that number. Runs when a report is made, not per packet.
 */
final class Periods {
    /** A start within this fraction of a period from the expected tick belongs to the chain. */
    private static final double TOLERANCE = 0.25;
    private static final int MAX_MISSES_IN_A_ROW = 3;
    private static final int CANDIDATES = 8;
    private static final int ORIGINS = 3;
    static final int MAX_SERIES = 3;

    private Periods() {
    }

    /**
     * Assigns each of the sorted times {@code t[0..n)} a series number in {@code series}; returns the number of
     * series. Starts that fit no chain join the series whose expected tick is closest.
     */
    static int split(long[] t, int n, int[] series) {
        Arrays.fill(series, 0, n, 0);
        if (n == 0) {
            return 0;
        }
        if (oneSeries(t, n, series)) {
            return 1;
        }
        Arrays.fill(series, 0, n, -1);
        int count = 0;
        int[] chain = new int[n];
        int[] best = new int[n];
        int[] hitsMisses = new int[2];
        while (count < MAX_SERIES) {
            // the best chain from one of the first unassigned starts: most hits, misses weighing double, so that a
            // series is not explained by a longer period that skips half of it, nor by one that hops between series
            int bestLength = 0;
            int bestScore = Integer.MIN_VALUE;
            int origin = firstFree(series, n, 0);
            if (origin < 0) {
                break;
            }
            for (int o = 0, first = origin; o < ORIGINS && first >= 0; o++, first = firstFree(series, n, first + 1)) {
                int tried = 0;
                for (int j = first + 1; j < n && tried < CANDIDATES; j++) {
                    if (series[j] >= 0 || t[j] == t[first]) {
                        continue;
                    }
                    tried++;
                    hitsMisses[0] = 0;
                    hitsMisses[1] = 0;
                    int length = chain(t, n, series, first, t[j] - t[first], chain, hitsMisses);
                    int score = hitsMisses[0] - 2 * hitsMisses[1];
                    if (score > bestScore) {
                        bestScore = score;
                        bestLength = length;
                        System.arraycopy(chain, 0, best, 0, length);
                    }
                }
            }
            if (bestLength < 3 && count > 0) {
                break; // leftovers: too few to be a probe of their own
            }
            if (bestLength == 0) {
                best[0] = origin;
                bestLength = 1;
            }
            for (int i = 0; i < bestLength; i++) {
                series[best[i]] = count;
            }
            count++;
        }
        if (count == 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            if (series[i] < 0) {
                series[i] = nearestSeries(t, n, series, i, count);
            }
        }
        return mergeSequential(t, n, series, count);
    }

    /**
     * Series that do not overlap in time and tick at about the same period are one probe whose phase moved (the
     * kubelet restarted the probe, e.g. with the container): joined, and the series renumbered by first start.
     */
    private static int mergeSequential(long[] t, int n, int[] series, int count) {
        boolean merged = true;
        while (merged && count > 1) {
            merged = false;
            for (int a = 0; a < count && !merged; a++) {
                for (int b = a + 1; b < count && !merged; b++) {
                    if (overlap(t, n, series, a, b)) {
                        continue;
                    }
                    long pa = period(t, n, series, a);
                    long pb = period(t, n, series, b);
                    if (pa < 0 || pb < 0 || Math.abs(pa - pb) <= TOLERANCE * Math.max(pa, pb)) {
                        for (int i = 0; i < n; i++) {
                            if (series[i] == b) {
                                series[i] = a;
                            } else if (series[i] > b) {
                                series[i]--;
                            }
                        }
                        count--;
                        merged = true;
                    }
                }
            }
        }
        // number the series in the order they start
        int[] rename = new int[count];
        Arrays.fill(rename, -1);
        int next = 0;
        for (int i = 0; i < n; i++) {
            if (rename[series[i]] < 0) {
                rename[series[i]] = next++;
            }
        }
        for (int i = 0; i < n; i++) {
            series[i] = rename[series[i]];
        }
        return count;
    }

    private static boolean overlap(long[] t, int n, int[] series, int a, int b) {
        long aFirst = Long.MAX_VALUE;
        long aLast = Long.MIN_VALUE;
        long bFirst = Long.MAX_VALUE;
        long bLast = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (series[i] == a) {
                aFirst = Math.min(aFirst, t[i]);
                aLast = Math.max(aLast, t[i]);
            } else if (series[i] == b) {
                bFirst = Math.min(bFirst, t[i]);
                bLast = Math.max(bLast, t[i]);
            }
        }
        return aFirst <= bLast && bFirst <= aLast;
    }

    /** Whether most gaps (a phase jump or a stray start aside) are whole periods: then there is one series. */
    private static boolean oneSeries(long[] t, int n, int[] allZero) {
        long p = period(t, n, allZero, 0);
        if (n < 4 || p <= 0) {
            return true;
        }
        int fit = 0;
        for (int i = 1; i < n; i++) {
            long g = t[i] - t[i - 1];
            long ticks = Math.round((double) g / p);
            if (ticks >= 1 && Math.abs(g - ticks * p) <= TOLERANCE * p) {
                fit++;
            }
        }
        return fit >= 0.8 * (n - 1);
    }

    private static int firstFree(int[] series, int n, int from) {
        for (int i = from; i < n; i++) {
            if (series[i] < 0) {
                return i;
            }
        }
        return -1;
    }

    /** Follows ticks {@code period} apart from {@code t[first]}; returns the chain's length (its indexes in out). */
    private static int chain(long[] t, int n, int[] series, int first, long period, int[] out, int[] hitsMisses) {
        int length = 0;
        out[length++] = first;
        long expected = t[first] + period;
        long tolerance = (long) (period * TOLERANCE);
        int i = first + 1;
        int missesInARow = 0;
        while (i < n && missesInARow <= MAX_MISSES_IN_A_ROW) {
            int hit = -1;
            long bestError = Long.MAX_VALUE;
            while (i < n && t[i] <= expected + tolerance) {
                long error = Math.abs(t[i] - expected);
                if (series[i] < 0 && error <= tolerance && error < bestError) {
                    hit = i;
                    bestError = error;
                }
                i++;
            }
            if (hit >= 0) {
                out[length++] = hit;
                hitsMisses[0]++;
                missesInARow = 0;
                expected = t[hit] + period;
            } else {
                hitsMisses[1]++;
                missesInARow++;
                expected += period;
            }
        }
        return length;
    }

    private static int nearestSeries(long[] t, int n, int[] series, int i, int count) {
        int nearest = 0;
        long distance = Long.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            if (j != i && series[j] >= 0 && series[j] < count && Math.abs(t[j] - t[i]) < distance) {
                distance = Math.abs(t[j] - t[i]);
                nearest = series[j];
            }
        }
        return nearest;
    }

    /** The period of series {@code s} in nanoseconds, or -1 with fewer than two starts. */
    static long period(long[] t, int n, int[] series, int s) {
        long[] gaps = gaps(t, n, series, s);
        if (gaps.length == 0) {
            return -1;
        }
        long[] sorted = gaps.clone();
        Arrays.sort(sorted);
        long first = sorted[(sorted.length - 1) / 2];
        if (first <= 0) {
            return 0;
        }
        long[] perTick = new long[gaps.length];
        int m = 0;
        for (long g : gaps) {
            long ticks = Math.max(1, Math.round((double) g / first));
            // a gap between whole ticks (a late probe) says nothing of the period: divided, it would shrink it
            if (Math.abs(g - ticks * first) <= TOLERANCE * first) {
                perTick[m++] = g / ticks;
            }
        }
        Arrays.sort(perTick, 0, m); // m >= 1: the median gap fits itself
        return m % 2 == 1 ? perTick[m / 2] : (perTick[m / 2 - 1] + perTick[m / 2]) / 2;
    }

    /** Gaps of series {@code s} longer than one and a half periods: at least one tick missing. */
    static int missed(long[] t, int n, int[] series, int s, long period) {
        if (period <= 0) {
            return 0;
        }
        int missed = 0;
        for (long g : gaps(t, n, series, s)) {
            if (g * 2 > period * 3) {
                missed++;
            }
        }
        return missed;
    }

    /** Whether the gaps of series {@code s} are steady: at least two, each within the tolerance of whole periods. */
    static boolean steady(long[] t, int n, int[] series, int s, long period) {
        long[] gaps = gaps(t, n, series, s);
        if (gaps.length < 2 || period <= 0) {
            return false;
        }
        for (long g : gaps) {
            long ticks = Math.max(1, Math.round((double) g / period));
            if (Math.abs(g - ticks * period) > period * TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    private static long[] gaps(long[] t, int n, int[] series, int s) {
        long[] gaps = new long[n];
        int m = 0;
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (series[i] == s) {
                if (previous != Long.MIN_VALUE) {
                    gaps[m++] = t[i] - previous;
                }
                previous = t[i];
            }
        }
        return Arrays.copyOf(gaps, m);
    }
}
