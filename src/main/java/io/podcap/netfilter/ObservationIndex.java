package io.podcap.netfilter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The events not yet done with, as {@link Observation}s findable by the keys a captured packet has: IPv4
 * identification, or for IPv6 (no identification) either port. Conntrack events go to the {@link ConntrackTable}.
 * Observations leave when they are older than the correlation window behind the packets (unmatched ones are then
 * reported as not captured), or beyond a cap, counted. Not thread-safe: one consumer thread.
 */
final class ObservationIndex {
    private final int cap;
    private final RuleSet rules;
    private final ConntrackTable conntrack;
    private final Map<String, Observation> traces = new HashMap<>(); // open trace ids
    private final Map<Long, List<Observation>> byKey = new HashMap<>();
    private final Deque<Observation> byAge = new ArrayDeque<>();       // in arrival order
    private long evicted;

    ObservationIndex(int cap, RuleSet rules, ConntrackTable conntrack) {
        this.cap = cap;
        this.rules = rules;
        this.conntrack = conntrack;
    }

    /** Adds an event: to its trace id's observation, or as an observation of its own. */
    void add(NetfilterEvent e, long order, List<TracedPacket> notCaptured) {
        if (e instanceof ConntrackEvent c) {
            conntrack.add(c);
            return;
        }
        NetfilterEvent event = e instanceof TraceHop h && rules != null ? rules.annotate(h) : e;
        PacketFields p = PacketCorrelator.fields(event);
        Observation o = null;
        String traceId = event instanceof TraceHop h && h.traceId() != null ? h.source() + "/" + h.traceId() : null;
        if (traceId != null) {
            o = traces.get(traceId);
        }
        boolean fresh = o == null;
        if (fresh) {
            o = new Observation(traceId);
        }
        int tuplesBefore = o.tuples.size();
        long idBefore = o.ipId;
        o.add(event, order, p);
        if (fresh) {
            byAge.add(o);
            if (traceId != null) {
                traces.put(traceId, o);
            }
            while (byAge.size() > cap) {
                evicted++;
                forget(byAge.pollFirst(), notCaptured);
            }
        }
        if (o.ipId != idBefore || o.tuples.size() != tuplesBefore) {
            index(o);
        }
    }

    private void index(Observation o) {
        for (long key : keys(o)) {
            List<Observation> list = byKey.computeIfAbsent(key, k -> new ArrayList<>(2));
            if (!list.contains(o)) {
                list.add(o);
            }
        }
    }

    private static List<Long> keys(Observation o) {
        return o.ipId >= 0 ? List.of(ipv4Key(o.protocol, o.ipId)) : portKeys(o);
    }

    /** DNAT keeps the source port, SNAT the destination port: an IPv6 packet is found by either. */
    private static List<Long> portKeys(Observation o) {
        List<Long> keys = new ArrayList<>();
        for (Tuple t : o.tuples) {
            keys.add(portKey(o.protocol, 0, t.srcPort()));
            keys.add(portKey(o.protocol, 1, t.dstPort()));
        }
        return keys;
    }

    /** The observations a packet with these keys may be. */
    List<Observation> candidates(int protocol, long ipId, int srcPort, int dstPort) {
        if (ipId >= 0) {
            return byKey.getOrDefault(ipv4Key(protocol, ipId), List.of());
        }
        List<Observation> out = new ArrayList<>(byKey.getOrDefault(portKey(protocol, 0, srcPort), List.of()));
        for (Observation o : byKey.getOrDefault(portKey(protocol, 1, dstPort), List.of())) {
            if (!out.contains(o)) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * Lets go of observations older than {@code beforeNanos} (those with no time stay until {@link #expireAll});
     * the unmatched ones are added to {@code notCaptured}.
     */
    void expire(long beforeNanos, List<TracedPacket> notCaptured) {
        for (Iterator<Observation> it = byAge.iterator(); it.hasNext(); ) {
            Observation o = it.next();
            if (o.time >= 0 && o.time < beforeNanos) {
                it.remove();
                forget(o, notCaptured);
            }
        }
    }

    void expireAll(List<TracedPacket> notCaptured) {
        while (!byAge.isEmpty()) {
            forget(byAge.pollFirst(), notCaptured);
        }
    }

    private void forget(Observation o, List<TracedPacket> notCaptured) {
        if (o.traceId != null) {
            traces.remove(o.traceId);
        }
        List<Long> all = new ArrayList<>(portKeys(o)); // also those it had before its IPv4 id was known
        all.addAll(keys(o));
        for (long key : all) {
            List<Observation> list = byKey.get(key);
            if (list != null) {
                list.remove(o);
                if (list.isEmpty()) {
                    byKey.remove(key);
                }
            }
        }
        PacketFields p = o.firstPacket();
        if (!o.matched && p != null) {
            notCaptured.add(PacketCorrelator.traced(false, o.time, null, null, p.tuple(), p.ipId(), p.seq(),
                    p.tcpFlags(), List.of(o), conntrack, false));
        }
    }

    /** Observations dropped because more than the cap were open. */
    long evicted() {
        return evicted;
    }

    private static long ipv4Key(int protocol, long ipId) {
        return ((long) (protocol & 0xff) << 40) | (ipId & 0xffff);
    }

    /** For IPv6, which has no identification: protocol and one port ({@code side} 0 source, 1 destination). */
    private static long portKey(int protocol, int side, int port) {
        return (1L << 62) | ((long) side << 48) | ((long) (protocol & 0xff) << 40) | (port & 0xffffffffL);
    }
}
