package io.podcap.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wake interval the reader gets or adapts from: the kernel buffer's unless given, none when immediate. */
class CaptureOptionsTest {
    @Test
    void theWakeIntervalIsWhat200MBPerSecondTakesToFillTheBufferAtMost50Ms() {
        assertEquals(50, Capture.builder().wakeIntervalMillis(), "the 32 MiB default");
        assertEquals(20, CaptureGroup.builder().bufferSize(4 << 20).wakeIntervalMillis(), "a group member's 4 MiB");
        assertEquals(0, Capture.builder().bufferSize(1 << 16).wakeIntervalMillis());
        assertEquals(0, Capture.builder().immediate(true).wakeIntervalMillis());
        assertEquals(5, Capture.builder().wakeInterval(Duration.ofMillis(5)).wakeIntervalMillis());
        assertEquals(0, Capture.builder().wakeInterval(Duration.ofMillis(5)).immediate(true).wakeIntervalMillis());
    }

    @Test
    void aGivenIntervalStaysWhileTheDefaultAdapts() {
        Native.ensureLoaded();
        Wake wake = new Wake();
        try {
            Capture.Builder given = Capture.builder().wakeInterval(Duration.ofMillis(50));
            assertEquals(List.of(50L, 50L), twoRoundsWithNothingTaken(given, wake));
            assertEquals(List.of(50L, 100L), twoRoundsWithNothingTaken(Capture.builder(), wake));
        } finally {
            wake.close();
        }
    }

    private static List<Long> twoRoundsWithNothingTaken(CaptureOptions<?> options, Wake wake) {
        Pacing pacing = options.newPacing();
        List<Long> intervals = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            pacing.tookPackets();
            wake.signal(); // cuts the wait short
            pacing.waitOutInterval(wake, 0);
            intervals.add(pacing.intervalMillis());
        }
        return intervals;
    }
}
