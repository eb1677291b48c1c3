package io.podcap.netfilter;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.IpProtocol;
import io.podcap.decode.TcpFlags;
import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Joins captured packets with what netfilter reported about them (trace hops, LOG/NFLOG records, conntrack events)
 * and names what is wrong.
 *
 * <p>A captured packet and a traced one are the same when protocol, IPv4 identification and TCP sequence (when both
 * have one) agree, their times are within the window (when both are known), and their tuples are equal or differ by
 * NAT: only on one side (a DNAT or SNAT between the two hooks), or as a conntrack entry's original and reply tuples
 * say. IPv6 packets have no identification: candidates share the source or destination port, then the rest decides.
 *
 * <p>Packets arrive through {@link #onPacket} on one thread (a capture's reader thread, or a file reader) and cost no
 * allocation or lock there; events may come from any thread through {@link #onEvent}. {@link #drain} correlates the
 * packets older than a time on another thread (or the same) and lets go of events that can no longer match;
 * {@link #finish()} takes the rest and names the findings. Every table is bounded and counts what it drops: packets
 * waiting to be drained, events waiting, open observations and conntrack entries, packets kept for the diagnosis.
 *
 * <pre>{@code
 * PacketCorrelator c = PacketCorrelator.builder().serviceAddresses(Set.of("10.96.0.10")).build();
 * XtablesMonitorParser trace = new XtablesMonitorParser();
 * lines.forEach(l -> trace.parse(l, c::onEvent));
 * reader.readAll(c);                      // a PcapReader, or .handler(c) of a Capture
 * CorrelationReport report = c.finish();
 * }</pre>
 */
public final class PacketCorrelator implements PacketHandler {
    private final long windowNanos;
    private final int maxEvents;
    private final Set<String> serviceAddresses;
    private final Set<String> nodeAddresses;
    private final long masqueradeMark;
    private final int maxPackets;
    private final PacketStore packets;
    private final ConcurrentLinkedQueue<Arrived> events = new ConcurrentLinkedQueue<>();
    private final AtomicInteger eventCount = new AtomicInteger();
    private final AtomicLong eventsDropped = new AtomicLong();
    private final AtomicLong arrivals = new AtomicLong();
    // the consumer's side: drain() and finish()
    private final ConntrackTable conntrack;
    private final ObservationIndex index;
    private final ArrayDeque<TracedPacket> retained = new ArrayDeque<>();
    private long withoutEvents;
    private long withoutPacket;
    private long forgotten;

    private PacketCorrelator(Builder b) {
        windowNanos = b.window.toNanos();
        maxEvents = b.maxEvents;
        serviceAddresses = Set.copyOf(b.serviceAddresses);
        nodeAddresses = Set.copyOf(b.nodeAddresses);
        masqueradeMark = b.masqueradeMark;
        maxPackets = b.maxPackets;
        packets = new PacketStore(b.maxPackets);
        conntrack = new ConntrackTable(b.maxEvents);
        index = new ObservationIndex(b.maxEvents, b.rules, conntrack);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The node's addresses as a pod namespace sees them: those of the host end of its veths and of the bridge that
     * end is enslaved to (the CNI bridge, the pod's gateway), where a kubelet probe comes from. Global scope only.
     */
    public static List<String> nodeSideAddresses(NamespaceSpec pod) {
        List<NetInterface> host = null;
        List<String> out = new ArrayList<>();
        for (NetInterface i : Interfaces.list(pod)) {
            if (i.hostPeer().isEmpty()) {
                continue;
            }
            if (host == null) {
                host = Interfaces.list(NamespaceSpec.host());
            }
            int peer = i.hostPeer().get().ifindex();
            for (NetInterface h : host) {
                if (h.ifindex() == peer) {
                    h.addresses().stream().filter(a -> a.scope() == 0).forEach(a -> out.add(a.ip()));
                    int master = h.master();
                    host.stream().filter(b -> master > 0 && b.ifindex() == master)
                            .forEach(b -> b.addresses().stream().filter(a -> a.scope() == 0)
                                    .forEach(a -> out.add(a.ip())));
                }
            }
        }
        return out;
    }

    /** The addresses on {@code kube-ipvs0} in a namespace (kube-proxy binds every ClusterIP there in IPVS mode). */
    public static List<String> kubeIpvsAddresses(NamespaceSpec namespace) {
        List<String> out = new ArrayList<>();
        for (NetInterface i : Interfaces.list(namespace)) {
            if (i.name().equals("kube-ipvs0")) {
                i.addresses().forEach(a -> out.add(a.ip()));
            }
        }
        return out;
    }

    /** A captured packet. Allocates nothing; call from one thread only. */
    @Override
    public void onPacket(PacketView packet) {
        packets.add(packet, packet.source() == null ? null : packet.interfaceName());
    }

    @Override
    public void onBatchEnd() {
        packets.publish();
    }

    @Override
    public void onIdle() {
        packets.publish();
    }

    /** An event from any source; thread-safe. Events keep the order they arrive in. */
    public void onEvent(NetfilterEvent event) {
        events.add(new Arrived(arrivals.getAndIncrement(), Objects.requireNonNull(event, "event")));
        if (eventCount.incrementAndGet() > maxEvents) {
            if (events.poll() != null) {
                eventCount.decrementAndGet();
                eventsDropped.incrementAndGet();
            }
        }
    }

    /**
     * Correlates the captured packets older than {@code beforeNanos} and returns them, with the traced packets
     * whose observations expired unmatched (not captured). Live, call it now and then with the current time less a
     * hold-back of about the window, so that late trace lines still find their packet. {@code Long.MAX_VALUE} takes
     * everything. Call from one thread (not necessarily the packets' thread).
     */
    public List<TracedPacket> drain(long beforeNanos) {
        List<TracedPacket> out = new ArrayList<>();
        List<TracedPacket> notCaptured = new ArrayList<>();
        for (Arrived a; (a = events.poll()) != null; ) {
            eventCount.decrementAndGet();
            index.add(a.event(), a.order(), notCaptured);
        }
        long s = packets.taken();
        for (long end = packets.end(); s < end; s++) {
            int i = packets.slot(s);
            if (packets.time[i] >= beforeNanos) {
                break;
            }
            out.add(correlate(i));
        }
        packets.taken(s);
        if (beforeNanos == Long.MAX_VALUE) {
            index.expireAll(notCaptured);
        } else {
            index.expire(beforeNanos - windowNanos, notCaptured);
        }
        withoutPacket += notCaptured.size();
        out.addAll(notCaptured);
        for (TracedPacket p : out) {
            retained.add(p);
            if (retained.size() > maxPackets) {
                retained.pollFirst();
                forgotten++;
            }
        }
        return out;
    }

    /** The capture time of the last packet added, or -1. */
    public long latestPacketTime() {
        long end = packets.end();
        return end == 0 ? -1 : packets.time[packets.slot(end - 1)];
    }

    /**
     * Takes everything left ({@link #drain} with {@code Long.MAX_VALUE}) and diagnoses the packets kept: call once
     * packets have stopped arriving (the capture closed). The report holds all kept packets, drained before or not.
     */
    public CorrelationReport finish() {
        drain(Long.MAX_VALUE);
        List<TracedPacket> all = new ArrayList<>(retained);
        List<Finding> findings = diagnose(all);
        return new CorrelationReport(all, findings, withoutEvents, withoutPacket, packets.dropped(), forgotten,
                eventsDropped.get() + index.evicted() + conntrack.evicted(), packets.notIp());
    }

    /**
     * The findings in the packets drained so far and kept (live, for metrics; the last window's packets are not in
     * yet). Allocates and costs a pass over the kept packets: call it now and then from {@link #drain}'s thread.
     */
    public List<Finding> findings() {
        return diagnose(new ArrayList<>(retained));
    }

    /** Counters so far; call from {@link #drain}'s thread (packet-side counters are as of the capture's last batch). */
    public CorrelatorStats stats() {
        return new CorrelatorStats(packets.end(), withoutEvents, withoutPacket, packets.droppedPublished(), forgotten,
                eventsDropped.get() + index.evicted() + conntrack.evicted(), packets.notIpPublished());
    }

    private List<Finding> diagnose(List<TracedPacket> all) {
        return new Diagnoses(serviceAddresses, nodeAddresses, masqueradeMark, conntrack).diagnose(all);
    }

    private TracedPacket correlate(int i) {
        Tuple tuple = packets.tuple(i);
        List<Observation> matches = new ArrayList<>();
        for (Observation o : index.candidates(packets.protocol[i], packets.ipId[i], packets.srcPort[i],
                packets.dstPort[i])) {
            if (matches(o, i, tuple)) {
                o.matched = true;
                matches.add(o);
            }
        }
        if (matches.isEmpty()) {
            withoutEvents++;
        }
        return traced(true, packets.time[i], packets.interfaceName[i], direction(packets.direction[i]), tuple,
                packets.ipId[i], packets.seq[i], packets.tcpFlags[i], matches, conntrack, packets.probeAgent[i]);
    }

    private boolean matches(Observation o, int i, Tuple tuple) {
        if (o.protocol != packets.protocol[i]) {
            return false;
        }
        if (o.seq >= 0 && packets.seq[i] >= 0 && o.seq != packets.seq[i]) {
            return false;
        }
        if (o.time >= 0 && packets.time[i] > 0 && Math.abs(o.time - packets.time[i]) > windowNanos) {
            return false;
        }
        for (Tuple t : o.tuples) {
            if (t.equals(tuple) || t.sameSource(tuple) || t.sameDestination(tuple) || conntrack.samePacket(t, tuple)) {
                return true;
            }
        }
        return false;
    }

    private static String direction(int sllPacketType) {
        return sllPacketType < 0 ? null : sllPacketType == PacketStore.OUTGOING ? "out" : "in";
    }

    static TracedPacket traced(boolean captured, long time, String iface, String direction, Tuple tuple,
                                       long ipId, long seq, int flags, List<Observation> matches,
                                       ConntrackTable conntrack, boolean probe) {
        List<NetfilterEvent> events = new ArrayList<>();
        List<Long> order = new ArrayList<>();
        for (Observation o : matches) {
            events.addAll(o.events);
            order.addAll(o.order);
        }
        Integer[] idx = new Integer[events.size()];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = k;
        }
        Arrays.sort(idx, Comparator.comparingLong(order::get));
        List<TraceHop> hops = new ArrayList<>();
        List<LogEvent> logs = new ArrayList<>();
        Set<Long> marks = new LinkedHashSet<>();
        Set<Tuple> tuples = new LinkedHashSet<>();
        String in = null;
        String out = null;
        for (Integer k : idx) {
            NetfilterEvent e = events.get(k);
            if (e instanceof TraceHop h) {
                hops.add(h);
            } else if (e instanceof LogEvent l) {
                logs.add(l);
            }
            PacketFields p = fields(e);
            if (p == null) {
                continue;
            }
            if (p.hasAddresses()) {
                tuples.add(p.tuple());
            }
            if (p.mark() >= 0) {
                marks.add(p.mark());
            }
            if (p.in() != null && !p.in().isEmpty()) {
                in = p.in();
            }
            if (p.out() != null && !p.out().isEmpty()) {
                out = p.out();
            }
        }
        if (captured) {
            tuples.add(tuple);
        }
        return new TracedPacket(time, captured, iface, direction, summary(tuple, flags), tuple, ipId, seq, flags,
                hops, logs, nat(tuples, conntrack), new ArrayList<>(marks), in, out, probe);
    }

    /** Conntrack's view when it has the connection, else the first and last tuple the packet was seen with. */
    private static Nat nat(Collection<Tuple> seen, ConntrackTable conntrack) {
        for (Tuple t : seen) {
            ConntrackEvent f = conntrack.forward(t);
            if (f != null && (f.isDnat() || f.isSnat())) {
                return Nat.of(f.original(), f.translated(), "conntrack");
            }
            ConntrackEvent r = conntrack.reply(t);
            if (r != null && (r.isDnat() || r.isSnat())) {
                return Nat.of(r.reply(), r.original().reversed(), "conntrack");
            }
        }
        if (seen.size() < 2) {
            return null;
        }
        List<Tuple> list = new ArrayList<>(seen);
        return Nat.of(list.get(0), list.get(list.size() - 1), "trace");
    }

    private record Arrived(long order, NetfilterEvent event) {
    }

    static PacketFields fields(NetfilterEvent e) {
        if (e instanceof TraceHop h) {
            return h.packet();
        }
        if (e instanceof LogEvent l) {
            return l.packet();
        }
        return null;
    }

    /** {@code SYN 10.20.0.1:44662 > 10.19.9.120:6443}; {@code ICMP 10.0.0.1 > 10.0.0.2 id 7}; others by protocol. */
    static String summary(Tuple t, int tcpFlags) {
        String what;
        if (t.protocol() == IpProtocol.TCP) {
            StringBuilder sb = new StringBuilder();
            String[] names = {"SYN", "FIN", "RST", "PSH", "ACK", "URG"};
            int[] bits = {TcpFlags.SYN, TcpFlags.FIN, TcpFlags.RST, TcpFlags.PSH, TcpFlags.ACK, TcpFlags.URG};
            for (int k = 0; k < bits.length; k++) {
                if ((tcpFlags & bits[k]) != 0) {
                    sb.append(sb.length() == 0 ? "" : "-").append(names[k]);
                }
            }
            what = sb.length() == 0 ? "TCP" : sb.toString();
        } else if (t.protocol() == IpProtocol.ICMP || t.protocol() == IpProtocol.ICMPV6) {
            // the echo identifier stands in for both ports (as conntrack has it): show it as what it is
            return IpProtocol.name(t.protocol()) + " " + t.src() + " > " + t.dst()
                    + (t.srcPort() >= 0 ? " id " + t.srcPort() : "");
        } else {
            what = IpProtocol.name(t.protocol());
        }
        return what + " " + t;
    }

    public static final class Builder {
        private Duration window = Duration.ofSeconds(5);
        private int maxPackets = 65_536;
        private int maxEvents = 262_144;
        private Set<String> serviceAddresses = Set.of();
        private Set<String> nodeAddresses = Set.of();
        private long masqueradeMark = 0x4000;
        private RuleSet rules;

        private Builder() {
        }

        /** Most time between a captured packet and its trace/log record (when both have times); default 5 s. */
        public Builder window(Duration window) {
            this.window = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * Captured packets waiting for {@link #drain} (beyond, the newest is dropped) and correlated packets kept for
         * the diagnosis (beyond, the oldest is forgotten); default 65536, both counted.
         */
        public Builder maxPackets(int n) {
            this.maxPackets = positive(n);
            return this;
        }

        /** Events waiting, open observations and conntrack connections (default 262144 each), beyond: counted. */
        public Builder maxEvents(int n) {
            this.maxEvents = positive(n);
            return this;
        }

        /** Service VIPs (the addresses on kube-ipvs0, or ClusterIPs you know). */
        public Builder serviceAddresses(Collection<String> addresses) {
            this.serviceAddresses = canonical(addresses);
            return this;
        }

        /** The node's own addresses: TCP from them to a pod is how a kubelet probe arrives. */
        public Builder nodeAddresses(Collection<String> addresses) {
            this.nodeAddresses = canonical(addresses);
            return this;
        }

        /** The mark kube-proxy sets to ask for masquerade (default 0x4000, {@code --iptables-masquerade-bit=14}). */
        public Builder masqueradeMark(long mark) {
            this.masqueradeMark = mark;
            return this;
        }

        /** The ruleset, to give legacy TRACE hops their rule text. */
        public Builder rules(RuleSet rules) {
            this.rules = rules;
            return this;
        }

        public PacketCorrelator build() {
            return new PacketCorrelator(this);
        }

        private static Set<String> canonical(Collection<String> addresses) {
            Set<String> out = new LinkedHashSet<>();
            for (String a : addresses) {
                String c = Addresses.canonical(a);
                if (c == null) {
                    throw new IllegalArgumentException("not an IP address: " + a);
                }
                out.add(c);
            }
            return out;
        }

        private static int positive(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("must be positive, not " + n);
            }
            return n;
        }
    }
}
