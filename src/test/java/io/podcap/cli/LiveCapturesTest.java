package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The live commands' tick: once a second, or each --interval when that is shorter. */
class LiveCapturesTest {
    private static final long MS = 1_000_000L;

    private static LiveCaptures captures() {
        return new LiveCaptures("flows", new TargetOptions(), new PacketOptions(), System.err);
    }

    @Test
    void itTicksOnceASecondUnlessAnIntervalAsksMoreOften() {
        assertEquals(1000 * MS, captures().tickNanos());
        assertEquals(1000 * MS, captures().ticksEvery(0).tickNanos()); // no --interval
        assertEquals(1000 * MS, captures().ticksEvery(5).tickNanos());
        assertEquals(300 * MS, captures().ticksEvery(0.3).tickNanos());
        assertEquals(1 * MS, captures().ticksEvery(0.0001).tickNanos());
    }
}
