package io.podcap.flow;

import java.util.Locale;

/** Why a flow's record was produced. */
public enum FlowEnd {
    /** Both FINs seen (reported once the closed flow stayed quiet for the closed timeout). */
    CLOSED,
    /** A RST seen (reported like {@link #CLOSED}). */
    RESET,
    /** No packet for the idle timeout of its state. */
    TIMEOUT,
    /** Pushed out because the table was full and this was the flow idle the longest. */
    EVICTED,
    /** A new connection (a SYN with another initial sequence number) reused the flow's addresses and ports. */
    REUSED,
    /** Still open: a snapshot, or the input ended. */
    OPEN;

    private final String label = name().toLowerCase(Locale.ROOT);

    private static final FlowEnd[] VALUES = values();

    static FlowEnd of(int code) {
        return VALUES[code];
    }

    public String label() {
        return label;
    }
}
