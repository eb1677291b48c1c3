package io.podcap.netfilter;

/**
 * Conntrack events by tuple, the latest event of a connection winning: lookups stay O(1) per packet. Bounded: the
 * least recently added connections go first.
 */
final class ConntrackTable {
    private final BoundedMap<Tuple, ConntrackEvent> forward; // original and translated tuples
    private final BoundedMap<Tuple, ConntrackEvent> reply;   // reply and de-translated tuples
    private final BoundedMap<Tuple, ConntrackEvent> byOriginal;

    ConntrackTable(int connections) {
        forward = new BoundedMap<>(2 * connections);
        reply = new BoundedMap<>(2 * connections);
        byOriginal = new BoundedMap<>(connections);
    }

    /** Connections forgotten because the table was full. */
    long evicted() {
        return byOriginal.evicted();
    }

    void add(ConntrackEvent e) {
        forward.put(e.original(), e);
        forward.put(e.translated(), e);
        reply.put(e.reply(), e);
        reply.put(e.original().reversed(), e);
        byOriginal.put(e.original(), e);
    }

    /** The connection whose packets in the original direction have this tuple (before or after NAT). */
    ConntrackEvent forward(Tuple t) {
        return forward.get(t);
    }

    /** The connection whose reply packets have this tuple (before or after NAT). */
    ConntrackEvent reply(Tuple t) {
        return reply.get(t);
    }

    /** The connection this tuple belongs to, in either direction. */
    ConntrackEvent any(Tuple t) {
        ConntrackEvent e = forward.get(t);
        return e != null ? e : reply.get(t);
    }

    ConntrackEvent byOriginal(Tuple t) {
        return byOriginal.get(t);
    }

    /** Whether two tuples are one packet's, before and after the connection's NAT. */
    boolean samePacket(Tuple a, Tuple b) {
        ConntrackEvent f = forward.get(a);
        if (f != null && f == forward.get(b)) {
            return true;
        }
        ConntrackEvent r = reply.get(a);
        return r != null && r == reply.get(b);
    }
}
