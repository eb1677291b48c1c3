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
        int set = 0;
        boolean wentIdle = end == FlowEnd.TIMEOUT || end == FlowEnd.EVICTED || end == FlowEnd.REUSED;
        if (state == FlowState.SYN_SENT && (synRetransmits > 0 || wentIdle)) {
            set |= 1 << UNANSWERED_SYN.ordinal();
        }
        if (rstFrom == Side.SERVER) {
            set |= 1 << RESET_BY_SERVER.ordinal();
        } else if (rstFrom == Side.CLIENT) {
            set |= 1 << RESET_BY_CLIENT.ordinal();
        }
        if (wentIdle && (state == FlowState.SYN_RECEIVED || state == FlowState.CLOSING)) {
            set |= 1 << HALF_OPEN.ordinal();
        }
        if (retransmits > 0) {
            set |= 1 << RETRANSMISSIONS.ordinal();
        }
        return Sets.LISTS.get(set);
    }

    /** Every combination's list, in declaration order, made once: ending a flow allocates none. */
    private static final class Sets {
        static final List<List<FlowProblem>> LISTS;

        static {
            FlowProblem[] all = values();
            List<List<FlowProblem>> lists = new ArrayList<>(1 << all.length);
            for (int set = 0; set < 1 << all.length; set++) {
                List<FlowProblem> list = new ArrayList<>();
                for (FlowProblem p : all) {
                    if ((set & 1 << p.ordinal()) != 0) {
                        list.add(p);
                    }
                }
                lists.add(List.copyOf(list));
            }
            LISTS = List.copyOf(lists);
        }
    }
}
