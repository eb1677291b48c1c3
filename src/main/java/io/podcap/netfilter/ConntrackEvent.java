package io.podcap.netfilter;

/**
 * A conntrack event ({@code conntrack -E}): the connection's original and reply tuples. The reply tuple is what the
 * other end sends back, so a destination NAT shows as a reply source different from the original destination, and a
 * source NAT as a reply destination different from the original source.
 *
 * @param type  NEW, UPDATE or DESTROY
 * @param state TCP state (SYN_SENT, ESTABLISHED, ...), null for other protocols
 */
public record ConntrackEvent(long timeNanos, String type, String state, Tuple original, Tuple reply,
                             boolean unreplied, boolean assured, long mark) implements NetfilterEvent {
    @Override
    public Source source() {
        return Source.CONNTRACK;
    }

    public boolean isDnat() {
        return !original.sameDestination(reply.reversed());
    }

    public boolean isSnat() {
        return !original.sameSource(reply.reversed());
    }

    /** Where the original packets go after NAT: the reply tuple turned around. */
    public Tuple translated() {
        return reply.reversed();
    }
}
