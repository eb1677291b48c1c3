package io.podcap.flow;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import io.podcap.decode.IpProtocol;
import io.podcap.decode.PacketDecoder;
import io.podcap.decode.TcpFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Bidirectional flows and TCP analysis of the packets fed to it, in a fixed number of slots.
 *
 * <p>A flow is keyed by where it was seen (the packet's {@link PacketSource} and interface index), the IP protocol and
 * both endpoints (address and port; for ICMP echo the identifier instead of ports), in either direction. Per-flow state
 * lives in primitive arrays indexed by slot and an open-addressing index finds the slot: feeding a packet allocates
 * nothing. Records ({@link FlowRecord}) are made only when a flow ends or for a snapshot.
 *
 * <p>The client is the side that sent the first SYN (the receiver of a SYN-ACK, when that is the first packet seen),
 * the sender of an ICMP echo request; otherwise, for UDP, other protocols and TCP seen mid-stream: when exactly one
 * port is below 1024 that side is the server; else when exactly one port is 32768 or above (ephemeral) that side is
 * the client; else the sender of the first packet seen.
 *
 * <p>Time is packet time: each packet advances the table's clock to its timestamp (never back), and flows whose state's
 * idle timeout has passed end as {@link FlowEnd#TIMEOUT}; closed and reset flows end as {@link FlowEnd#CLOSED} /
 * {@link FlowEnd#RESET} after staying quiet for the closed timeout (so late ACKs and retransmitted FINs still count).
 * When a live capture goes quiet it calls {@link #onIdle()}, which advances the clock to the wall clock; other feeders
 * call {@link #expire(long)} now and then. When all slots are in use, the flow idle the longest is ended as
 * {@link FlowEnd#EVICTED} to make room.
 *
 * <p>Not thread-safe: one thread feeds it and calls everything else (or callers serialize access).
 */
public final class FlowTable implements PacketHandler {
    // bits of a slot's BITS field
    private static final int CLIENT_IS_A = 1;
    private static final int SYN_SEEN = 2;
    private static final int SYN_ACK_SEEN = 4;
    private static final int HTTP_CHECKED = 8;
    private static final int RTT_SEEN = 16;
    private static final int FREE = -1;

    private final int capacity;
    private final long[] timeouts = new long[IdleLists.COUNT];
    private final int httpBytes;
    private final FlowKeys keys;
    private final IdleLists idle;
    private final PacketDecoder decoder = new PacketDecoder();
    private final List<FlowListener> listeners = new ArrayList<>();
    private FlowListener[] listenerArray = new FlowListener[0];
    private boolean recordsWanted; // some listener wants a FlowRecord at each flow's end

    // Per-slot state in primitive arrays. What every packet touches is grouped per slot: `slots` holds the key, the
    // last timestamp, the idle links (see FlowKeys) and from FlowKeys.COUNTERS on the counters below; `info` the
    // smaller fields after them. dir 0 is client to server.
    private static final int PACKETS = 0; // + dir
    private static final int BYTES = 2; // + dir
    private static final int SEQ_END = 4; // + dir: highest sequence number + length seen, -1 before any
    private static final int FIRST_TS = 6;
    private static final int SYN_TS = 7;
    private static final int INFO = 8;
    private static final int STATE = 0; // FlowState ordinal, FREE
    private static final int BITS = 1;
    private static final int RST_FROM = 2; // Side bits
    private static final int FIN_FROM = 3; // Side bits
    private static final int SYN_RETRANSMITS = 4;
    private static final int RETRANSMITS = 5;
    private static final int ZERO_WINDOW = 6;
    private static final int FLAGS = 7;
    private final long[] slots;
    private final int[] info; // [slot * INFO + field], the fields below
    private final long[] rtt; // valid with RTT_SEEN
    private final byte[][] http; // per slot, made the first time the slot sees a request, then reused
    private final short[] httpLength;

    private PacketSource[] sources = new PacketSource[4];
    private int sourceCount;
    private PacketSource lastSource;
    private int lastSourceId;
    private final Map<Long, String> ifaceNames = new HashMap<>();
    private final AddressNames addressNames = new AddressNames();
    private long lastIfaceKey;
    private String lastIface;

    private long touched; // keeps prefetch loads from being optimized away

    private long now = Long.MIN_VALUE;
    private long nextExpiry = Long.MAX_VALUE; // no flow times out before this (a lower bound, exact after expireIdle)
    private long packetCount;
    private long unattributed;
    private long partial;
    private long flowCount;
    private int live;
    private long expired;
    private long evicted;

    private FlowTable(Builder b) {
        capacity = b.capacity;
        timeouts[IdleLists.TCP_OPENING] = b.tcpOpening.toNanos();
        timeouts[IdleLists.TCP_OPEN] = b.tcpEstablished.toNanos();
        timeouts[IdleLists.TCP_ENDED] = b.tcpClosed.toNanos();
        timeouts[IdleLists.UDP] = b.udp.toNanos();
        timeouts[IdleLists.OTHER] = b.other.toNanos();
        httpBytes = b.httpBytes;
        slots = new long[capacity * FlowKeys.STRIDE];
        keys = new FlowKeys(slots, capacity);
        idle = new IdleLists(slots, capacity);
        info = new int[capacity * INFO];
        for (int i = 0; i < capacity; i++) {
            info[i * INFO + STATE] = FREE;
        }
        rtt = new long[capacity];
        http = new byte[capacity][];
        httpLength = new short[capacity];
        b.listeners.forEach(this::addListener);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Adds a listener (before feeding packets); see {@link FlowListener}. */
    public void addListener(FlowListener listener) {
        listeners.add(listener);
        listenerArray = listeners.toArray(new FlowListener[0]);
        recordsWanted |= listener.wantsRecords();
    }

    // ---- feeding ----

    @Override
    public void onPacket(PacketView v) {
        decoder.decode(v);
        onPacket(decoder, v);
    }

    /**
     * A handler that feeds this table a batch at a time, the faster way to feed it from a {@link PacketSource} that
     * delivers batches (a capture, a {@code PcapReader}): it loads the table entries of a group of packets at once
     * so that their memory accesses overlap. Packets are accounted when their group fills or the batch ends, in
     * order, with the same results.
     */
    public PacketHandler batched() {
        return new BatchFeeder(this);
    }

    /** Accounts a packet that {@code d} has just decoded from {@code v} (for callers that decode anyway). */
    public void onPacket(PacketDecoder d, PacketView v) {
        account(d, v, prepareKey(d, v));
    }

    /**
     * For {@link BatchFeeder}: prepares the key of the packet {@code d} has decoded from {@code v} and keeps it as
     * entry {@code j} of the batch; false when the packet is in no flow.
     */
    boolean prepare(PacketDecoder d, PacketView v, int j) {
        if (!prepareKey(d, v)) {
            return false;
        }
        keys.save(j);
        return true;
    }

    /** The index hash of the key last prepared. */
    int preparedHash() {
        return keys.hash();
    }

    /** For {@link BatchFeeder}: accounts the packet whose key {@link #prepare} kept as entry {@code j}. */
    void onPacket(PacketDecoder d, PacketView v, int j, boolean inFlow) {
        if (inFlow) {
            keys.load(j);
        }
        account(d, v, inFlow);
    }

    /** Accounts a packet whose key is prepared ({@code inFlow}) or that is in no flow. */
    private void account(PacketDecoder d, PacketView v, boolean inFlow) {
        packetCount++;
        long ts = v.timestampNanos();
        if (ts > now) {
            now = ts;
            if (now > nextExpiry) {
                expireIdle();
            }
        }
        if (!inFlow) {
            unattributed++;
            return;
        }
        int protocol = d.protocol();
        boolean icmp = protocol == IpProtocol.ICMP || protocol == IpProtocol.ICMPV6;
        boolean tcp = protocol == IpProtocol.TCP;
        boolean analyze = tcp && d.status() == PacketDecoder.OK;
        if (tcp && !analyze) {
            partial++;
        }
        int slot = keys.find();
        if (slot >= 0 && analyze && startsNewConnection(slot, d)) {
            end(slot, naturalEnd(slot, FlowEnd.REUSED)); // leaves the prepared key as it is
            slot = -1;
        }
        boolean fresh = slot < 0;
        if (fresh) {
            slot = start(d, ts, keys.srcPort(), keys.dstPort(), tcp, icmp);
        }
        boolean fromClient = keys.fromA() == ((info[slot * INFO + BITS] & CLIENT_IS_A) != 0);
        int dir = fromClient ? 0 : 1;
        int c = slot * FlowKeys.STRIDE + FlowKeys.COUNTERS;
        slots[c + PACKETS + dir]++;
        slots[c + BYTES + dir] += v.wirelen();
        int last = slot * FlowKeys.STRIDE + FlowKeys.LAST_TS;
        if (ts > slots[last]) {
            slots[last] = ts;
        }
        if (analyze) {
            tcp(slot, fromClient, fresh, d, ts);
        }
        int list = idleList(slot, protocol);
        idle.touch(slot, list);
        if (idle.head(list) == slot) { // only a new head can time out sooner than the others did
            nextExpiry = Math.min(nextExpiry, lastTs(slot) + timeouts[list]);
        }
        FlowListener[] ls = listenerArray;
        for (FlowListener l : ls) {
            l.onPacket(slot, fromClient, d, v);
        }
    }

    /** Sets the key of the decoded packet (and its ports) in {@link #keys}; false when it cannot be in a flow. */
    private boolean prepareKey(PacketDecoder d, PacketView v) {
        int protocol = d.protocol();
        boolean ports = protocol == IpProtocol.TCP || protocol == IpProtocol.UDP;
        boolean icmp = protocol == IpProtocol.ICMP || protocol == IpProtocol.ICMPV6;
        if (!d.hasLayer(PacketDecoder.NETWORK)
                || (ports || icmp) && !d.hasLayer(PacketDecoder.TRANSPORT)) {
            return false;
        }
        int srcPort = ports ? d.srcPort() : icmp ? Math.max(d.icmpId(), 0) : 0;
        int dstPort = ports ? d.dstPort() : srcPort;
        long meta = FlowKeys.meta(sourceId(v.source()), v.ifindex(), protocol, d.ipVersion());
        if (d.ipVersion() == 4) {
            keys.prepare(0, d.ipv4Src() & 0xffffffffL, srcPort, 0, d.ipv4Dst() & 0xffffffffL, dstPort, meta);
        } else {
            keys.prepare(d.ipv6SrcHi(), d.ipv6SrcLo(), srcPort, d.ipv6DstHi(), d.ipv6DstLo(), dstPort, meta);
        }
        return true;
    }

    /** Loads what the packets of these hashes will touch, all at once so that the cache misses overlap. */
    void prefetch(int[] hashes, int n) {
        long sum = keys.prefetch(hashes, n);
        FlowListener[] ls = listenerArray;
        for (int j = 0; j < n; j++) {
            int slot = hashes[j];
            if (slot >= 0) {
                sum += info[slot * INFO];
                for (FlowListener l : ls) {
                    sum += l.prefetch(slot);
                }
            }
        }
        touched += sum;
    }

    /** A SYN (no ACK) from the client side on a flow that is over or that started with another sequence number. */
    private boolean startsNewConnection(int slot, PacketDecoder d) {
        if ((d.tcpFlags() & (TcpFlags.SYN | TcpFlags.ACK)) != TcpFlags.SYN) {
            return false;
        }
        int st = info[slot * INFO + STATE];
        if (st == FlowState.CLOSED.ordinal() || st == FlowState.RESET.ordinal()) {
            return true;
        }
        boolean fromClient = keys.fromA() == ((info[slot * INFO + BITS] & CLIENT_IS_A) != 0);
        return fromClient && st != FlowState.SYN_SENT.ordinal() && (info[slot * INFO + BITS] & SYN_SEEN) != 0
                && counter(slot, SEQ_END) != ((d.tcpSeq() + 1) & 0xffffffffL);
    }

    private int start(PacketDecoder d, long ts, int srcPort, int dstPort, boolean tcp, boolean icmp) {
        if (keys.full()) {
            evictOldest();
        }
        int slot = keys.insert();
        boolean srcIsClient;
        if (tcp && d.hasTcpFlags(TcpFlags.SYN)) {
            srcIsClient = !d.hasTcpFlags(TcpFlags.ACK);
        } else if (icmp && isEcho(d)) {
            srcIsClient = d.icmpType() == 8 || d.icmpType() == 128;
        } else {
            srcIsClient = srcIsClient(srcPort, dstPort); // ports are 0 for protocols without them
        }
        int i = slot * INFO;
        Arrays.fill(info, i, i + INFO, 0);
        info[i + BITS] = srcIsClient == keys.fromA() ? CLIENT_IS_A : 0;
        info[i + STATE] = (tcp ? FlowState.ESTABLISHED : FlowState.ACTIVE).ordinal();
        slots[slot * FlowKeys.STRIDE + FlowKeys.LAST_TS] = ts;
        int c = slot * FlowKeys.STRIDE + FlowKeys.COUNTERS;
        Arrays.fill(slots, c, c + FlowKeys.STRIDE - FlowKeys.COUNTERS, 0);
        slots[c + FIRST_TS] = ts;
        slots[c + SEQ_END] = -1;
        slots[c + SEQ_END + 1] = -1;
        idle.add(slot, IdleLists.OTHER); // moved to its list right after the first packet
        flowCount++;
        live++;
        for (FlowListener l : listenerArray) {
            l.onFlowStart(slot);
        }
        return slot;
    }

    private static boolean isEcho(PacketDecoder d) {
        int t = d.icmpType();
        return d.protocol() == IpProtocol.ICMP ? t == 0 || t == 8 : t == 128 || t == 129;
    }

    /** The port rule for flows not opened by a SYN; see the class comment. */
    static boolean srcIsClient(int srcPort, int dstPort) {
        boolean srcLow = srcPort < 1024;
        boolean dstLow = dstPort < 1024;
        if (srcLow != dstLow) {
            return dstLow;
        }
        boolean srcEphemeral = srcPort >= 32768;
        boolean dstEphemeral = dstPort >= 32768;
        if (srcEphemeral != dstEphemeral) {
            return srcEphemeral;
        }
        return true;
    }

    private void tcp(int slot, boolean fromClient, boolean fresh, PacketDecoder d, long ts) {
        int f = d.tcpFlags();
        int dir = fromClient ? 0 : 1;
        int i = slot * INFO;
        int c = slot * FlowKeys.STRIDE + FlowKeys.COUNTERS;
        int st = info[i + STATE];
        if ((f & TcpFlags.RST) != 0) {
            if (info[i + RST_FROM] == 0) {
                info[i + RST_FROM] = fromClient ? Side.CLIENT_BIT : Side.SERVER_BIT;
            }
            info[i + STATE] = FlowState.RESET.ordinal();
            return;
        }
        if (st == FlowState.RESET.ordinal()) {
            return;
        }
        long seq = d.tcpSeq();
        if ((f & TcpFlags.SYN) != 0) {
            boolean opening = fresh || st == FlowState.SYN_SENT.ordinal();
            if ((f & TcpFlags.ACK) == 0 && fromClient) {
                if ((info[i + BITS] & SYN_SEEN) != 0) {
                    info[i + SYN_RETRANSMITS]++;
                }
                info[i + BITS] |= SYN_SEEN;
                slots[c + SYN_TS] = ts;
                slots[c + SEQ_END] = (seq + 1) & 0xffffffffL;
                if (opening) {
                    info[i + STATE] = FlowState.SYN_SENT.ordinal();
                }
            } else if ((f & TcpFlags.ACK) != 0 && !fromClient) {
                if ((info[i + BITS] & SYN_ACK_SEEN) != 0) {
                    info[i + RETRANSMITS]++;
                }
                info[i + BITS] |= SYN_ACK_SEEN;
                slots[c + SEQ_END + 1] = (seq + 1) & 0xffffffffL;
                if (opening) {
                    info[i + STATE] = FlowState.SYN_RECEIVED.ordinal();
                }
            }
            return;
        }
        if (st == FlowState.SYN_SENT.ordinal() || st == FlowState.SYN_RECEIVED.ordinal()) {
            // the client's ACK completes the handshake; anything else means the capture missed part of it
            if (st == FlowState.SYN_RECEIVED.ordinal() && fromClient && (f & TcpFlags.ACK) != 0
                    && (info[i + BITS] & SYN_SEEN) != 0) {
                rtt[slot] = ts - slots[c + SYN_TS];
                info[i + BITS] |= RTT_SEEN;
            }
            info[i + STATE] = FlowState.ESTABLISHED.ordinal();
        }
        boolean fin = (f & TcpFlags.FIN) != 0;
        if (d.tcpWindow() == 0 && !fin) {
            info[i + ZERO_WINDOW]++;
        }
        int length = d.payloadWireLength();
        sequence(slot, dir, seq, length, fin);
        if (fin) {
            int finFrom = info[i + FIN_FROM] |= fromClient ? Side.CLIENT_BIT : Side.SERVER_BIT;
            info[i + STATE] = (finFrom == (Side.CLIENT_BIT | Side.SERVER_BIT) ? FlowState.CLOSED
                    : FlowState.CLOSING).ordinal();
        }
        if (fromClient && length > 0 && (info[i + BITS] & HTTP_CHECKED) == 0) {
            info[i + BITS] |= HTTP_CHECKED;
            httpRequest(slot, d);
        }
    }

    /** Counts a segment as retransmitted when it ends at or before the highest sequence number seen that way. */
    private void sequence(int slot, int dir, long seq, int length, boolean fin) {
        int span = length + (fin ? 1 : 0);
        if (span == 0) {
            return;
        }
        int i = slot * FlowKeys.STRIDE + FlowKeys.COUNTERS + SEQ_END + dir;
        long end = (seq + span) & 0xffffffffL;
        long known = slots[i];
        if (known < 0 || (int) (end - known) > 0) {
            slots[i] = end;
        } else if (!(length == 1 && !fin && seq == ((known - 1) & 0xffffffffL))) {
            // a one-byte segment just below the edge is a keep-alive probe, not a retransmission
            info[slot * INFO + RETRANSMITS]++;
        }
    }

    /** Keeps the request line of the client's first data segment (valid once HTTP_CHECKED is set). */
    private void httpRequest(int slot, PacketDecoder d) {
        if (httpBytes == 0 || !HttpRequestLine.startsWithMethod(d.buffer(), d.payloadOffset(), d.payloadLength())) {
            httpLength[slot] = 0;
            return;
        }
        byte[] line = http[slot];
        if (line == null) {
            line = new byte[httpBytes]; // once per slot, reused by the slot's later flows
            http[slot] = line;
        }
        httpLength[slot] = (short) HttpRequestLine.copy(d.buffer(), d.payloadOffset(), d.payloadLength(), line);
    }

    private int sourceId(PacketSource source) {
        if (source == lastSource && sourceCount > 0) {
            return lastSourceId;
        }
        int id = -1;
        for (int i = 0; i < sourceCount; i++) {
            if (sources[i] == source) {
                id = i;
                break;
            }
        }
        if (id < 0) {
            if (sourceCount == 0xffff) {
                throw new IllegalStateException("more than 65535 packet sources");
            }
            if (sourceCount == sources.length) {
                sources = Arrays.copyOf(sources, sourceCount * 2);
            }
            id = sourceCount++;
            sources[id] = source;
        }
        lastSource = source;
        lastSourceId = id;
        return id;
    }

    private int idleList(int slot, int protocol) {
        if (protocol == IpProtocol.TCP) {
            int st = info[slot * INFO + STATE];
            if (st == FlowState.SYN_SENT.ordinal() || st == FlowState.SYN_RECEIVED.ordinal()) {
                return IdleLists.TCP_OPENING;
            }
            if (st == FlowState.CLOSED.ordinal() || st == FlowState.RESET.ordinal()) {
                return IdleLists.TCP_ENDED;
            }
            return IdleLists.TCP_OPEN;
        }
        return protocol == IpProtocol.UDP ? IdleLists.UDP : IdleLists.OTHER;
    }

    // ---- ending flows ----

    /** A live capture went quiet: advances the clock to the wall clock (as packet times are) and expires flows. */
    @Override
    public void onIdle() {
        expire(System.currentTimeMillis() * 1_000_000L);
    }

    /** Advances the clock to {@code nowNanos} (if later) and ends the flows idle past their timeout. */
    public void expire(long nowNanos) {
        if (nowNanos > now) {
            now = nowNanos;
        }
        expireIdle();
    }

    private void expireIdle() {
        long next = Long.MAX_VALUE;
        for (int l = 0; l < IdleLists.COUNT; l++) {
            long timeout = timeouts[l];
            int s;
            while ((s = idle.head(l)) >= 0 && now - lastTs(s) > timeout) {
                expired++;
                end(s, naturalEnd(s, FlowEnd.TIMEOUT));
            }
            if (s >= 0) {
                next = Math.min(next, lastTs(s) + timeout);
            }
        }
        nextExpiry = next;
    }

    private FlowEnd naturalEnd(int slot, FlowEnd otherwise) {
        int st = info[slot * INFO + STATE];
        return st == FlowState.CLOSED.ordinal() ? FlowEnd.CLOSED
                : st == FlowState.RESET.ordinal() ? FlowEnd.RESET : otherwise;
    }

    private void evictOldest() {
        int oldest = -1;
        for (int l = 0; l < IdleLists.COUNT; l++) {
            int s = idle.head(l);
            if (s >= 0 && (oldest < 0 || lastTs(s) < lastTs(oldest))) {
                oldest = s;
            }
        }
        evicted++;
        end(oldest, naturalEnd(oldest, FlowEnd.EVICTED));
    }

    private void end(int slot, FlowEnd how) {
        if (listenerArray.length > 0) {
            FlowRecord r = recordsWanted ? record(slot, how) : null;
            for (FlowListener l : listenerArray) {
                l.onFlowEnd(slot, r);
            }
        }
        idle.remove(slot);
        keys.remove(slot);
        info[slot * INFO + STATE] = FREE;
        live--;
    }

    /** Reports every live flow to the listeners as ended ({@link FlowEnd#OPEN} unless closed or reset) and empties the table. */
    public void endAll() {
        for (int l = 0; l < IdleLists.COUNT; l++) {
            int s;
            while ((s = idle.head(l)) >= 0) {
                end(s, naturalEnd(s, FlowEnd.OPEN));
            }
        }
    }

    // ---- reading ----

    /** Calls {@code action} with the slot of every live flow (least recently active first per idle class). */
    public void forEachLive(IntConsumer action) {
        for (int l = 0; l < IdleLists.COUNT; l++) {
            for (int s = idle.head(l); s >= 0; s = idle.next(s)) {
                action.accept(s);
            }
        }
    }

    /** Records of the live flows, each with end {@link FlowEnd#OPEN} (or closed/reset when so). Allocates. */
    public List<FlowRecord> snapshot() {
        List<FlowRecord> out = new ArrayList<>(live);
        forEachLive(s -> out.add(record(s, naturalEnd(s, FlowEnd.OPEN))));
        out.sort((a, b) -> Long.compare(a.firstTimestampNanos(), b.firstTimestampNanos()));
        return out;
    }

    /** The record of the live flow in {@code slot}, as if it ended now with {@code end}. Allocates. */
    public FlowRecord record(int slot, FlowEnd end) {
        checkLive(slot);
        int i = slot * INFO;
        int bits = info[i + BITS];
        boolean clientIsA = (bits & CLIENT_IS_A) != 0;
        int protocol = keys.protocol(slot);
        boolean hasPorts = protocol == IpProtocol.TCP || protocol == IpProtocol.UDP;
        FlowState st = FlowState.of(info[i + STATE]);
        Side rst = Side.of(info[i + RST_FROM]);
        int sourceId = keys.sourceId(slot);
        PacketSource source = sources[sourceId];
        boolean http = (bits & HTTP_CHECKED) != 0 && httpLength[slot] > 0;
        return new FlowRecord(protocol, keys.ipVersion(slot), address(slot, clientIsA),
                hasPorts ? keys.port(slot, clientIsA) : -1, address(slot, !clientIsA),
                hasPorts ? keys.port(slot, !clientIsA) : -1, counter(slot, FIRST_TS), lastTs(slot),
                counter(slot, PACKETS), counter(slot, BYTES), counter(slot, PACKETS + 1), counter(slot, BYTES + 1),
                st, end, handshakeRttNanos(slot), info[i + SYN_RETRANSMITS], info[i + RETRANSMITS], rst,
                Side.of(info[i + FIN_FROM]), info[i + ZERO_WINDOW], ifaceName(sourceId, keys.ifindex(slot)),
                source == null ? null : source.namespace(keys.ifindex(slot)),
                http ? HttpRequestLine.text(this.http[slot], httpLength[slot]) : null,
                FlowProblem.of(st, end, info[i + SYN_RETRANSMITS], info[i + RETRANSMITS], rst), info[i + FLAGS]);
    }

    private String address(int slot, boolean a) {
        return addressNames.name(keys.ipVersion(slot), keys.hi(slot, a), keys.lo(slot, a));
    }

    private String ifaceName(int sourceId, int ifindex) {
        long key = (long) sourceId << 32 | (ifindex & 0xffffffffL);
        if (key != lastIfaceKey || lastIface == null) { // most flows are seen where the one before was
            lastIface = ifaceNames.computeIfAbsent(key, k -> {
                PacketSource s = sources[sourceId];
                return s == null ? "if" + ifindex : s.interfaceName(ifindex);
            });
            lastIfaceKey = key;
        }
        return lastIface;
    }

    private long lastTs(int slot) {
        return slots[slot * FlowKeys.STRIDE + FlowKeys.LAST_TS];
    }

    private long counter(int slot, int field) {
        return slots[slot * FlowKeys.STRIDE + FlowKeys.COUNTERS + field];
    }

    private void checkLive(int slot) {
        if (slot < 0 || slot >= capacity || info[slot * INFO + STATE] == FREE) {
            throw new IllegalArgumentException("no live flow in slot " + slot);
        }
    }

    /** The number of slots: listeners size their per-flow arrays by it. */
    public int capacity() {
        return capacity;
    }

    /** Flows in the table. */
    public int size() {
        return live;
    }

    public FlowTableStats stats() {
        return new FlowTableStats(packetCount, unattributed, partial, flowCount, live, expired, evicted);
    }

    // ---- per-slot accessors for listeners (no allocation, no checks beyond the array's) ----

    public int protocol(int slot) { return keys.protocol(slot); }

    public int ipVersion(int slot) { return keys.ipVersion(slot); }

    public FlowState state(int slot) { return FlowState.of(info[slot * INFO + STATE]); }

    /** Client port (-1 for protocols without ports). */
    public int clientPort(int slot) {
        return hasPorts(slot) ? keys.port(slot, (info[slot * INFO + BITS] & CLIENT_IS_A) != 0) : -1;
    }

    public int serverPort(int slot) {
        return hasPorts(slot) ? keys.port(slot, (info[slot * INFO + BITS] & CLIENT_IS_A) == 0) : -1;
    }

    private boolean hasPorts(int slot) {
        int p = keys.protocol(slot);
        return p == IpProtocol.TCP || p == IpProtocol.UDP;
    }

    /** The client's IPv4 address (for an IPv4 flow), as {@link PacketDecoder#ipv4Src()} gives addresses. */
    public int clientIpv4(int slot) { return (int) keys.lo(slot, (info[slot * INFO + BITS] & CLIENT_IS_A) != 0); }

    public int serverIpv4(int slot) { return (int) keys.lo(slot, (info[slot * INFO + BITS] & CLIENT_IS_A) == 0); }

    public long packets(int slot, boolean fromClient) { return counter(slot, PACKETS + (fromClient ? 0 : 1)); }

    public long bytes(int slot, boolean fromClient) { return counter(slot, BYTES + (fromClient ? 0 : 1)); }

    public long firstTimestampNanos(int slot) { return counter(slot, FIRST_TS); }

    public long lastTimestampNanos(int slot) { return lastTs(slot); }

    /** Handshake RTT in nanoseconds, -1 until the handshake completed in view. */
    public long handshakeRttNanos(int slot) {
        return (info[slot * INFO + BITS] & RTT_SEEN) != 0 ? rtt[slot] : -1;
    }

    /** User flags of the flow (0 when it starts): labels a listener sets, e.g. "is a probe". */
    public int flags(int slot) { return info[slot * INFO + FLAGS]; }

    /** Sets user flag bits on a live flow; they show in its {@link FlowRecord#flags()}. */
    public void orFlags(int slot, int bitsToSet) { info[slot * INFO + FLAGS] |= bitsToSet; }

    /** Clears user flag bits. */
    public void clearFlags(int slot, int bitsToClear) { info[slot * INFO + FLAGS] &= ~bitsToClear; }

    public static final class Builder {
        private int capacity = 65_536;
        private Duration tcpOpening = Duration.ofSeconds(30);
        private Duration tcpEstablished = Duration.ofMinutes(5);
        private Duration tcpClosed = Duration.ofSeconds(2);
        private Duration udp = Duration.ofSeconds(60);
        private Duration other = Duration.ofSeconds(30);
        private int httpBytes = 128;
        private final List<FlowListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** Maximum number of live flows (default 65536); when full, the flow idle the longest is evicted. */
        public Builder capacity(int flows) {
            if (flows < 1 || flows > 1 << 26) {
                throw new IllegalArgumentException("capacity must be 1 to 2^26 flows, not " + flows);
            }
            this.capacity = flows;
            return this;
        }

        /** Idle timeout of a TCP flow in SYN_SENT or SYN_RECEIVED (default 30 s). */
        public Builder tcpOpeningTimeout(Duration d) { tcpOpening = positive(d); return this; }

        /** Idle timeout of an established or closing TCP flow, and of one seen mid-stream (default 5 min). */
        public Builder tcpEstablishedTimeout(Duration d) { tcpEstablished = positive(d); return this; }

        /** How long a closed or reset TCP flow stays quiet before it is reported (default 2 s). */
        public Builder tcpClosedTimeout(Duration d) { tcpClosed = positive(d); return this; }

        /** Idle timeout of a UDP flow (default 60 s). */
        public Builder udpTimeout(Duration d) { udp = positive(d); return this; }

        /** Idle timeout of ICMP and other protocols (default 30 s). */
        public Builder otherTimeout(Duration d) { other = positive(d); return this; }

        /** Bytes of the first HTTP request line kept per flow (default 128; 0: none). */
        public Builder httpBytes(int n) {
            if (n < 0 || n > 8192) {
                throw new IllegalArgumentException("httpBytes must be 0 to 8192, not " + n);
            }
            httpBytes = n;
            return this;
        }

        public Builder listener(FlowListener l) {
            listeners.add(l);
            return this;
        }

        /** Shorthand for a listener that only wants ended flows. */
        public Builder onFlowEnd(Consumer<FlowRecord> c) {
            return listener(new FlowListener() {
                @Override
                public void onFlowEnd(int slot, FlowRecord record) {
                    c.accept(record);
                }
            });
        }

        private static Duration positive(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + d);
            }
            return d;
        }

        public FlowTable build() {
            return new FlowTable(this);
        }
    }
}
