package io.podcap.probe;

import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import io.podcap.decode.IpProtocol;
import io.podcap.decode.PacketDecoder;
import io.podcap.decode.TcpFlags;
import io.podcap.flow.FlowListener;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowTable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds kubelet probes in the flows of a {@link FlowTable} and tells who every connection comes from.
 *
 * <p>Per connection it looks only at the first bytes of each direction (a bounded prefix, reassembled by sequence
 * number so split, repeated or reordered segments do not matter): an HTTP/1.x {@code GET} with
 * {@code User-Agent: kube-probe/X.Y} is an {@link ProbeKind#HTTP} probe, an HTTP/2 prior-knowledge connection whose
 * first HEADERS carry a {@code kube-probe/X.Y} user-agent a {@link ProbeKind#GRPC} one. A TLS ClientHello, or a
 * connection closed without data, from a node address is a {@link ProbeKind#HTTPS} or {@link ProbeKind#TCP} candidate,
 * confirmed once three or more of them to the same port tick at a steady period. Connections are grouped into streams
 * (source, target, port, kind, path) with their outcomes: success (HTTP 200-399, gRPC SERVING, a ServerHello, an
 * accepted connect) or a {@link ProbeFailure}. A SYN that is refused or never answered belongs to the stream last seen
 * from that source to that port. A connection still unanswered after the probe timeout counts as a timeout.
 *
 * <p>Every flow gets its client's {@link SourceRole} in its flags ({@link ProbeFlags}), and probe connections the
 * {@link ProbeFlags#PROBE} bit (HTTP and gRPC at the request; TCP and HTTPS once their stream is confirmed). The
 * sources of kube-probe requests are learned as node addresses. A connection seen twice (two interfaces or
 * namespaces: same client port, same moment) counts once.
 *
 * <p>Per-flow state lives in arrays indexed by the table's slots; a packet allocates nothing (making a new stream,
 * decoding a gRPC request's HPACK block and raising an alert do, once each). Like the table, not thread-safe.
 */
public final class ProbeDetector implements FlowListener {
    private static final int ROLE_SET = 1;
    private static final int SYN = 1 << 1;
    private static final int SYN_ACK = 1 << 2;
    private static final int CLIENT_DATA = 1 << 3;
    private static final int SERVER_DATA = 1 << 4;
    private static final int CLIENT_FIN = 1 << 5;
    private static final int SERVER_FIN = 1 << 6;
    private static final int DECIDED = 1 << 7;
    private static final int CLIENT_DONE = 1 << 8; // the client's prefix was classified or given up
    private static final int SERVER_DONE = 1 << 9;
    private static final int REQUEST = 1 << 10; // a probe request (HTTP, gRPC, TLS) awaits its answer
    private static final int IGNORED = 1 << 11; // not a probe and cannot become one: its packets are skipped
    private static final long CHECK_EVERY = 100_000_000L;
    /**
     * A connection from the same client port starting this close to the stream's last one is that connection seen
     * again: on a second interface (cni0 and the pod's veth, when capturing in the node) or in a second namespace.
     */
    private static final long MIRROR_NANOS = 50_000_000L;

    private final FlowTable table;
    private final ClientRoles roles;
    private final long timeout;
    private final PrefixBuffers prefixes;
    private final ProbeStreams streams;
    private final HttpProbeRequest http = new HttpProbeRequest();
    private final GrpcProbeRequest grpc = new GrpcProbeRequest();

    private final int[] bits;
    private final byte[] kind; // ProbeKind ordinal + 1, 0 none
    private final byte[] role;
    private final int[] stream;
    private final int[] streamGeneration;
    private final long[] start;
    private final long[] synAck;
    private final long[] request;
    private final long[] response;
    private final long[] base; // [2 * slot + dir]: sequence number of the direction's first payload byte
    private final int[] buffer; // [2 * slot + dir]: prefix buffer, -1 none

    private PacketView current; // the packet being handled, for its source's namespace label
    private long now = Long.MIN_VALUE;
    private long lastCheck;
    private long probes;
    private long uninspected;
    private long unparsed;

    private ProbeDetector(Builder b, FlowTable table) {
        this.table = table;
        roles = new ClientRoles(b.roles);
        timeout = b.probeTimeout.toNanos();
        prefixes = new PrefixBuffers(b.prefixBuffers, b.prefixBytes);
        streams = new ProbeStreams(b.maxStreams, b.alertAfter, b.onAlert);
        int c = table.capacity();
        bits = new int[c];
        kind = new byte[c];
        role = new byte[c];
        stream = new int[c];
        streamGeneration = new int[c];
        start = new long[c];
        synAck = new long[c];
        request = new long[c];
        response = new long[c];
        base = new long[2 * c];
        buffer = new int[2 * c];
        java.util.Arrays.fill(stream, -1);
        java.util.Arrays.fill(buffer, -1);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean wantsRecords() {
        return false;
    }

    @Override
    public void onFlowStart(int slot) {
        // The other fields are written before they are read, each with the bit that says so: a new flow's slot is
        // usually cold in the cache, and every array written here would be one more miss per flow.
        bits[slot] = 0;
        stream[slot] = -1;
    }

    @Override
    public long prefetch(int slot) {
        return bits[slot]; // what decides whether the packet is looked at (other fields: too few packets to pay)
    }

    @Override
    public void onPacket(int slot, boolean fromClient, PacketDecoder d, PacketView v) {
        long ts = v.timestampNanos();
        if (ts > now) {
            now = ts;
            if (now - lastCheck >= CHECK_EVERY) {
                lastCheck = now;
                checkPending();
            }
        }
        int b = bits[slot];
        if ((b & IGNORED) != 0) {
            return; // most packets: no need to look further
        }
        current = v;
        if ((b & ROLE_SET) == 0) {
            setRole(slot, fromClient, d);
            start[slot] = ts;
            if (d.protocol() != IpProtocol.TCP) {
                bits[slot] |= IGNORED;
                return;
            }
        }
        if (d.protocol() != IpProtocol.TCP || d.status() != PacketDecoder.OK) {
            return;
        }
        int f = d.tcpFlags();
        if ((f & TcpFlags.SYN) != 0) {
            syn(slot, fromClient, d, ts, f);
        } else if ((f & TcpFlags.RST) != 0) {
            rst(slot, fromClient, d);
        } else {
            if (d.payloadWireLength() > 0) {
                data(slot, fromClient, d, ts);
            }
            if ((f & TcpFlags.FIN) != 0) {
                fin(slot, fromClient, d);
            }
        }
    }

    private void syn(int slot, boolean fromClient, PacketDecoder d, long ts, int f) {
        int b = bits[slot];
        if ((f & TcpFlags.ACK) == 0 && fromClient && (b & SYN) == 0) {
            bits[slot] = b | SYN;
            start[slot] = ts;
            base[2 * slot] = (d.tcpSeq() + 1) & 0xffff_ffffL;
            int s = streams.findByTarget(targetFingerprint(d, true));
            if (s >= 0) {
                attach(slot, s); // a refused or unanswered SYN belongs to the stream last seen on this target
            }
        } else if ((f & TcpFlags.ACK) != 0 && !fromClient && (b & SYN_ACK) == 0) {
            bits[slot] = b | SYN_ACK;
            synAck[slot] = ts;
            base[2 * slot + 1] = (d.tcpSeq() + 1) & 0xffff_ffffL;
        }
    }

    private void rst(int slot, boolean fromClient, PacketDecoder d) {
        int b = bits[slot];
        if ((b & DECIDED) != 0) {
            return;
        }
        if (!fromClient) {
            if ((b & SYN) != 0 && (b & SYN_ACK) == 0) {
                decide(slot, (byte) ProbeFailure.REFUSED.ordinal());
            } else if ((b & REQUEST) != 0) {
                decide(slot, (byte) ProbeFailure.RESET.ordinal());
            }
        } else if ((b & REQUEST) != 0) {
            decide(slot, (byte) ProbeFailure.TIMEOUT.ordinal()); // the client gave up waiting
        } else if ((b & SYN_ACK) != 0 && (b & CLIENT_DATA) == 0) {
            tcpProbe(slot, d); // an RST closes a TCP probe when the server had sent bytes it did not read
        }
    }

    private void fin(int slot, boolean fromClient, PacketDecoder d) {
        int b = bits[slot] | (fromClient ? CLIENT_FIN : SERVER_FIN);
        bits[slot] = b;
        if ((b & DECIDED) != 0) {
            return;
        }
        if (fromClient) {
            if ((b & REQUEST) != 0) {
                decide(slot, (byte) ProbeFailure.TIMEOUT.ordinal());
            } else if ((b & SYN_ACK) != 0 && (b & CLIENT_DATA) == 0) {
                tcpProbe(slot, d);
            }
        } else if ((b & REQUEST) != 0 && (b & SERVER_DATA) == 0) {
            decide(slot, (byte) ProbeFailure.NO_RESPONSE.ordinal());
        }
    }

    private void data(int slot, boolean fromClient, PacketDecoder d, long ts) {
        int b = bits[slot];
        int seen = fromClient ? CLIENT_DATA : SERVER_DATA;
        if ((b & seen) == 0) {
            bits[slot] = b | seen;
            if (fromClient) {
                request[slot] = ts;
            } else {
                response[slot] = ts;
            }
        }
        int done = fromClient ? CLIENT_DONE : SERVER_DONE;
        if ((bits[slot] & done) != 0 || d.payloadLength() == 0) {
            return;
        }
        if (!fromClient && (bits[slot] & REQUEST) == 0) {
            bits[slot] |= SERVER_DONE; // an answer to nothing we recognized
            return;
        }
        int i = 2 * slot + (fromClient ? 0 : 1);
        int buf = buffer[i];
        if (buf < 0) {
            buf = prefixes.acquire();
            if (buf < 0) {
                uninspected++;
                bits[slot] |= done;
                return;
            }
            buffer[i] = buf;
            if ((bits[slot] & (fromClient ? SYN : SYN_ACK)) == 0) {
                base[i] = d.tcpSeq(); // seen mid-stream: take the first payload as the start
            }
        }
        int position = (int) (d.tcpSeq() - base[i]); // signed 32-bit distance, across wrap-around
        int length = prefixes.put(buf, position, d.buffer(), d.payloadOffset(), d.payloadLength());
        if (length == 0) {
            return;
        }
        if (fromClient) {
            classifyRequest(slot, d, prefixes.data(), prefixes.offset(buf), length, length == prefixes.size());
        } else {
            classifyAnswer(slot, prefixes.data(), prefixes.offset(buf), length, length == prefixes.size());
        }
        if ((bits[slot] & done) != 0) {
            release(i);
        }
    }

    private void classifyRequest(int slot, PacketDecoder d, byte[] a, int off, int len, boolean full) {
        // the preface starts like a request line (PRI *), so it is checked first
        if (GrpcProbeRequest.mayBePreface(a, off, len)) {
            int r = len < GrpcProbeRequest.PREFACE.length ? GrpcProbeRequest.MORE : grpc.parse(a, off, len);
            if (r == GrpcProbeRequest.MORE && !full) {
                return;
            }
            bits[slot] |= CLIENT_DONE;
            if (r != GrpcProbeRequest.DONE) {
                unparsed++;
                ignore(slot);
                return;
            }
            byte[] ua = grpc.userAgent == null ? new byte[0] : grpc.userAgent.getBytes(StandardCharsets.US_ASCII);
            if (!http.kubeProbeVersion(ua, 0, ua.length)) {
                ignore(slot);
                return;
            }
            byte[] path = grpc.path.getBytes(StandardCharsets.UTF_8);
            probeRequest(slot, d, ProbeKind.GRPC, hash(path, 0, path.length), true, ua);
        } else if (HttpProbeRequest.mayBeRequest(a, off, len)) {
            int end = HttpProbeRequest.headEnd(a, off, len);
            if (end < 0 && !full) {
                return; // the rest of the head is still to come
            }
            bits[slot] |= CLIENT_DONE;
            http.parse(a, off, end < 0 ? off + len : end);
            if (!http.valid && len >= 4 && a[off] == 'G' && a[off + 1] == 'E' && a[off + 2] == 'T') {
                unparsed++;
            }
            if (!http.valid || !http.kubeProbe) {
                ignore(slot); // plain HTTP: whoever sends it, not a probe
                return;
            }
            long hash = hash(a, http.pathOffset, http.pathLength);
            probeRequest(slot, d, ProbeKind.HTTP, hash, true, a);
        } else {
            bits[slot] |= CLIENT_DONE;
            boolean clientHello = len >= 6 && a[off] == 0x16 && a[off + 1] == 3 && a[off + 5] == 1;
            if (clientHello && fromNode(slot)) {
                probeRequest(slot, d, ProbeKind.HTTPS, 0, false, null);
            } else {
                ignore(slot);
            }
        }
    }

    /** The answer to a probe request: decides the connection's outcome once enough of it is there. */
    private void classifyAnswer(int slot, byte[] a, int off, int len, boolean full) {
        ProbeKind k = ProbeKind.of(kind[slot] - 1);
        byte outcome;
        if (k == ProbeKind.HTTP) {
            int status = HttpProbeRequest.status(a, off, len);
            if (status < 0) {
                if (len >= 12 || full) {
                    bits[slot] |= SERVER_DONE;
                    unparsed++;
                }
                return;
            }
            outcome = status >= 200 && status < 400 ? ProbeStreams.SUCCESS : (byte) ProbeFailure.HTTP_STATUS.ordinal();
        } else if (k == ProbeKind.GRPC) {
            int r = GrpcProbeRequest.answer(a, off, len);
            if (r == GrpcProbeRequest.MORE) {
                if (full) {
                    bits[slot] |= SERVER_DONE;
                    unparsed++;
                }
                return;
            }
            outcome = r == GrpcProbeRequest.SERVING ? ProbeStreams.SUCCESS : r == GrpcProbeRequest.RESET
                    ? (byte) ProbeFailure.RESET.ordinal() : (byte) ProbeFailure.GRPC_STATUS.ordinal();
        } else {
            // HTTPS: a handshake record (ServerHello) answers; an alert does not
            outcome = a[off] == 0x16 ? ProbeStreams.SUCCESS : (byte) ProbeFailure.NO_RESPONSE.ordinal();
        }
        bits[slot] |= SERVER_DONE;
        decide(slot, outcome);
    }

    /** A recognized probe request: attach the connection to its stream. */
    private void probeRequest(int slot, PacketDecoder d, ProbeKind k, long pathHash, boolean sure, byte[] a) {
        int s = streamOf(slot, d, k, pathHash, sure, a);
        bits[slot] |= REQUEST;
        attach(slot, s);
        if (sure) {
            markProbe(slot);
            roles.learnNode(hi(d, true), lo(d, true));
        }
    }

    /**
     * The stream of a client packet's source, destination and port with this kind and path, made on first sight
     * ({@code a} holds what {@link #http} or {@link #grpc} parsed); sets the connection's kind.
     */
    private int streamOf(int slot, PacketDecoder d, ProbeKind k, long pathHash, boolean sure, byte[] a) {
        long srcHi = hi(d, true);
        long srcLo = lo(d, true);
        long dstHi = hi(d, false);
        long dstLo = lo(d, false);
        int port = d.dstPort();
        long keyFp = ProbeStreams.keyFingerprint(ProbeStreams.targetFingerprint(srcHi, srcLo, dstHi, dstLo, port), k,
                pathHash);
        int s = streams.find(keyFp);
        if (s < 0 || !streams.sameKey(s, srcHi, srcLo, dstHi, dstLo, port, k, pathHash)) {
            s = newStream(slot, k, pathHash, sure, a, srcHi, srcLo, dstHi, dstLo, port);
        } else {
            streams.touchTarget(s);
        }
        kind[slot] = (byte) (k.ordinal() + 1);
        return s;
    }

    private int newStream(int slot, ProbeKind k, long pathHash, boolean sure, byte[] a, long srcHi, long srcLo,
                          long dstHi, long dstLo, int port) {
        String path = "";
        String userAgent = null;
        String version = null;
        if (k == ProbeKind.HTTP) {
            path = new String(a, http.pathOffset, http.pathLength, StandardCharsets.US_ASCII);
            userAgent = new String(a, http.userAgentOffset, http.userAgentLength, StandardCharsets.US_ASCII);
            version = new String(a, http.versionOffset, http.versionLength, StandardCharsets.US_ASCII);
        } else if (k == ProbeKind.GRPC) {
            path = grpc.path;
            userAgent = grpc.userAgent;
            version = new String(a, http.versionOffset, http.versionLength, StandardCharsets.US_ASCII);
        }
        SourceRole r = sure ? SourceRole.KUBELET : SourceRole.of(role[slot]);
        PacketSource source = current.source();
        return streams.create(srcHi, srcLo, dstHi, dstLo, port, k, pathHash, path, userAgent, version, r, sure,
                source == null ? null : source.namespace(current.ifindex()));
    }

    /** The client connected and closed without sending data: a TCP probe when it comes from the node. */
    private void tcpProbe(int slot, PacketDecoder d) {
        if (!fromNode(slot)) {
            return;
        }
        int s = streamOf(slot, d, ProbeKind.TCP, 0, false, null); // the client's FIN or RST: its source is the client
        attach(slot, s);
        decide(slot, ProbeStreams.SUCCESS);
    }

    /**
     * Links the connection to stream {@code s} and remembers it among the stream's pending connections, in place of
     * the oldest one (which, when still unanswered past the timeout, is a timeout now).
     */
    private void attach(int slot, int s) {
        int generation = streams.generation(s);
        if (stream[slot] == s && streamGeneration[slot] == generation) {
            return;
        }
        stream[slot] = s;
        streamGeneration[slot] = generation;
        int port = table.clientPort(slot);
        if (port == streams.lastPort[s] && Math.abs(start[slot] - streams.lastStart[s]) < MIRROR_NANOS) {
            bits[slot] |= DECIDED; // its outcome is the other view's
            return;
        }
        streams.lastPort[s] = port;
        streams.lastStart[s] = start[slot];
        int oldest = ProbeStreams.PENDING * s;
        for (int k = oldest; k < ProbeStreams.PENDING * (s + 1); k++) {
            int p = streams.pendingSlot[k];
            if (p < 0 || !pending(p, s, k)) {
                oldest = k;
                break;
            }
            if (streams.pendingStart[k] < streams.pendingStart[oldest]) {
                oldest = k;
            }
        }
        int previous = streams.pendingSlot[oldest];
        if (previous >= 0 && pending(previous, s, oldest) && now - start[previous] >= timeout) {
            decide(previous, (byte) ProbeFailure.TIMEOUT.ordinal());
        }
        streams.pendingSlot[oldest] = slot;
        streams.pendingStart[oldest] = start[slot];
    }

    /** Whether {@code slot} is still the undecided connection in pending entry {@code k} of stream {@code s}. */
    private boolean pending(int slot, int s, int k) {
        return stream[slot] == s && streamGeneration[slot] == streams.generation(s) && (bits[slot] & DECIDED) == 0
                && start[slot] == streams.pendingStart[k];
    }

    /** The client's first bytes are no probe's: nothing later in the connection can make it one. */
    private void ignore(int slot) {
        stream[slot] = -1;
        bits[slot] |= IGNORED;
    }

    /** Records the connection's outcome in its stream (once), with its connect and first-byte latencies. */
    private void decide(int slot, byte outcome) {
        int b = bits[slot];
        if ((b & DECIDED) != 0) {
            return;
        }
        bits[slot] = b | DECIDED;
        release(2 * slot);
        release(2 * slot + 1);
        int s = stream[slot];
        if (s < 0 || streamGeneration[slot] != streams.generation(s)) {
            return;
        }
        long rtt = table.handshakeRttNanos(slot);
        long connect = rtt >= 0 ? rtt : (b & SYN) != 0 && (b & SYN_ACK) != 0 ? synAck[slot] - start[slot] : -1;
        boolean answered = outcome == ProbeStreams.SUCCESS || outcome == ProbeFailure.HTTP_STATUS.ordinal()
                || outcome == ProbeFailure.GRPC_STATUS.ordinal();
        long firstByte = answered && (b & CLIENT_DATA) != 0 && (b & SERVER_DATA) != 0
                ? response[slot] - request[slot] : -1;
        streams.record(s, start[slot], outcome, connect, firstByte);
        probes++;
        if (streams.confirmed(s)) {
            markProbe(slot);
        }
    }

    private void markProbe(int slot) {
        table.clearFlags(slot, ProbeFlags.ROLE_MASK);
        table.orFlags(slot, ProbeFlags.PROBE | ProbeFlags.roleBits(SourceRole.KUBELET));
    }

    private void release(int i) {
        if (buffer[i] >= 0) {
            prefixes.release(buffer[i]);
            buffer[i] = -1;
        }
    }

    private void setRole(int slot, boolean fromClient, PacketDecoder d) {
        SourceRole r = d.hasLayer(PacketDecoder.NETWORK) ? roles.of(hi(d, fromClient), lo(d, fromClient))
                : SourceRole.UNKNOWN;
        role[slot] = (byte) r.ordinal();
        bits[slot] |= ROLE_SET;
        table.orFlags(slot, ProbeFlags.roleBits(r));
    }

    private boolean fromNode(int slot) {
        return role[slot] == SourceRole.NODE.ordinal();
    }

    /** Streams' pending connections unanswered past the probe timeout count as timeouts now. */
    private void checkPending() {
        for (int k = 0; k < ProbeStreams.PENDING * streams.highWater(); k++) {
            int p = streams.pendingSlot[k];
            int s = k / ProbeStreams.PENDING;
            if (p >= 0 && streams.used(s) && pending(p, s, k) && now - start[p] >= timeout) {
                decide(p, (byte) ProbeFailure.TIMEOUT.ordinal());
            }
        }
    }

    /** Advances the clock (a live capture's wall clock in quiet periods) and times out unanswered probes. */
    public void expire(long nowNanos) {
        if (nowNanos > now) {
            now = nowNanos;
        }
        lastCheck = now;
        checkPending();
    }

    @Override
    public void onFlowEnd(int slot, FlowRecord record) {
        int b = bits[slot];
        int s = stream[slot];
        if ((b & DECIDED) == 0 && s >= 0 && now - start[slot] >= timeout) {
            if ((b & SYN) != 0 && (b & SYN_ACK) == 0) {
                decide(slot, (byte) ProbeFailure.TIMEOUT.ordinal());
            } else if ((b & REQUEST) != 0 && (b & SERVER_DATA) == 0) {
                decide(slot, (byte) ((b & SERVER_FIN) != 0 ? ProbeFailure.NO_RESPONSE : ProbeFailure.TIMEOUT)
                        .ordinal());
            }
        }
        release(2 * slot);
        release(2 * slot + 1);
        stream[slot] = -1;
        bits[slot] = 0;
    }

    private static long hi(PacketDecoder d, boolean src) {
        if (d.ipVersion() == 4) {
            return 0;
        }
        return src ? d.ipv6SrcHi() : d.ipv6DstHi();
    }

    private static long lo(PacketDecoder d, boolean src) {
        if (d.ipVersion() == 4) {
            return AddressRoles.lo(src ? d.ipv4Src() : d.ipv4Dst());
        }
        return src ? d.ipv6SrcLo() : d.ipv6DstLo();
    }

    /** Source, destination and destination port of a packet from the client. */
    private static long targetFingerprint(PacketDecoder d, boolean fromClient) {
        return ProbeStreams.targetFingerprint(hi(d, fromClient), lo(d, fromClient), hi(d, !fromClient),
                lo(d, !fromClient), fromClient ? d.dstPort() : d.srcPort());
    }

    /** FNV-1a, 64 bits. */
    private static long hash(byte[] a, int off, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < off + len; i++) {
            h ^= a[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** The confirmed probe streams so far, one record per series. Allocates. */
    public List<ProbeStream> streams() {
        return streams.report();
    }

    public ProbeDetectorStats stats() {
        return new ProbeDetectorStats(streams.live(), streams.evicted(), probes, streams.failed(),
                streams.alerts(), uninspected, unparsed);
    }

    public static final class Builder {
        private AddressRoles roles = AddressRoles.none();
        private int maxStreams = 1024;
        private int alertAfter = 3;
        private Duration probeTimeout = Duration.ofSeconds(1);
        private int prefixBuffers = 1024;
        private int prefixBytes = 1024;
        private Consumer<ProbeAlert> onAlert;

        private Builder() {
        }

        /** Node addresses, local pods and cluster CIDRs, for the clients' roles (default: none known). */
        public Builder roles(AddressRoles r) {
            roles = java.util.Objects.requireNonNull(r, "roles");
            return this;
        }

        /** Most streams kept (default 1024); when full, the one idle the longest goes, unconfirmed ones first. */
        public Builder maxStreams(int n) {
            if (n < 1 || n > 1 << 20) {
                throw new IllegalArgumentException("maxStreams must be 1 to 2^20, not " + n);
            }
            maxStreams = n;
            return this;
        }

        /** Consecutive failures that raise an alert (default 3, the kubelet's default failureThreshold). */
        public Builder alertAfter(int failures) {
            if (failures < 1) {
                throw new IllegalArgumentException("alertAfter must be at least 1, not " + failures);
            }
            alertAfter = failures;
            return this;
        }

        /** How long a probe may stay unanswered before it counts as a timeout (default 1 s, the kubelet's default). */
        public Builder probeTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("probeTimeout must be positive: " + d);
            }
            probeTimeout = d;
            return this;
        }

        /** Connection directions inspected at once (default 1024) and bytes looked at in each (default 1024). */
        public Builder prefixes(int buffers, int bytes) {
            if (buffers < 1 || bytes < 64 || bytes > 65536 || bytes % 64 != 0) {
                throw new IllegalArgumentException("prefixes: at least one buffer of 64 to 65536 bytes, a multiple "
                        + "of 64");
            }
            prefixBuffers = buffers;
            prefixBytes = bytes;
            return this;
        }

        /** Called (on the feeding thread) when a stream starts failing and when it recovers. */
        public Builder onAlert(Consumer<ProbeAlert> c) {
            onAlert = c;
            return this;
        }

        /** Makes the detector and adds it to {@code table}'s listeners. */
        public ProbeDetector build(FlowTable table) {
            ProbeDetector d = new ProbeDetector(this, table);
            table.addListener(d);
            return d;
        }
    }
}
