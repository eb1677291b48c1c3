package io.podcap.flow;

import java.util.Locale;

/** Where a flow's conversation stands: TCP states as seen on the wire, {@link #ACTIVE} for other protocols. */
public enum FlowState {
    /** The client's SYN was seen, no answer yet. */
    SYN_SENT,
    /** The server's SYN-ACK was seen, not yet the client's ACK of it. */
    SYN_RECEIVED,
    /** Handshake completed, or the flow was first seen mid-stream. */
    ESTABLISHED,
    /** One side sent a FIN. */
    CLOSING,
    /** Both sides sent a FIN. */
    CLOSED,
    /** A RST was seen. */
    RESET,
    /** UDP, ICMP and other protocols, which have no connection state. */
    ACTIVE;

    private final String label = name().toLowerCase(Locale.ROOT);

    private static final FlowState[] VALUES = values();

    static FlowState of(int code) {
        return VALUES[code];
    }

    /** The name in output: {@code syn_sent}, {@code established}, ... */
    public String label() {
        return label;
    }
}
