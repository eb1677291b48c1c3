package io.podcap.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Named problems of a flow, derived from its record's fields. */
public enum FlowProblem {
    /** The client's SYN got no SYN-ACK (nor RST): it was retransmitted, or the flow timed out or was evicted waiting. */
    UNANSWERED_SYN,
    /** The server sent the first RST (a closed port answers a SYN this way). */
    RESET_BY_SERVER,
    /** The client sent the first RST (an abortive close, e.g. SO_LINGER 0). */
    RESET_BY_CLIENT,
    /**
     * The flow went idle with one side still thinking it open: the SYN-ACK was never acknowledged, or only one side
     * sent a FIN.
     */
    HALF_OPEN,
    /** Data segments were sent again (sequence numbers already seen in that direction). */
    RETRANSMISSIONS;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }

    static List<FlowProblem> of(FlowState state, FlowEnd end, int synRetransmits, int retransmits, Side rstFrom) {
        List<FlowProblem> out = new ArrayList<>(2);
        boolean wentIdle = end == FlowEnd.TIMEOUT || end == FlowEnd.EVICTED || end == FlowEnd.REUSED;
        if (state == FlowState.SYN_SENT && (synRetransmits > 0 || wentIdle)) {
            out.add(UNANSWERED_SYN);
        }
        if (rstFrom == Side.SERVER) {
            out.add(RESET_BY_SERVER);
        } else if (rstFrom == Side.CLIENT) {
            out.add(RESET_BY_CLIENT);
        }
        if (wentIdle && (state == FlowState.SYN_RECEIVED || state == FlowState.CLOSING)) {
            out.add(HALF_OPEN);
        }
        if (retransmits > 0) {
            out.add(RETRANSMISSIONS);
        }
        return List.copyOf(out);
    }
}
