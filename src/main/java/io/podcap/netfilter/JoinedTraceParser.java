package io.podcap.netfilter;

import java.util.function.LongSupplier;

/**
 * A trace format whose packet line and hop lines are joined by a trace id (xtables-monitor, nft monitor): the last
 * packet line of each open trace is kept, at most 4096 traces, the least recent forgotten and counted.
 */
public abstract class JoinedTraceParser extends LineParser {
    private static final int MAX_OPEN_TRACES = 4096;

    final BoundedMap<String, PacketFields> packets = new BoundedMap<>(MAX_OPEN_TRACES);

    JoinedTraceParser(LongSupplier clock) {
        super(clock);
    }

    /** Traces forgotten because more than 4096 were open at once. */
    public long evicted() {
        return packets.evicted();
    }
}
