package io.podcap.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.podcap.pcap.PcapngBlocks.EPB;
import static io.podcap.pcap.PcapngBlocks.IDB;
import static io.podcap.pcap.PcapngBlocks.PB;
import static io.podcap.pcap.PcapngBlocks.SHB;
import static io.podcap.pcap.PcapngBlocks.SPB;

/**
 * pcapng: blocks in sections, each section with its own byte order and interfaces. Interface ids in packets are
 * per section; they are reported as file-wide indexes (section's first interface + local id).
 */
final class PcapngDecoder extends RecordDecoder {
    /** Larger blocks are taken as corruption rather than buffered (Wireshark uses the same bound). */
    static final int MAX_BLOCK = 16 << 20;

    private final List<TimestampScale> scales = new ArrayList<>();
    private int sectionBase;
    private boolean inSection;

    PcapngDecoder(Path file, ReadBuffer in) {
        super(file, in);
    }

    @Override
    PcapFormat format() {
        return PcapFormat.PCAPNG;
    }

    /** Reads the section header and interface blocks before the first packet, so interfaces are known early. */
    @Override
    void readHeader() throws IOException {
        while (true) {
            if (!in.fill(4)) {
                return; // end of file, or too little left to tell: read() reports it
            }
            int type = in.getInt(in.pos);
            if (inSection && (type == EPB || type == SPB || type == PB)) {
                return;
            }
            if (next() == NEED_MORE && !in.fill(need)) {
                throw truncated();
            }
        }
    }

    @Override
    int next() throws PcapFormatException {
        int p = in.pos;
        if (in.available() < 12) {
            need = 12;
            return NEED_MORE;
        }
        int type = in.getInt(p); // SHB's type reads the same in both byte orders
        if (type == SHB) {
            int bom = in.getIntLE(p + 8);
            if (bom == PcapngBlocks.BYTE_ORDER_MAGIC) {
                in.order(ByteOrder.LITTLE_ENDIAN);
            } else if (bom == Integer.reverseBytes(PcapngBlocks.BYTE_ORDER_MAGIC)) {
                in.order(ByteOrder.BIG_ENDIAN);
            } else {
                throw malformed("section header", p, "bad byte-order magic 0x" + Integer.toHexString(bom));
            }
        } else if (!inSection) {
            throw malformed("block", p, "first block is not a section header");
        }
        long len = in.getUnsignedInt(p + 4);
        if (len < 12 || (len & 3) != 0 || len > MAX_BLOCK) {
            throw malformed("block", p, "block length " + len
                    + (len > MAX_BLOCK ? " is larger than " + MAX_BLOCK : " is not a multiple of 4 of at least 12"));
        }
        if (in.available() < len) {
            need = (int) len;
            return NEED_MORE;
        }
        int end = p + (int) len;
        long trailer = in.getUnsignedInt(end - 4);
        if (trailer != len) {
            throw malformed("block", p, "block length " + len + " does not match trailing length " + trailer);
        }
        int result = switch (type) {
            case SHB -> sectionHeader(p, end);
            case IDB -> interfaceDescription(p, end);
            case EPB -> enhancedPacket(p, end);
            case SPB -> simplePacket(p, end);
            case PB -> obsoletePacket(p, end);
            default -> OTHER; // statistics, name resolution, custom...: not needed
        };
        in.pos = end;
        return result;
    }

    @Override
    PcapFormatException truncated() {
        String inside = "a block";
        if (in.available() >= 4) {
            int type = in.getInt(in.pos);
            inside = type == EPB || type == SPB || type == PB ? "a packet"
                    : type == SHB ? "a section header" : type == IDB ? "an interface description" : "a block";
        }
        return truncated("block", inside);
    }

    private int sectionHeader(int p, int end) throws PcapFormatException {
        requireLength("section header", p, end, 28);
        int major = in.getUnsignedShort(p + 12);
        int minor = in.getUnsignedShort(p + 14);
        if (major != 1) {
            throw malformed("section header", p, "unsupported pcapng version " + major + "." + minor);
        }
        inSection = true;
        sectionBase = interfaces.size();
        return OTHER;
    }

    private int interfaceDescription(int p, int end) throws PcapFormatException {
        requireLength("interface description", p, end, 20);
        int link = in.getUnsignedShort(p + 8);
        int snaplen = (int) Math.min(in.getUnsignedInt(p + 12), Integer.MAX_VALUE);
        String name = null;
        String description = null;
        int tsresol = 6;
        long tsoffset = 0;
        int o = p + 16;
        int optEnd = end - 4;
        while (o + 4 <= optEnd) {
            int code = in.getUnsignedShort(o);
            int olen = in.getUnsignedShort(o + 2);
            if (code == PcapngBlocks.OPT_ENDOFOPT) {
                break;
            }
            int v = o + 4;
            if (v + olen > optEnd) {
                throw malformed("interface description", p, "option " + code + " runs past the end of the block");
            }
            switch (code) {
                case PcapngBlocks.IF_NAME -> name = string(v, olen);
                case PcapngBlocks.IF_DESCRIPTION -> description = string(v, olen);
                case PcapngBlocks.IF_TSRESOL -> tsresol = olen >= 1 ? in.getUnsignedByte(v) : tsresol;
                case PcapngBlocks.IF_TSOFFSET -> tsoffset = olen == 8 ? in.getLong(v) : tsoffset;
                default -> { }
            }
            o = v + PcapngBlocks.pad4(olen);
        }
        interfaces.add(new PcapInterface(interfaces.size(), name, description, link, snaplen));
        scales.add(TimestampScale.of(tsresol, tsoffset));
        return OTHER;
    }

    private int enhancedPacket(int p, int end) throws PcapFormatException {
        requireLength("packet block", p, end, 32);
        long cap = in.getUnsignedInt(p + 20);
        checkCaplen(p, cap, end - (p + 28) - 4);
        long ticks = (in.getUnsignedInt(p + 12) << 32) | in.getUnsignedInt(p + 16);
        return packet(p, in.getUnsignedInt(p + 8), ticks, p + 28, (int) cap, in.getUnsignedInt(p + 24));
    }

    private int simplePacket(int p, int end) throws PcapFormatException {
        requireLength("simple packet block", p, end, 16);
        long orig = in.getUnsignedInt(p + 8);
        requireInterface(p, 0);
        // no captured length field: the smaller of the packet, the block and the interface's snap length
        long cap = Math.min(orig, end - (p + 12) - 4);
        int snaplen = interfaces.get(sectionBase).snaplen();
        if (snaplen > 0) {
            cap = Math.min(cap, snaplen);
        }
        checkCaplen(p, cap, end - (p + 12) - 4);
        return packet(p, 0, -1, p + 12, (int) cap, orig);
    }

    private int obsoletePacket(int p, int end) throws PcapFormatException {
        requireLength("packet block", p, end, 32);
        long cap = in.getUnsignedInt(p + 20);
        checkCaplen(p, cap, end - (p + 28) - 4);
        long ticks = (in.getUnsignedInt(p + 12) << 32) | in.getUnsignedInt(p + 16);
        return packet(p, in.getUnsignedShort(p + 8), ticks, p + 28, (int) cap, in.getUnsignedInt(p + 24));
    }

    /** @param ticks -1 for a block without timestamp (SPB), reported as 0 */
    private int packet(int p, long localId, long ticks, int data, int cap, long orig) throws PcapFormatException {
        int global = requireInterface(p, localId);
        ifindex = global;
        linkType = interfaces.get(global).linkType();
        tsNanos = ticks == -1 ? 0 : scales.get(global).toNanos(ticks);
        dataOffset = data;
        caplen = cap;
        wirelen = (int) Math.min(orig, Integer.MAX_VALUE);
        return PACKET;
    }

    private int requireInterface(int p, long localId) throws PcapFormatException {
        int count = interfaces.size() - sectionBase;
        if (localId >= count) {
            throw malformed("packet block", p, "interface " + localId + " is not defined (the section has "
                    + count + ")");
        }
        return sectionBase + (int) localId;
    }

    private void checkCaplen(int p, long cap, int room) throws PcapFormatException {
        if (cap > MAX_CAPLEN) {
            throw malformed("packet block", p, "captured length " + cap + " is larger than " + MAX_CAPLEN);
        }
        if (cap > room) {
            throw malformed("packet block", p, "captured length " + cap + " does not fit in the block");
        }
    }

    private void requireLength(String what, int p, int end, int min) throws PcapFormatException {
        if (end - p < min) {
            throw malformed(what, p, "block length " + (end - p) + " is shorter than " + min);
        }
    }

    /** UTF-8 option value; writers differ on whether they include a terminating NUL. */
    private String string(int at, int len) {
        while (len > 0 && in.getUnsignedByte(at + len - 1) == 0) {
            len--;
        }
        return new String(in.bytes(at, len), StandardCharsets.UTF_8);
    }
}
