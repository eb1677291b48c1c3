package io.podcap.netfilter;

import java.util.List;

/**
 * One packet and what netfilter did to it.
 *
 * @param timeNanos  capture time (or the first event's time for a packet only a trace saw), -1 when unknown
 * @param captured   false for a packet seen in a trace or log but not in the capture
 * @param iface      interface it was captured on, null when not captured
 * @param direction  {@code out} (sent from the namespace), {@code in}, or null when the capture does not say
 * @param summary    {@code SYN 10.20.0.1:44662 > 10.19.9.120:6443}
 * @param tuple      addresses and ports as captured (as first traced when not captured)
 * @param ipId       IPv4 identification, -1 for IPv6
 * @param hops       the trace hops in order: table, chain, rule, verdict, rule text
 * @param logs       LOG and NFLOG records of the packet
 * @param nat        the translation it got, or null
 * @param marks      the distinct packet marks seen along the way, in order (0 included when it changed)
 * @param in         input interface netfilter reported, or null
 * @param out        output interface netfilter reported, or null
 * @param kubeProbe  an HTTP request with {@code User-Agent: kube-probe/} (a kubelet probe)
 */
public record TracedPacket(long timeNanos, boolean captured, String iface, String direction, String summary,
                           Tuple tuple, long ipId, long seq, int tcpFlags, List<TraceHop> hops, List<LogEvent> logs,
                           Nat nat, List<Long> marks, String in, String out, boolean kubeProbe) {
    public TracedPacket {
        hops = List.copyOf(hops);
        logs = List.copyOf(logs);
        marks = List.copyOf(marks);
    }

    /** The last hop's verdict, or null. */
    public TraceHop lastHop() {
        return hops.isEmpty() ? null : hops.get(hops.size() - 1);
    }
}
