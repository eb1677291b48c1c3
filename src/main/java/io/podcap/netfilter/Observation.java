package io.podcap.netfilter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the event sources saw of one packet: the hops of one trace id, or one legacy TRACE or LOG/NFLOG line. The
 * tuples are those at each hook, so a translated packet has several.
 */
final class Observation {
    final String traceId; // source/id for trace-id formats, else null
    final List<NetfilterEvent> events = new ArrayList<>();
    final List<Long> order = new ArrayList<>();
    final Set<Tuple> tuples = new LinkedHashSet<>();
    int protocol = -1;
    long ipId = -1;
    long seq = -1;
    long time = -1;
    boolean matched;

    Observation(String traceId) {
        this.traceId = traceId;
    }

    void add(NetfilterEvent e, long arrival, PacketFields p) {
        events.add(e);
        order.add(arrival);
        if (time < 0) {
            time = e.timeNanos();
        }
        if (p != null && p.hasAddresses()) {
            tuples.add(p.tuple());
            protocol = p.protocol();
            if (p.ipId() >= 0) {
                ipId = p.ipId();
            }
            if (p.seq() >= 0) {
                seq = p.seq();
            }
        }
    }

    PacketFields firstPacket() {
        for (NetfilterEvent e : events) {
            PacketFields p = PacketCorrelator.fields(e);
            if (p != null && p.hasAddresses()) {
                return p;
            }
        }
        return null;
    }
}
