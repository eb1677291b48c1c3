package io.podcap.flow;

import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;

/**
 * Lets another analysis ride on the flow table. The table calls its listeners on the thread that feeds it, in the
 * order they were added. A listener keeps its own per-flow state in arrays indexed by slot (sized
 * {@link FlowTable#capacity()}): a slot holds one flow from {@link #onFlowStart} to {@link #onFlowEnd}, then is reused.
 * While a flow lives, {@link FlowTable}'s accessors take its slot, and {@link FlowTable#orFlags} marks it (the flags
 * end up in its {@link FlowRecord}). The per-packet call must not allocate, like the table itself.
 */
public interface FlowListener {
    /** A new flow got {@code slot}; its first packet follows in {@link #onPacket}. */
    default void onFlowStart(int slot) {
    }

    /**
     * A packet was accounted to the flow in {@code slot} (state, counters and client side already updated).
     * {@code d} holds the packet decoded; both are only valid during the call.
     */
    default void onPacket(int slot, boolean fromClient, PacketDecoder d, PacketView v) {
    }

    /**
     * The flow in {@code slot} will see a packet soon: load what {@link #onPacket} reads first for it and return a
     * value read from it (so the load is kept). The table calls this for a group of packets before accounting them,
     * so that the cache misses of the group's flows overlap.
     */
    default long prefetch(int slot) {
        return 0;
    }

    /**
     * The flow in {@code slot} ended (or was reported at the end of input); after this the slot is free. The slot
     * accessors still work during the call. {@code record} is null when no listener {@link #wantsRecords()}.
     */
    default void onFlowEnd(int slot, FlowRecord record) {
    }

    /** Whether {@link #onFlowEnd} needs the record; when no listener does, ending a flow allocates nothing. */
    default boolean wantsRecords() {
        return true;
    }
}
