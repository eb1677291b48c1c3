package io.podcap.pcap;

/**
 * Converts a pcapng interface's timestamp units to nanoseconds: if_tsresol is 10^-v, or 2^-v when its top bit is
 * set (default 10^-6), and if_tsoffset seconds are added.
 */
final class TimestampScale {
    static final TimestampScale MICROS = new TimestampScale(6, 0);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final boolean binary;
    private final int shift;      // binary: 2^-shift seconds per tick
    private final long multiply;  // decimal, finer than or equal to ns: ticks * multiply
    private final long divide;    // decimal, finer than ns: ticks / divide (0: every tick rounds to 0)
    private final long offsetNanos;

    TimestampScale(int tsresol, long offsetSeconds) {
        this.binary = (tsresol & 0x80) != 0;
        int v = tsresol & 0x7F;
        this.shift = v;
        long mul = 1;
        long div = 1;
        if (!binary) {
            if (v <= 9) {
                for (int i = v; i < 9; i++) {
                    mul *= 10;
                }
            } else if (v - 9 <= 18) {
                for (int i = 9; i < v; i++) {
                    div *= 10;
                }
            } else {
                div = 0;
            }
        }
        this.multiply = mul;
        this.divide = div;
        this.offsetNanos = offsetSeconds * NANOS_PER_SECOND;
    }

    /** if_tsresol byte as read from an IDB. */
    static TimestampScale of(int tsresol, long offsetSeconds) {
        return tsresol == 6 && offsetSeconds == 0 ? MICROS : new TimestampScale(tsresol, offsetSeconds);
    }

    long toNanos(long ticks) {
        long n;
        if (binary) {
            if (shift == 0) {
                n = ticks * NANOS_PER_SECOND;
            } else {
                // (ticks * 1e9) >> shift without overflowing: whole seconds, then the fraction in 128 bits
                long secs = shift >= 64 ? 0 : ticks >>> shift;
                long frac = shift >= 64 ? ticks : ticks & ((1L << shift) - 1);
                long hi = Math.multiplyHigh(frac, NANOS_PER_SECOND) + ((frac >> 63) & NANOS_PER_SECOND); // unsigned
                long lo = frac * NANOS_PER_SECOND;
                long fracNanos = shift >= 64 ? hi >>> (shift - 64) : (lo >>> shift) | (hi << (64 - shift));
                n = secs * NANOS_PER_SECOND + fracNanos;
            }
        } else if (divide == 1) {
            n = ticks * multiply;
        } else {
            n = divide == 0 ? 0 : Long.divideUnsigned(ticks, divide);
        }
        return n + offsetNanos;
    }
}
