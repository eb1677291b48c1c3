package io.podcap.decode;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Builds packets byte by byte, inside out: payload, transport, IP, link. */
final class Packets {
    private Packets() {
    }

    /** A big-endian byte writer. */
    static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) { out.write(v); return this; }

        Bytes u16(int v) { return u8(v >>> 8).u8(v); }

        Bytes u32(long v) { return u16((int) (v >>> 16)).u16((int) v); }

        Bytes bytes(byte[] b) { out.writeBytes(b); return this; }

        Bytes zeros(int n) { return bytes(new byte[n]); }

        int size() { return out.size(); }

        byte[] array() { return out.toByteArray(); }
    }

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    // ---- transport ----

    /** TCP options, padded with EOL bytes to a multiple of 4. */
    static final class TcpOptions {
        private final Bytes b = new Bytes();

        TcpOptions mss(int v) { b.u8(2).u8(4).u16(v); return this; }

        TcpOptions nop() { b.u8(1); return this; }

        TcpOptions wscale(int v) { b.u8(3).u8(3).u8(v); return this; }

        TcpOptions sackPermitted() { b.u8(4).u8(2); return this; }

        TcpOptions timestamps(long val, long ecr) { b.u8(8).u8(10).u32(val).u32(ecr); return this; }

        TcpOptions sack(long... edges) {
            b.u8(5).u8(2 + 4 * edges.length);
            for (long e : edges) {
                b.u32(e);
            }
            return this;
        }

        TcpOptions raw(int... bytes) {
            for (int x : bytes) {
                b.u8(x);
            }
            return this;
        }

        byte[] build() {
            while (b.size() % 4 != 0) {
                b.u8(0);
            }
            return b.array();
        }
    }

    static TcpOptions options() { return new TcpOptions(); }

    static byte[] tcp(int sport, int dport, long seq, long ack, int flags, int window, byte[] options, byte[] payload) {
        return new Bytes().u16(sport).u16(dport).u32(seq).u32(ack)
                .u8(((20 + options.length) / 4) << 4 | (flags >>> 8)).u8(flags)
                .u16(window).u16(0xbeef).u16(flags & TcpFlags.URG) // checksum (unchecked), urgent pointer
                .bytes(options).bytes(payload).array();
    }

    static byte[] udp(int sport, int dport, byte[] payload) {
        return new Bytes().u16(sport).u16(dport).u16(8 + payload.length).u16(0).bytes(payload).array();
    }

    static byte[] icmp(int type, int code, int id, int seq, byte[] data) {
        return new Bytes().u8(type).u8(code).u16(0).u16(id).u16(seq).bytes(data).array();
    }

    // ---- network ----

    static final class Ipv4 {
        private final byte[] src;
        private final byte[] dst;
        int ttl = 64;
        int id = 0x1234;
        int tos = 0;
        boolean df = true;
        boolean mf;
        int fragmentOffset;
        byte[] options = new byte[0];
        Integer totalLength; // null: computed

        Ipv4(String src, String dst) {
            this.src = addr(src);
            this.dst = addr(dst);
        }

        Ipv4 ttl(int v) { ttl = v; return this; }

        Ipv4 id(int v) { id = v; return this; }

        Ipv4 tos(int v) { tos = v; return this; }

        Ipv4 fragment(boolean df, boolean mf, int offsetBytes) {
            this.df = df;
            this.mf = mf;
            this.fragmentOffset = offsetBytes;
            return this;
        }

        Ipv4 options(byte[] v) { options = v; return this; }

        Ipv4 totalLength(int v) { totalLength = v; return this; }

        byte[] wrap(int protocol, byte[] l4) {
            int hl = 20 + options.length;
            Bytes b = new Bytes().u8(0x40 | hl / 4).u8(tos)
                    .u16(totalLength != null ? totalLength : hl + l4.length).u16(id)
                    .u16((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | fragmentOffset / 8)
                    .u8(ttl).u8(protocol).u16(0).bytes(src).bytes(dst).bytes(options);
            byte[] header = b.array();
            int sum = checksum(header);
            header[10] = (byte) (sum >>> 8);
            header[11] = (byte) sum;
            return new Bytes().bytes(header).bytes(l4).array();
        }
    }

    static Ipv4 ipv4(String src, String dst) { return new Ipv4(src, dst); }

    static final class Ipv6 {
        private final byte[] src;
        private final byte[] dst;
        int hopLimit = 64;
        int trafficClass;
        int flowLabel;
        Integer payloadLength;
        private final List<int[]> extTypes = new ArrayList<>();
        private final List<byte[]> extBodies = new ArrayList<>();

        Ipv6(String src, String dst) {
            this.src = addr(src);
            this.dst = addr(dst);
        }

        Ipv6 hopLimit(int v) { hopLimit = v; return this; }

        Ipv6 trafficClass(int v) { trafficClass = v; return this; }

        Ipv6 flowLabel(int v) { flowLabel = v; return this; }

        Ipv6 payloadLength(int v) { payloadLength = v; return this; }

        /** Hop-by-hop (0), routing (43) or destination options (60) header of {@code units} 8-byte units beyond the first. */
        Ipv6 ext(int type, int units) {
            Bytes body = new Bytes();
            if (type == IpProtocol.IPV6_ROUTING) {
                body.u8(0).u8(0).zeros(4 + 8 * units); // type 0, segments left 0
            } else {
                body.u8(1).u8(4 + 8 * units).zeros(4 + 8 * units); // one PadN option filling the header
            }
            extTypes.add(new int[] {type, units});
            extBodies.add(body.array());
            return this;
        }

        Ipv6 fragment(int offsetBytes, boolean more, long id) {
            extTypes.add(new int[] {IpProtocol.IPV6_FRAGMENT, 0});
            extBodies.add(new Bytes().u16(offsetBytes | (more ? 1 : 0)).u32(id).array());
            return this;
        }

        /** Authentication header with {@code icvWords} 4-byte words of ICV. */
        Ipv6 ah(int icvWords) {
            extTypes.add(new int[] {IpProtocol.AH, icvWords + 1});
            extBodies.add(new Bytes().u16(0).u32(0x100).u32(1).zeros(4 * icvWords).array());
            return this;
        }

        byte[] wrap(int protocol, byte[] l4) {
            Bytes chain = new Bytes();
            for (int i = 0; i < extTypes.size(); i++) {
                int next = i + 1 < extTypes.size() ? extTypes.get(i + 1)[0] : protocol;
                chain.u8(next).u8(extTypes.get(i)[0] == IpProtocol.IPV6_FRAGMENT ? 0 : extTypes.get(i)[1])
                        .bytes(extBodies.get(i));
            }
            chain.bytes(l4);
            byte[] rest = chain.array();
            int first = extTypes.isEmpty() ? protocol : extTypes.get(0)[0];
            return new Bytes().u32(6L << 28 | (long) trafficClass << 20 | flowLabel)
                    .u16(payloadLength != null ? payloadLength : rest.length).u8(first).u8(hopLimit)
                    .bytes(src).bytes(dst).bytes(rest).array();
        }
    }

    static Ipv6 ipv6(String src, String dst) { return new Ipv6(src, dst); }

    // ---- link ----

    static final byte[] MAC_A = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
    static final byte[] MAC_B = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

    /** Ethernet with VLAN tags given as (TPID, TCI) pairs, outermost first. */
    static byte[] ethernet(int etherType, byte[] l3, int... tags) {
        Bytes b = new Bytes().bytes(MAC_B).bytes(MAC_A);
        for (int i = 0; i < tags.length; i += 2) {
            b.u16(tags[i]).u16(tags[i + 1]);
        }
        return b.u16(etherType).bytes(l3).array();
    }

    /** Pads a frame to the 60-byte Ethernet minimum, as NICs do. */
    static byte[] padded(byte[] frame) {
        return frame.length >= 60 ? frame : new Bytes().bytes(frame).zeros(60 - frame.length).array();
    }

    static byte[] sll(int packetType, int etherType, byte[] l3) {
        return new Bytes().u16(packetType).u16(1).u16(6).bytes(MAC_A).u16(0).u16(etherType).bytes(l3).array();
    }

    static byte[] sll2(int ifindex, int packetType, int etherType, byte[] l3) {
        return new Bytes().u16(etherType).u16(0).u32(ifindex).u16(1).u8(packetType).u8(6).bytes(MAC_A).u16(0)
                .bytes(l3).array();
    }

    /**
     * A DLT_NFLOG record: header (family, version 0, group) then TLVs with lengths and types in little-endian (the
     * capturing machine's order, x86) or big-endian, values in network order, each padded to 4 bytes.
     */
    static byte[] nflog(int family, int group, int hook, String prefix, long mark, int outdev, byte[] l3,
                        boolean littleEndian) {
        Bytes b = new Bytes().u8(family).u8(0).u16(group);
        tlv(b, 1, new Bytes().u16(family == 2 ? EtherType.IPV4 : EtherType.IPV6).u8(hook).u8(0).array(), littleEndian);
        byte[] p = prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        tlv(b, 10, new Bytes().bytes(p).u8(0).array(), littleEndian);
        tlv(b, 2, new Bytes().u32(mark).array(), littleEndian);
        tlv(b, 5, new Bytes().u32(outdev).array(), littleEndian);
        tlv(b, 8, new Bytes().u16(6).u16(0).bytes(MAC_A).u16(0).array(), littleEndian);
        tlv(b, 3, new Bytes().u32(0).u32(1_700_000_000L).u32(0).u32(250_000).array(), littleEndian);
        tlv(b, 9, l3, littleEndian);
        return b.array();
    }

    private static void tlv(Bytes b, int type, byte[] value, boolean littleEndian) {
        int length = 4 + value.length;
        if (littleEndian) {
            b.u8(length).u8(length >>> 8).u8(type).u8(type >>> 8);
        } else {
            b.u16(length).u16(type);
        }
        b.bytes(value).zeros((4 - value.length % 4) % 4);
    }

    static int checksum(byte[] b) {
        long sum = 0;
        for (int i = 0; i + 1 < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (b.length % 2 == 1) {
            sum += (b[b.length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
