package io.podcap.pcap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** if_tsresol/if_tsoffset to nanoseconds, including resolutions finer than a nanosecond and huge binary ones. */
class TimestampScaleTest {
    @Test
    void decimalResolutions() {
        assertEquals(1_700_000_000_123_456_000L, TimestampScale.of(6, 0).toNanos(1_700_000_000_123_456L));
        assertEquals(1_700_000_000_123_456_789L, TimestampScale.of(9, 0).toNanos(1_700_000_000_123_456_789L));
        assertEquals(1_700_000_000_000_000_000L, TimestampScale.of(0, 0).toNanos(1_700_000_000L));
        assertEquals(1_700_000_000_123_000_000L, TimestampScale.of(3, 0).toNanos(1_700_000_000_123L));
        // picoseconds: 1.7e21 ticks does not fit in a signed long, but does unsigned
        long picos = Long.parseUnsignedLong("17000000001234567891");
        assertEquals(17_000_000_001_234_567L, TimestampScale.of(12, 0).toNanos(picos));
        assertEquals(0, TimestampScale.of(40, 0).toNanos(12345));
    }

    @Test
    void binaryResolutions() {
        assertEquals(1_700_000_000_500_000_000L, TimestampScale.of(0x81, 0).toNanos(3_400_000_001L));
        assertEquals(1_700_000_000_750_000_000L,
                TimestampScale.of(0x80 | 20, 0).toNanos((1_700_000_000L << 20) + 3 * (1 << 18)));
        // 2^-32 s (NTP-style fraction): 0.25 s
        assertEquals(1_700_000_000_250_000_000L, TimestampScale.of(0x80 | 32, 0).toNanos((1_700_000_000L << 32)
                + (1L << 30)));
        // 2^-40 s: the fraction times 1e9 needs more than 64 bits
        long ticks = (1_000_000L << 40) + ((1L << 40) - 1);
        assertEquals(1_000_000L * 1_000_000_000L + 999_999_999L, TimestampScale.of(0x80 | 40, 0).toNanos(ticks));
        // 2^-64 s: half of the range is half a second
        assertEquals(500_000_000L, TimestampScale.of(0x80 | 64, 0).toNanos(1L << 63));
        assertEquals(2_000_000_000L, TimestampScale.of(0x80, 0).toNanos(2));
    }

    @Test
    void offsetInSecondsIsAdded() {
        assertEquals(1_600_000_000_000_000_000L + 5_000, TimestampScale.of(6, 1_600_000_000L).toNanos(5));
        assertEquals(-1_000_000_000L + 7, TimestampScale.of(9, -1).toNanos(7));
    }
}
