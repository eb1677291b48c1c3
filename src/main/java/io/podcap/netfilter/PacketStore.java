package io.podcap.netfilter;

import io.netty.buffer.ByteBuf;
import io.podcap.capture.PacketView;
import io.podcap.decode.IpProtocol;
import io.podcap.decode.PacketDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The captured packets a correlation needs, as primitive columns of a fixed-size ring: adding one decodes it and
 * copies a few numbers, allocating nothing. One thread adds, one other may take ({@link #end()} and
 * {@link #taken(long)} publish the two cursors); when the ring is full the newest packet is dropped and counted.
 */
final class PacketStore {
    /** SLL/SLL2 packet type of a packet this host sent. */
    static final int OUTGOING = 4;
    private static final int PROBE_SCAN_BYTES = 2048;
    private static final byte[] PROBE_AGENT = "User-Agent: kube-probe/".getBytes(StandardCharsets.US_ASCII);

    final int capacity;
    final long[] time;
    final int[] ifindex;
    final int[] direction; // SLL packet type, -1 unknown
    final int[] ipVersion;
    final int[] protocol;
    final int[] src4;
    final int[] dst4;
    final long[] src6hi;
    final long[] src6lo;
    final long[] dst6hi;
    final long[] dst6lo;
    final int[] srcPort;
    final int[] dstPort;
    final long[] ipId;
    final long[] seq;
    final int[] tcpFlags;
    final int[] payloadLength;
    final boolean[] probeAgent;
    final String[] interfaceName; // interned by the capture's PacketSource, not made per packet

    private final PacketDecoder decoder = new PacketDecoder();
    private volatile long added;   // written by the adding thread only
    private volatile long taken;   // written by the taking thread only
    private long dropped;
    private long notIp;
    private volatile long droppedPublished; // copies for other threads, written by publish()
    private volatile long notIpPublished;

    PacketStore(int capacity) {
        this.capacity = capacity;
        time = new long[capacity];
        ifindex = new int[capacity];
        direction = new int[capacity];
        ipVersion = new int[capacity];
        protocol = new int[capacity];
        src4 = new int[capacity];
        dst4 = new int[capacity];
        src6hi = new long[capacity];
        src6lo = new long[capacity];
        dst6hi = new long[capacity];
        dst6lo = new long[capacity];
        srcPort = new int[capacity];
        dstPort = new int[capacity];
        ipId = new long[capacity];
        seq = new long[capacity];
        tcpFlags = new int[capacity];
        payloadLength = new int[capacity];
        probeAgent = new boolean[capacity];
        interfaceName = new String[capacity];
    }

    /** Keeps the packet's headers; false (and counted) when it is not IP. */
    boolean add(PacketView v, String ifname) {
        PacketDecoder d = decoder;
        if (!d.decode(v)) {
            notIp++;
            return false;
        }
        long at = added;
        if (at - taken >= capacity) {
            dropped++;
            return false;
        }
        int i = (int) (at % capacity);
        time[i] = v.timestampNanos();
        ifindex[i] = d.sll2Ifindex() >= 0 ? d.sll2Ifindex() : v.ifindex();
        direction[i] = d.sllPacketType();
        ipVersion[i] = d.ipVersion();
        protocol[i] = d.protocol();
        src4[i] = d.ipv4Src();
        dst4[i] = d.ipv4Dst();
        src6hi[i] = d.ipv6SrcHi();
        src6lo[i] = d.ipv6SrcLo();
        dst6hi[i] = d.ipv6DstHi();
        dst6lo[i] = d.ipv6DstLo();
        boolean icmp = d.protocol() == IpProtocol.ICMP || d.protocol() == IpProtocol.ICMPV6;
        srcPort[i] = icmp ? d.icmpId() : d.srcPort(); // conntrack keys ICMP echo by its identifier
        dstPort[i] = icmp ? d.icmpId() : d.dstPort();
        ipId[i] = d.ipVersion() == 4 ? d.ipId() : -1;
        seq[i] = d.tcpSeq();
        tcpFlags[i] = d.tcpFlags();
        payloadLength[i] = d.payloadLength();
        // a probe's request fits its first segment: look only there, and only in TCP
        probeAgent[i] = d.protocol() == IpProtocol.TCP && d.payloadLength() > 0
                && contains(d.buffer(), d.payloadOffset(), Math.min(d.payloadLength(), PROBE_SCAN_BYTES));
        interfaceName[i] = ifname;
        added = at + 1; // publishes the slot
        return true;
    }

    private static boolean contains(ByteBuf buf, int from, int length) {
        int last = from + length - PROBE_AGENT.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < PROBE_AGENT.length; j++) {
                if (buf.getByte(i + j) != PROBE_AGENT[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Sequence number of the first packet not yet taken. */
    long taken() {
        return taken;
    }

    /** Sequence number after the last packet added. */
    long end() {
        return added;
    }

    /** Gives the slots before {@code sequence} back to the adding thread. */
    void taken(long sequence) {
        taken = sequence;
    }

    int slot(long sequence) {
        return (int) (sequence % capacity);
    }

    String src(int i) {
        return ipVersion[i] == 4 ? PacketDecoder.formatIpv4(src4[i]) : PacketDecoder.formatIpv6(src6hi[i], src6lo[i]);
    }

    String dst(int i) {
        return ipVersion[i] == 4 ? PacketDecoder.formatIpv4(dst4[i]) : PacketDecoder.formatIpv6(dst6hi[i], dst6lo[i]);
    }

    Tuple tuple(int i) {
        return new Tuple(protocol[i], src(i), srcPort[i], dst(i), dstPort[i]);
    }

    /** Packets not kept because the ring was full (nothing taken them in time). */
    long dropped() {
        return dropped;
    }

    long notIp() {
        return notIp;
    }

    /** Makes the adding thread's counters readable by others: once per batch, not per packet. */
    void publish() {
        droppedPublished = dropped;
        notIpPublished = notIp;
    }

    long droppedPublished() {
        return droppedPublished;
    }

    long notIpPublished() {
        return notIpPublished;
    }
}
