package io.podcap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adaptive wake interval: a quarter of the buffer at the rate it fills, within bounds. */
class PacingTest {
    private static final long MS = 1_000_000L;
    private static final long QUARTER_OF_32_MIB = (32 << 20) / 4;

    @Test
    void anIntervalIsTheTimeAQuarterOfTheBufferTakesToFill() {
        // 300,000 packets/s of 316 bytes: 95 MB/s, a quarter of 32 MiB in 88 ms
        long next = Pacing.nextIntervalNanos(200 * MS, 9_480_000, 100 * MS, QUARTER_OF_32_MIB);
        assertEquals(88, next / MS);
        // 640 MB/s: 13 ms, however long the interval before
        assertEquals(13, Pacing.nextIntervalNanos(200 * MS, 32_000_000, 50 * MS, QUARTER_OF_32_MIB) / MS);
    }

    @Test
    void itGrowsAtMostTwofoldARoundAndTo200Ms() {
        // 100,000 packets/s: a quarter of 32 MiB lasts 265 ms
        assertEquals(100, Pacing.nextIntervalNanos(50 * MS, 1_580_000, 50 * MS, QUARTER_OF_32_MIB) / MS);
        assertEquals(200, Pacing.nextIntervalNanos(100 * MS, 3_160_000, 100 * MS, QUARTER_OF_32_MIB) / MS);
        assertEquals(200, Pacing.nextIntervalNanos(200 * MS, 6_320_000, 200 * MS, QUARTER_OF_32_MIB) / MS);
        assertEquals(200, Pacing.nextIntervalNanos(200 * MS, 0, 200 * MS, QUARTER_OF_32_MIB) / MS);
    }

    @Test
    void itNeverReaches0SoThatItCanGrowBack() {
        // a burst beyond any link's rate still leaves an interval to double from (0 would stay 0 until idle)
        long next = Pacing.nextIntervalNanos(1, Long.MAX_VALUE, 1, QUARTER_OF_32_MIB);
        assertEquals(1, next);
        assertEquals(2, Pacing.nextIntervalNanos(next, 0, 1, QUARTER_OF_32_MIB));
    }

    @Test
    void idleWaitsDoubleUpToASecondUntilPacketsCome() {
        Pacing pacing = Pacing.adaptive(50, 32 << 20);
        List<Integer> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(pacing.idleWaitMillis(100));
            pacing.idle();
        }
        assertEquals(List.of(100, 200, 400, 800, 1000, 1000), waits);
        pacing.tookPackets();
        assertEquals(100, pacing.idleWaitMillis(100));
        assertEquals(3000, Pacing.fixed(0).idleWaitMillis(3000), "a longer first wait is kept");
    }

    @Test
    void anIdleSpellStartsItOverFromTheFirstInterval() {
        Native.ensureLoaded();
        Wake wake = new Wake();
        try {
            Pacing pacing = Pacing.adaptive(50, 32 << 20);
            for (int round = 0; round < 4; round++) { // nothing taken: 50 (no span yet), 100, 200, 200 ms
                pacing.tookPackets();
                wake.signal(); // cuts each wait short
                assertTrue(pacing.waitOutInterval(wake, 0));
            }
            assertEquals(200, pacing.intervalMillis());
            assertFalse(pacing.waitOutInterval(wake, 0), "no round, no wait");
            assertEquals(200, pacing.intervalMillis(), "a look that found nothing is not idle");
            pacing.idle();
            assertEquals(50, pacing.intervalMillis());
            pacing.tookPackets();
            wake.signal();
            pacing.waitOutInterval(wake, 1 << 20);
            assertEquals(50, pacing.intervalMillis(), "the first round after idle has no span to measure a rate over");

            Pacing fixed = Pacing.fixed(50);
            fixed.tookPackets();
            wake.signal();
            assertTrue(fixed.waitOutInterval(wake, 0));
            assertEquals(50, fixed.intervalMillis(), "a given interval stays");
        } finally {
            wake.close();
        }
    }
}
