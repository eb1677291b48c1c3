package io.podcap.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Classic pcap: a 24-byte file header, then 16-byte record headers each followed by the packet bytes. */
final class ClassicPcapDecoder extends RecordDecoder {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    private static final int FILE_HEADER = 24;
    private static final int RECORD_HEADER = 16;

    private final long fractionNanos; // nanoseconds per unit of the second timestamp word

    ClassicPcapDecoder(Path file, ReadBuffer in, ByteOrder order, boolean nanos) {
        super(file, in);
        in.order(order);
        this.fractionNanos = nanos ? 1 : 1000;
    }

    @Override
    PcapFormat format() {
        return PcapFormat.PCAP;
    }

    @Override
    void readHeader() throws IOException {
        if (!in.fill(FILE_HEADER)) {
            throw new PcapFormatException(file, 0, "truncated file header (" + in.available() + " of 24 bytes)");
        }
        int major = in.getUnsignedShort(4);
        int minor = in.getUnsignedShort(6);
        if (major != 2) {
            throw new PcapFormatException(file, 4, "unsupported pcap version " + major + "." + minor);
        }
        int snaplen = (int) Math.min(in.getUnsignedInt(16), Integer.MAX_VALUE);
        // the upper bits of the link type field carry FCS information (LT_LINKTYPE in libpcap)
        linkType = in.getInt(20) & 0x03FFFFFF;
        ifindex = 0;
        interfaces.add(new PcapInterface(0, null, null, linkType, snaplen));
        in.pos = FILE_HEADER;
    }

    @Override
    int next() throws PcapFormatException {
        int p = in.pos;
        if (in.available() < RECORD_HEADER) {
            need = RECORD_HEADER;
            return NEED_MORE;
        }
        long incl = in.getUnsignedInt(p + 8);
        if (incl > MAX_CAPLEN) {
            throw malformed("record", p, "captured length " + incl + " is larger than " + MAX_CAPLEN);
        }
        int total = RECORD_HEADER + (int) incl;
        if (in.available() < total) {
            need = total;
            return NEED_MORE;
        }
        tsNanos = in.getUnsignedInt(p) * 1_000_000_000L + in.getUnsignedInt(p + 4) * fractionNanos;
        caplen = (int) incl;
        wirelen = (int) Math.min(in.getUnsignedInt(p + 12), Integer.MAX_VALUE);
        dataOffset = p + RECORD_HEADER;
        in.pos = p + total;
        return PACKET;
    }

    @Override
    PcapFormatException truncated() {
        return in.available() < RECORD_HEADER
                ? truncated("record", "a record header")
                : truncated("record", "a packet");
    }
}
