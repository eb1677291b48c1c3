package io.podcap.netfilter;

/**
 * A {@link PacketCorrelator}'s counters while it runs (the final ones are in {@link CorrelationReport}).
 *
 * @param packets         captured IP packets kept for correlation
 * @param withoutEvents   correlated captured packets no trace, log or conntrack event matched
 * @param withoutPacket   traced/logged packets that were not captured
 * @param packetsDropped  captured packets not kept because the packet table was full
 * @param packetsForgotten correlated packets dropped from the diagnosis beyond the cap
 * @param eventsDropped   events and open observations dropped beyond their caps
 * @param packetsNotIp    captured packets that were not IP
 */
public record CorrelatorStats(long packets, long withoutEvents, long withoutPacket, long packetsDropped,
                              long packetsForgotten, long eventsDropped, long packetsNotIp) {
}
