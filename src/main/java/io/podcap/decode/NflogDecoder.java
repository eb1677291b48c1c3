package io.podcap.decode;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A reusable flyweight over one DLT_NFLOG record (libpcap's {@code nflog:N} device, link type 239): a 4-byte header
 * (address family, version, group) then TLVs. TLV lengths and types are in the byte order of the machine that
 * captured (detected per record), values in network order. {@link #decode} allocates nothing and never throws: a
 * record whose TLVs run past the captured bytes stops there with {@link #truncated()} set.
 *
 * <p>Absent numeric values read -1. Records taken at OUTPUT/POSTROUTING carry no kernel timestamp. Not thread-safe.
 */
public final class NflogDecoder {
    // NFULA_* attribute types (linux/netfilter/nfnetlink_log.h)
    private static final int PACKET_HDR = 1;
    private static final int MARK = 2;
    private static final int TIMESTAMP = 3;
    private static final int IFINDEX_INDEV = 4;
    private static final int IFINDEX_OUTDEV = 5;
    private static final int IFINDEX_PHYSINDEV = 6;
    private static final int IFINDEX_PHYSOUTDEV = 7;
    private static final int HWADDR = 8;
    private static final int PAYLOAD = 9;
    private static final int PREFIX = 10;
    private static final int UID = 11;

    /** Netfilter hooks of the packet header ({@link #hook()}). */
    public static final int HOOK_PREROUTING = 0;
    public static final int HOOK_INPUT = 1;
    public static final int HOOK_FORWARD = 2;
    public static final int HOOK_OUTPUT = 3;
    public static final int HOOK_POSTROUTING = 4;

    private ByteBuf buf;
    private boolean truncated;
    private int family;
    private int group;
    private int hwProtocol;
    private int hook;
    private long mark;
    private long timestampNanos;
    private int indev;
    private int outdev;
    private int physIndev;
    private int physOutdev;
    private long hwAddr;
    private int hwAddrLength;
    private long uid;
    private int prefixOffset;
    private int prefixLength;
    private int payloadOffset;
    private int payloadLength;

    /** Decodes the record of {@code length} bytes at absolute index {@code offset}; false when it has no header. */
    public boolean decode(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        truncated = false;
        family = -1;
        group = -1;
        hwProtocol = -1;
        hook = -1;
        mark = -1;
        timestampNanos = -1;
        indev = -1;
        outdev = -1;
        physIndev = -1;
        physOutdev = -1;
        hwAddr = 0;
        hwAddrLength = 0;
        uid = -1;
        prefixOffset = -1;
        prefixLength = 0;
        payloadOffset = -1;
        payloadLength = 0;
        if (buf == null || offset < 0 || length < 4) {
            truncated = true;
            return false;
        }
        int end = (int) Math.min((long) offset + length, buf.capacity());
        if (end - offset < 4) {
            truncated = true;
            return false;
        }
        family = buf.getUnsignedByte(offset);
        group = buf.getUnsignedShort(offset + 2);
        boolean little = littleEndian(buf, offset + 4, end);
        int pos = offset + 4;
        while (pos + 4 <= end) {
            int tlvLength = little ? buf.getUnsignedShortLE(pos) : buf.getUnsignedShort(pos);
            int type = (little ? buf.getUnsignedShortLE(pos + 2) : buf.getUnsignedShort(pos + 2)) & 0x7fff;
            if (tlvLength < 4) {
                truncated = true;
                return true;
            }
            if (tlvLength > end - pos) {
                if (type == PAYLOAD) { // snapped: keep what was captured of the packet
                    payloadOffset = pos + 4;
                    payloadLength = end - pos - 4;
                }
                truncated = true;
                return true;
            }
            attribute(type, pos + 4, tlvLength - 4);
            pos += (tlvLength + 3) & ~3;
        }
        return true;
    }

    /** Byte order of the first TLV's length: the one under which it fits the record. */
    private static boolean littleEndian(ByteBuf buf, int pos, int end) {
        if (pos + 2 > end) {
            return true;
        }
        int le = buf.getUnsignedShortLE(pos);
        return le >= 4 && le <= end - pos || buf.getUnsignedShort(pos) < 4 || buf.getUnsignedShort(pos) > end - pos;
    }

    private void attribute(int type, int v, int n) {
        switch (type) {
            case PACKET_HDR -> {
                if (n >= 3) {
                    hwProtocol = buf.getUnsignedShort(v);
                    hook = buf.getUnsignedByte(v + 2);
                }
            }
            case MARK -> mark = n >= 4 ? buf.getUnsignedInt(v) : -1;
            case TIMESTAMP -> {
                if (n >= 16) {
                    timestampNanos = buf.getLong(v) * 1_000_000_000L + buf.getLong(v + 8) * 1000L;
                }
            }
            case IFINDEX_INDEV -> indev = n >= 4 ? buf.getInt(v) : -1;
            case IFINDEX_OUTDEV -> outdev = n >= 4 ? buf.getInt(v) : -1;
            case IFINDEX_PHYSINDEV -> physIndev = n >= 4 ? buf.getInt(v) : -1;
            case IFINDEX_PHYSOUTDEV -> physOutdev = n >= 4 ? buf.getInt(v) : -1;
            case HWADDR -> {
                if (n >= 4) {
                    hwAddrLength = Math.min(buf.getUnsignedShort(v), Math.min(8, n - 4));
                    long a = 0;
                    for (int i = 0; i < hwAddrLength; i++) {
                        a = (a << 8) | buf.getUnsignedByte(v + 4 + i);
                    }
                    hwAddr = a;
                }
            }
            case PAYLOAD -> {
                payloadOffset = v;
                payloadLength = n;
            }
            case PREFIX -> {
                int len = 0;
                while (len < n && buf.getByte(v + len) != 0) {
                    len++;
                }
                prefixOffset = v;
                prefixLength = len;
            }
            case UID -> uid = n >= 4 ? buf.getUnsignedInt(v) : -1;
            default -> {
                // GID, SEQ, HWTYPE, HWHEADER, CT, VLAN, L2HDR: not needed here
            }
        }
    }

    /** AF_INET (2) or AF_INET6 (10). */
    public int family() { return family; }

    /** The NFLOG group ({@code --nflog-group}). */
    public int group() { return group; }

    /** EtherType of the payload. */
    public int hwProtocol() { return hwProtocol; }

    /** The netfilter hook ({@link #HOOK_PREROUTING} ...), -1 when absent. */
    public int hook() { return hook; }

    public long mark() { return mark; }

    /** Kernel timestamp in epoch nanoseconds, -1 when absent (OUTPUT/POSTROUTING records). */
    public long timestampNanos() { return timestampNanos; }

    public int indev() { return indev; }

    public int outdev() { return outdev; }

    public int physIndev() { return physIndev; }

    public int physOutdev() { return physOutdev; }

    /** Source hardware address (big-endian in the low {@link #hwAddrLength()} bytes), 0 when absent. */
    public long hwAddr() { return hwAddr; }

    public int hwAddrLength() { return hwAddrLength; }

    public long uid() { return uid; }

    /** Absolute index of the logged packet (from its IP header), -1 when there is no payload. */
    public int payloadOffset() { return payloadOffset; }

    public int payloadLength() { return payloadLength; }

    /** Whether a TLV ran past the captured bytes (the payload, if any, is what was captured of it). */
    public boolean truncated() { return truncated; }

    public boolean hasPrefix() { return prefixOffset >= 0; }

    /** Whether the prefix equals {@code s} (ASCII), without allocating. */
    public boolean prefixEquals(String s) {
        if (prefixOffset < 0 || s.length() != prefixLength) {
            return false;
        }
        for (int i = 0; i < prefixLength; i++) {
            if (buf.getByte(prefixOffset + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The prefix as a String (allocates), or null. */
    public String prefix() {
        return prefixOffset < 0 ? null : buf.toString(prefixOffset, prefixLength, StandardCharsets.UTF_8);
    }

    /** The hook's name ({@code OUTPUT}), or null. */
    public static String hookName(int hook) {
        return switch (hook) {
            case HOOK_PREROUTING -> "PREROUTING";
            case HOOK_INPUT -> "INPUT";
            case HOOK_FORWARD -> "FORWARD";
            case HOOK_OUTPUT -> "OUTPUT";
            case HOOK_POSTROUTING -> "POSTROUTING";
            default -> null;
        };
    }
}
