package io.podcap.decode;

import io.netty.buffer.ByteBuf;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketView;

/**
 * A reusable flyweight decoder of link, IP and transport headers. One instance serves any number of packets, one at a
 * time; {@link #decode} allocates nothing and never throws on bad bytes: it decodes what it can, records which layers
 * it got ({@link #layers()}) and why it stopped ({@link #status()}).
 *
 * <p>Values describe the last decoded packet only. Numeric fields a packet does not have read -1 (addresses, flags and
 * counts read 0). Offsets are absolute indexes into the decoded buffer. A layer bit means that layer's fixed header was
 * read; the status tells whether everything after it (options, extension headers) was too. Payload fields are set only
 * when the status is {@link #OK} or {@link #UNSUPPORTED} and then cover the bytes after the last decoded header.
 *
 * <p>Not thread-safe: use one decoder per thread.
 */
public final class PacketDecoder {
    /** Layer bits of {@link #layers()}. */
    public static final int LINK = 1;
    public static final int NETWORK = 2;
    public static final int TRANSPORT = 4;

    /** Values of {@link #status()}. */
    public static final int OK = 0;
    /** The capture ended inside a header. */
    public static final int TRUNCATED = 1;
    /** Header fields contradict each other (a length too small or pointing past its container, a wrong IP version). */
    public static final int MALFORMED = 2;
    /** Decoding stopped at a link type, EtherType or protocol this decoder does not know. */
    public static final int UNSUPPORTED = 3;

    private static final int MAX_SACK_BLOCKS = 4; // 40 bytes of options hold at most 4

    private ByteBuf buf;
    private int start;
    private int end;
    private int wireEnd;
    private int linkType;
    private int layers;
    private int status;

    private int etherType;
    private long ethSrc;
    private long ethDst;
    private int vlanCount;
    private int vlanId;
    private int sllPacketType;
    private int sllHatype;
    private int sll2Ifindex;

    private int networkOffset;
    private int ipVersion;
    private int protocol;
    private int ipHeaderLength;
    private int ipEnd;
    private int ipTotalLength;
    private int ipv6PayloadLength;
    private int ttl;
    private int trafficClass;
    private int flowLabel;
    private long ipId;
    private boolean dontFragment;
    private boolean moreFragments;
    private boolean fragmentHeader;
    private int fragmentOffset;
    private int ipv4Src;
    private int ipv4Dst;
    private long ipv6SrcHi;
    private long ipv6SrcLo;
    private long ipv6DstHi;
    private long ipv6DstLo;

    private int transportOffset;
    private int transportHeaderLength;
    private int srcPort;
    private int dstPort;
    private long seq;
    private long ack;
    private int tcpFlags;
    private int window;
    private int urgentPointer;
    private int mss;
    private int windowScale;
    private long tsval;
    private long tsecr;
    private boolean sackPermitted;
    private int sackBlocks;
    private final long[] sackLeft = new long[MAX_SACK_BLOCKS];
    private final long[] sackRight = new long[MAX_SACK_BLOCKS];
    private int udpLength;
    private int icmpType;
    private int icmpCode;
    private int icmpId;
    private int icmpSeq;

    private int payloadOffset;
    private int payloadLength;
    private int payloadWireLength;

    private final NflogDecoder nflog = new NflogDecoder();

    /** Decodes a captured packet. Returns true when at least the network layer was decoded. */
    public boolean decode(PacketView v) {
        return decode(v.data(), v.offset(), v.caplen(), v.wirelen(), v.linkType());
    }

    /** Decodes {@code length} bytes at absolute index {@code offset}, taking them as the whole packet. */
    public boolean decode(ByteBuf buf, int offset, int length, int linkType) {
        return decode(buf, offset, length, length, linkType);
    }

    /**
     * Decodes {@code caplen} bytes at absolute index {@code offset} of a packet that was {@code wirelen} long. The wire
     * length only matters for segmentation-offload packets, whose IP length field is 0.
     */
    public boolean decode(ByteBuf buf, int offset, int caplen, int wirelen, int linkType) {
        reset(buf, offset, caplen, wirelen, linkType);
        if (buf == null) {
            status = MALFORMED;
            return false;
        }
        switch (linkType) {
            case LinkType.ETHERNET -> ethernet();
            case LinkType.LINUX_SLL -> sll();
            case LinkType.LINUX_SLL2 -> sll2();
            case LinkType.RAW, 12, 14 -> rawIp();
            case LinkType.IPV4 -> {
                layers = LINK;
                ipv4(start);
            }
            case LinkType.IPV6 -> {
                layers = LINK;
                ipv6(start);
            }
            case LinkType.NULL -> loopback();
            case LinkType.NFLOG -> nflogRecord();
            default -> unsupported(start, wireEnd);
        }
        return (layers & NETWORK) != 0;
    }

    private void reset(ByteBuf buf, int offset, int caplen, int wirelen, int linkType) {
        this.buf = buf;
        this.linkType = linkType;
        start = Math.max(offset, 0);
        // never trust the caller's bounds beyond the buffer either: reading past capacity would throw
        int room = buf == null ? 0 : Math.max(buf.capacity() - start, 0);
        int captured = offset < 0 ? 0 : Math.min(Math.max(caplen, 0), room);
        end = start + captured;
        wireEnd = start + Math.max(Math.min(wirelen, Integer.MAX_VALUE - start), captured);
        layers = 0;
        status = OK;

        etherType = -1;
        ethSrc = 0;
        ethDst = 0;
        vlanCount = 0;
        vlanId = -1;
        sllPacketType = -1;
        sllHatype = -1;
        sll2Ifindex = -1;

        networkOffset = -1;
        ipVersion = 0;
        protocol = -1;
        ipHeaderLength = -1;
        ipEnd = end;
        ipTotalLength = -1;
        ipv6PayloadLength = -1;
        ttl = -1;
        trafficClass = -1;
        flowLabel = -1;
        ipId = -1;
        dontFragment = false;
        moreFragments = false;
        fragmentHeader = false;
        fragmentOffset = 0;
        ipv4Src = 0;
        ipv4Dst = 0;
        ipv6SrcHi = 0;
        ipv6SrcLo = 0;
        ipv6DstHi = 0;
        ipv6DstLo = 0;

        transportOffset = -1;
        transportHeaderLength = -1;
        srcPort = -1;
        dstPort = -1;
        seq = -1;
        ack = -1;
        tcpFlags = 0;
        window = -1;
        urgentPointer = -1;
        mss = -1;
        windowScale = -1;
        tsval = -1;
        tsecr = -1;
        sackPermitted = false;
        sackBlocks = 0;
        udpLength = -1;
        icmpType = -1;
        icmpCode = -1;
        icmpId = -1;
        icmpSeq = -1;

        payloadOffset = end;
        payloadLength = 0;
        payloadWireLength = 0;
    }

    // ---- bounds: every read is preceded by one of these ----

    /** Whether {@code n} bytes at {@code pos} were captured; records TRUNCATED when not. */
    private boolean captured(int pos, int n) {
        if (n <= end - pos) {
            return true;
        }
        status = TRUNCATED;
        return false;
    }

    /**
     * Whether {@code n} bytes at {@code pos} lie inside the IP packet as its header says (else MALFORMED: the header
     * cannot hold what follows) and were captured (else TRUNCATED).
     */
    private boolean inIp(int pos, int n) {
        if (n > ipEnd - pos) {
            status = MALFORMED;
            return false;
        }
        return captured(pos, n);
    }

    private void unsupported(int pos, int wireLimit) {
        status = UNSUPPORTED;
        payload(pos, wireLimit);
    }

    private void payload(int pos, int wireLimit) {
        payloadOffset = pos;
        payloadLength = Math.max(Math.min(wireLimit, end) - pos, 0);
        payloadWireLength = Math.max(wireLimit - pos, 0);
    }

    // ---- link layer ----

    private void ethernet() {
        if (!captured(start, 14)) {
            return;
        }
        ethDst = mac(start);
        ethSrc = mac(start + 6);
        layers = LINK;
        etherType(buf.getUnsignedShort(start + 12), start + 14);
    }

    private long mac(int pos) {
        return ((long) buf.getUnsignedShort(pos) << 32) | buf.getUnsignedInt(pos + 2);
    }

    private void sll() {
        if (!captured(start, 16)) {
            return;
        }
        sllPacketType = buf.getUnsignedShort(start);
        sllHatype = buf.getUnsignedShort(start + 2);
        layers = LINK;
        etherType(buf.getUnsignedShort(start + 14), start + 16);
    }

    private void sll2() {
        if (!captured(start, 20)) {
            return;
        }
        sll2Ifindex = buf.getInt(start + 4);
        sllHatype = buf.getUnsignedShort(start + 8);
        sllPacketType = buf.getUnsignedByte(start + 10);
        layers = LINK;
        etherType(buf.getUnsignedShort(start), start + 20);
    }

    /** {@code type} was read just before {@code pos}; VLAN tags (4 bytes: TCI, next type) may follow, stacked. */
    private void etherType(int type, int pos) {
        while (EtherType.isVlanTag(type)) {
            if (!captured(pos, 4)) {
                etherType = type;
                return;
            }
            if (vlanCount++ == 0) {
                vlanId = buf.getUnsignedShort(pos) & 0x0fff;
            }
            type = buf.getUnsignedShort(pos + 2);
            pos += 4;
        }
        etherType = type;
        if (type == EtherType.IPV4) {
            ipv4(pos);
        } else if (type == EtherType.IPV6) {
            ipv6(pos);
        } else {
            unsupported(pos, wireEnd);
        }
    }

    private void rawIp() {
        layers = LINK;
        if (captured(start, 1) && buf.getUnsignedByte(start) >>> 4 == 6) {
            ipv6(start);
        } else {
            ipv4(start);
        }
    }

    /** DLT_NFLOG: the IP packet is the payload TLV; the record's other TLVs are read by {@link #nflog()} too. */
    private void nflogRecord() {
        if (!nflog.decode(buf, start, end - start)) {
            status = TRUNCATED;
            return;
        }
        layers = LINK;
        if (nflog.payloadOffset() < 0) {
            // the payload TLV comes last: a record cut before it is truncated, a whole one has no packet
            status = nflog.truncated() || end < wireEnd ? TRUNCATED : UNSUPPORTED;
            return;
        }
        switch (nflog.family()) {
            case 2 -> ipv4(nflog.payloadOffset());
            case 10 -> ipv6(nflog.payloadOffset());
            default -> unsupported(nflog.payloadOffset(), wireEnd);
        }
    }

    /** BSD loopback: a 4-byte address family in the byte order of the machine that wrote it. */
    private void loopback() {
        if (!captured(start, 4)) {
            return;
        }
        int family = buf.getInt(start);
        if ((family & 0xffff0000) != 0) {
            family = Integer.reverseBytes(family);
        }
        layers = LINK;
        switch (family) {
            case 2 -> ipv4(start + 4);
            // AF_INET6 differs per OS: Linux, NetBSD/OpenBSD, FreeBSD, macOS
            case 10, 24, 28, 30 -> ipv6(start + 4);
            default -> unsupported(start + 4, wireEnd);
        }
    }

    // ---- network layer ----

    /** Whether the IP version nibble at {@code pos} was captured and is {@code expected} (else MALFORMED). */
    private boolean version(int pos, int expected) {
        if (!captured(pos, 1)) {
            return false;
        }
        if (buf.getUnsignedByte(pos) >>> 4 != expected) {
            status = MALFORMED;
            return false;
        }
        return true;
    }

    private void ipv4(int pos) {
        networkOffset = pos;
        if (!version(pos, 4) || !captured(pos, 20)) {
            return;
        }
        int versionIhl = buf.getUnsignedByte(pos);
        int ihl = (versionIhl & 0x0f) * 4;
        trafficClass = buf.getUnsignedByte(pos + 1);
        ipTotalLength = buf.getUnsignedShort(pos + 2);
        ipId = buf.getUnsignedShort(pos + 4);
        int fragment = buf.getUnsignedShort(pos + 6);
        dontFragment = (fragment & 0x4000) != 0;
        moreFragments = (fragment & 0x2000) != 0;
        fragmentOffset = (fragment & 0x1fff) * 8;
        ttl = buf.getUnsignedByte(pos + 8);
        protocol = buf.getUnsignedByte(pos + 9);
        ipv4Src = buf.getInt(pos + 12);
        ipv4Dst = buf.getInt(pos + 16);
        ipVersion = 4;
        ipHeaderLength = ihl;
        layers |= NETWORK;
        // Linux leaves total length 0 in segmentation-offload packets (BIG TCP) that are larger than 64 KiB
        ipEnd = ipTotalLength == 0 ? wireEnd : pos + ipTotalLength;
        if (ihl < 20 || ihl > ipEnd - pos) {
            status = MALFORMED;
            return;
        }
        if (!captured(pos, ihl)) {
            return;
        }
        transportOffset = pos + ihl;
        if (fragmentOffset != 0) {
            // a later fragment: its bytes continue the upper-layer payload, there is no header to read
            payload(transportOffset, ipEnd);
            return;
        }
        transport(transportOffset);
    }

    private void ipv6(int pos) {
        networkOffset = pos;
        if (!version(pos, 6) || !captured(pos, 40)) {
            return;
        }
        int word = buf.getInt(pos);
        trafficClass = (word >>> 20) & 0xff;
        flowLabel = word & 0xfffff;
        ipv6PayloadLength = buf.getUnsignedShort(pos + 4);
        int next = buf.getUnsignedByte(pos + 6);
        ttl = buf.getUnsignedByte(pos + 7);
        ipv6SrcHi = buf.getLong(pos + 8);
        ipv6SrcLo = buf.getLong(pos + 16);
        ipv6DstHi = buf.getLong(pos + 24);
        ipv6DstLo = buf.getLong(pos + 32);
        ipVersion = 6;
        protocol = next;
        ipHeaderLength = 40;
        layers |= NETWORK;
        // 0 with a payload: a jumbogram or an offload super-packet (BIG TCP), so the frame gives the length
        ipEnd = ipv6PayloadLength == 0 && next != IpProtocol.IPV6_NONXT ? wireEnd : pos + 40 + ipv6PayloadLength;

        int p = pos + 40;
        while (true) {
            int length;
            if (next == IpProtocol.HOPOPT || next == IpProtocol.IPV6_ROUTING || next == IpProtocol.IPV6_DSTOPTS) {
                if (!inIp(p, 2)) {
                    return;
                }
                length = (buf.getUnsignedByte(p + 1) + 1) * 8;
            } else if (next == IpProtocol.AH) {
                if (!inIp(p, 2)) {
                    return;
                }
                length = (buf.getUnsignedByte(p + 1) + 2) * 4;
            } else if (next == IpProtocol.IPV6_FRAGMENT) {
                length = 8;
            } else {
                break;
            }
            if (!inIp(p, length)) {
                return;
            }
            if (next == IpProtocol.IPV6_FRAGMENT) {
                int fragment = buf.getUnsignedShort(p + 2);
                fragmentHeader = true;
                fragmentOffset = fragment & 0xfff8;
                moreFragments = (fragment & 1) != 0;
                ipId = buf.getUnsignedInt(p + 4);
            }
            next = buf.getUnsignedByte(p);
            protocol = next;
            p += length;
            ipHeaderLength = p - pos;
            if (fragmentOffset != 0) {
                break;
            }
        }
        transportOffset = p;
        if (fragmentOffset != 0 || next == IpProtocol.IPV6_NONXT) {
            payload(p, ipEnd);
            return;
        }
        transport(p);
    }

    // ---- transport layer ----

    private void transport(int pos) {
        switch (protocol) {
            case IpProtocol.TCP -> tcp(pos);
            case IpProtocol.UDP -> udp(pos);
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> icmp(pos);
            default -> unsupported(pos, ipEnd);
        }
    }

    private void tcp(int pos) {
        if (!inIp(pos, 20)) {
            return;
        }
        srcPort = buf.getUnsignedShort(pos);
        dstPort = buf.getUnsignedShort(pos + 2);
        seq = buf.getUnsignedInt(pos + 4);
        ack = buf.getUnsignedInt(pos + 8);
        int offsetFlags = buf.getUnsignedShort(pos + 12);
        tcpFlags = offsetFlags & 0x1ff;
        window = buf.getUnsignedShort(pos + 14);
        urgentPointer = buf.getUnsignedShort(pos + 18);
        int headerLength = (offsetFlags >>> 12) * 4;
        transportHeaderLength = headerLength;
        layers |= TRANSPORT;
        if (headerLength < 20) {
            status = MALFORMED;
            return;
        }
        if (!inIp(pos, headerLength) || !tcpOptions(pos + 20, pos + headerLength)) {
            return;
        }
        payload(pos + headerLength, ipEnd);
    }

    /** Reads the options in [pos, limit); false (MALFORMED) when an option length does not fit. */
    private boolean tcpOptions(int pos, int limit) {
        while (pos < limit) {
            int kind = buf.getUnsignedByte(pos);
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                pos++;
                continue;
            }
            int length = pos + 1 < limit ? buf.getUnsignedByte(pos + 1) : 0;
            if (length < 2 || length > limit - pos) {
                status = MALFORMED;
                return false;
            }
            // a known kind with an unexpected length is skipped, as the stacks receiving it do
            if (kind == 2 && length == 4) {
                mss = buf.getUnsignedShort(pos + 2);
            } else if (kind == 3 && length == 3) {
                windowScale = buf.getUnsignedByte(pos + 2);
            } else if (kind == 4 && length == 2) {
                sackPermitted = true;
            } else if (kind == 5 && (length - 2) % 8 == 0) {
                for (int p = pos + 2; p < pos + length && sackBlocks < MAX_SACK_BLOCKS; p += 8) {
                    sackLeft[sackBlocks] = buf.getUnsignedInt(p);
                    sackRight[sackBlocks] = buf.getUnsignedInt(p + 4);
                    sackBlocks++;
                }
            } else if (kind == 8 && length == 10) {
                tsval = buf.getUnsignedInt(pos + 2);
                tsecr = buf.getUnsignedInt(pos + 6);
            }
            pos += length;
        }
        return true;
    }

    private void udp(int pos) {
        if (!inIp(pos, 8)) {
            return;
        }
        srcPort = buf.getUnsignedShort(pos);
        dstPort = buf.getUnsignedShort(pos + 2);
        udpLength = buf.getUnsignedShort(pos + 4);
        transportHeaderLength = 8;
        layers |= TRANSPORT;
        if (isFragment()) {
            // the UDP length covers the whole datagram, this packet holds only its first part
            payload(pos + 8, ipEnd);
            return;
        }
        if (udpLength < 8 || udpLength > ipEnd - pos) {
            status = MALFORMED;
            return;
        }
        payload(pos + 8, pos + udpLength);
    }

    private void icmp(int pos) {
        if (!inIp(pos, 8)) {
            return;
        }
        icmpType = buf.getUnsignedByte(pos);
        icmpCode = buf.getUnsignedByte(pos + 1);
        boolean echo = protocol == IpProtocol.ICMP
                ? icmpType == 0 || icmpType == 8
                : icmpType == 128 || icmpType == 129;
        if (echo) {
            icmpId = buf.getUnsignedShort(pos + 4);
            icmpSeq = buf.getUnsignedShort(pos + 6);
        }
        transportHeaderLength = 8;
        layers |= TRANSPORT;
        payload(pos + 8, ipEnd);
    }

    // ---- results: packet ----

    /** The bits {@link #LINK}, {@link #NETWORK}, {@link #TRANSPORT} of the layers whose fixed header was read. */
    public int layers() { return layers; }

    public boolean hasLayer(int layer) { return (layers & layer) == layer; }

    /** {@link #OK}, {@link #TRUNCATED}, {@link #MALFORMED} or {@link #UNSUPPORTED}: where and why decoding stopped. */
    public int status() { return status; }

    /** The link type the packet was decoded as. */
    public int linkType() { return linkType; }

    /** The NFLOG record's other fields (prefix, mark, hook, devices), valid after decoding a DLT_NFLOG packet. */
    public NflogDecoder nflog() { return nflog; }

    /** The buffer of the last packet (offsets index into it). */
    public ByteBuf buffer() { return buf; }

    /** Absolute index of the first packet byte. */
    public int packetOffset() { return start; }

    /** Bytes of the packet that were captured (and are inside the buffer). */
    public int captureLength() { return end - start; }

    /** Length of the packet on the wire (at least {@link #captureLength()}). */
    public int wireLength() { return wireEnd - start; }

    // ---- results: link layer ----

    /** The EtherType of the network layer, after any VLAN tags (for SLL: the protocol field), or -1. */
    public int etherType() { return etherType; }

    /** Ethernet source address in the low 48 bits, 0 if not Ethernet. */
    public long ethSrc() { return ethSrc; }

    /** Ethernet destination address in the low 48 bits, 0 if not Ethernet. */
    public long ethDst() { return ethDst; }

    /** Number of 802.1Q / 802.1ad tags read. */
    public int vlanCount() { return vlanCount; }

    /** VLAN id of the outermost tag, or -1. */
    public int vlanId() { return vlanId; }

    /** Linux cooked-capture packet type: 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing; -1 if not SLL. */
    public int sllPacketType() { return sllPacketType; }

    /** Linux cooked-capture ARPHRD_ hardware type, or -1. */
    public int sllHatype() { return sllHatype; }

    /** Interface index from an SLL2 header, or -1. */
    public int sll2Ifindex() { return sll2Ifindex; }

    // ---- results: network layer ----

    /** 4, 6, or 0 when no IP header was decoded. */
    public int ipVersion() { return ipVersion; }

    /** Absolute index of the IP header, or -1. */
    public int networkOffset() { return networkOffset; }

    /**
     * The upper-layer protocol number: after IPv6 extension headers the final one (or the last reached when the chain
     * was cut short); -1 without an IP header.
     */
    public int protocol() { return protocol; }

    /** Bytes from the IP header to the transport header: IPv4 header with options, or IPv6 header with extension headers. */
    public int ipHeaderLength() { return ipHeaderLength; }

    /** IPv4 total length field, or -1. */
    public int ipTotalLength() { return ipTotalLength; }

    /** IPv6 payload length field, or -1. */
    public int ipv6PayloadLength() { return ipv6PayloadLength; }

    /** IPv4 TTL or IPv6 hop limit. */
    public int ttl() { return ttl; }

    /** IPv4 type of service (DSCP and ECN) or IPv6 traffic class. */
    public int trafficClass() { return trafficClass; }

    /** IPv6 flow label, or -1. */
    public int flowLabel() { return flowLabel; }

    /** IPv4 identification, or the IPv6 fragment header's 32-bit identification; -1 if neither. */
    public long ipId() { return ipId; }

    /** IPv4 DF flag. */
    public boolean dontFragment() { return dontFragment; }

    /** IPv4 MF flag or IPv6 fragment header M flag. */
    public boolean moreFragments() { return moreFragments; }

    /** Fragment offset in bytes (the header field times 8). */
    public int fragmentOffset() { return fragmentOffset; }

    /** Whether the packet is part of a fragmented datagram; only the first fragment (offset 0) has transport headers. */
    public boolean isFragment() { return moreFragments || fragmentOffset != 0; }

    /** Whether an IPv6 fragment header was present (even an atomic one, offset 0 and no M flag). */
    public boolean hasIpv6FragmentHeader() { return fragmentHeader; }

    public int ipv4Src() { return ipv4Src; }

    public int ipv4Dst() { return ipv4Dst; }

    public long ipv6SrcHi() { return ipv6SrcHi; }

    public long ipv6SrcLo() { return ipv6SrcLo; }

    public long ipv6DstHi() { return ipv6DstHi; }

    public long ipv6DstLo() { return ipv6DstLo; }

    /** Copies the IPv6 source address (network order) into {@code dst[index..index+16)}. */
    public void copyIpv6Src(byte[] dst, int index) {
        putLong(dst, index, ipv6SrcHi);
        putLong(dst, index + 8, ipv6SrcLo);
    }

    /** Copies the IPv6 destination address (network order) into {@code dst[index..index+16)}. */
    public void copyIpv6Dst(byte[] dst, int index) {
        putLong(dst, index, ipv6DstHi);
        putLong(dst, index + 8, ipv6DstLo);
    }

    private static void putLong(byte[] dst, int index, long value) {
        for (int i = 0; i < 8; i++) {
            dst[index + i] = (byte) (value >>> (56 - 8 * i));
        }
    }

    // ---- results: transport layer ----

    /** Absolute index of the transport header (for later fragments: of the fragment data), or -1. */
    public int transportOffset() { return transportOffset; }

    /** TCP header length with options (data offset times 4), 8 for UDP and ICMP; -1 otherwise. */
    public int transportHeaderLength() { return transportHeaderLength; }

    /** TCP or UDP source port, or -1. */
    public int srcPort() { return srcPort; }

    /** TCP or UDP destination port, or -1. */
    public int dstPort() { return dstPort; }

    /** TCP sequence number (unsigned 32 bits), or -1. */
    public long tcpSeq() { return seq; }

    /** TCP acknowledgment number (unsigned 32 bits), or -1. */
    public long tcpAck() { return ack; }

    /** TCP flag bits ({@link TcpFlags}). */
    public int tcpFlags() { return tcpFlags; }

    public boolean hasTcpFlags(int flags) { return (tcpFlags & flags) == flags; }

    /** TCP data offset in 32-bit words, or -1. */
    public int tcpDataOffset() { return transportHeaderLength < 0 || protocol != IpProtocol.TCP ? -1 : transportHeaderLength / 4; }

    /** TCP window field (unscaled), or -1. */
    public int tcpWindow() { return window; }

    public int tcpUrgentPointer() { return urgentPointer; }

    public boolean hasMss() { return mss >= 0; }

    /** MSS option value, or -1. */
    public int mss() { return mss; }

    public boolean hasWindowScale() { return windowScale >= 0; }

    /** Window scale shift count, or -1. */
    public int windowScale() { return windowScale; }

    public boolean sackPermitted() { return sackPermitted; }

    /** Number of SACK blocks (at most 4); 0 when no SACK option. */
    public int sackBlockCount() { return sackBlocks; }

    public long sackLeft(int block) { return sackLeft[block]; }

    public long sackRight(int block) { return sackRight[block]; }

    public boolean hasTimestamps() { return tsval >= 0; }

    /** Timestamp option TSval, or -1. */
    public long tsval() { return tsval; }

    /** Timestamp option TSecr, or -1. */
    public long tsecr() { return tsecr; }

    /** UDP length field (header included), or -1. */
    public int udpLength() { return udpLength; }

    /** ICMP or ICMPv6 type, or -1. */
    public int icmpType() { return icmpType; }

    public int icmpCode() { return icmpCode; }

    /** Echo request/reply identifier, or -1. */
    public int icmpId() { return icmpId; }

    /** Echo request/reply sequence number, or -1. */
    public int icmpSeq() { return icmpSeq; }

    // ---- results: payload ----

    /** Absolute index of the bytes after the last decoded header. */
    public int payloadOffset() { return payloadOffset; }

    /** Captured payload bytes, never past the end the IP (or UDP) length gives: Ethernet padding is not payload. */
    public int payloadLength() { return payloadLength; }

    /** Payload length as the IP (or UDP) length fields give it, whatever was captured. */
    public int payloadWireLength() { return payloadWireLength; }

    // ---- for humans ----

    /** A tcpdump-like one-line description of the last packet. Allocates; not for the hot path. */
    public String summary() {
        StringBuilder sb = new StringBuilder(96);
        appendSummary(sb);
        return sb.toString();
    }

    public void appendSummary(StringBuilder sb) {
        PacketSummary.append(this, sb);
    }

    public static String statusName(int status) {
        return switch (status) {
            case OK -> "ok";
            case TRUNCATED -> "truncated";
            case MALFORMED -> "malformed";
            case UNSUPPORTED -> "unsupported";
            default -> "status-" + status;
        };
    }

    public static String formatIpv4(int address) {
        return AddressFormat.ipv4(address);
    }

    /** RFC 5952 text form, e.g. {@code fe80::1}. */
    public static String formatIpv6(long hi, long lo) {
        return AddressFormat.ipv6(hi, lo);
    }
}
