package io.podcap.probe;

import io.podcap.flow.FlowRecord;

/**
 * The labels {@link ProbeDetector} puts on flows ({@link io.podcap.flow.FlowTable#orFlags}), read back from
 * {@link FlowRecord#flags()}: bit 0 marks a probe connection, bits 1-3 hold the client's {@link SourceRole} + 1.
 */
public final class ProbeFlags {
    public static final int PROBE = 1;
    static final int ROLE_SHIFT = 1;
    static final int ROLE_MASK = 7 << ROLE_SHIFT;

    private ProbeFlags() {
    }

    public static boolean isProbe(int flags) {
        return (flags & PROBE) != 0;
    }

    /** The client's role, or null when the flow was not classified. */
    public static SourceRole role(int flags) {
        int r = (flags & ROLE_MASK) >>> ROLE_SHIFT;
        return r == 0 ? null : SourceRole.of(r - 1);
    }

    static int roleBits(SourceRole role) {
        return (role.ordinal() + 1) << ROLE_SHIFT;
    }
}
