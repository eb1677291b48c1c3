package io.podcap.pcap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one record at a time out of a {@link ReadBuffer}. {@link #next()} never reads the file: when the record at
 * the buffer position is incomplete it asks for {@link #need} bytes, and the reader decides when to fill. The last
 * packet's fields are left in plain fields for the reader, so nothing is allocated per packet.
 */
abstract class RecordDecoder {
    static final int OTHER = 0;
    static final int PACKET = 1;
    static final int NEED_MORE = 2;

    /** Largest packet accepted (Wireshark's limit as well). */
    static final int MAX_CAPLEN = 256 * 1024;

    final Path file;
    final ReadBuffer in;
    /** Interfaces seen so far, in file order; index = id. */
    final List<PcapInterface> interfaces = new ArrayList<>();

    /** Bytes the current record needs, after {@link #NEED_MORE}. */
    int need;

    // the last packet
    int dataOffset;
    int caplen;
    int wirelen;
    long tsNanos;
    int ifindex;
    int linkType;

    RecordDecoder(Path file, ReadBuffer in) {
        this.file = file;
        this.in = in;
    }

    abstract PcapFormat format();

    /** Reads the file header (and, for pcapng, the blocks up to the first packet). May fill the buffer. */
    abstract void readHeader() throws IOException;

    /** Parses the record at {@code in.pos}: {@link #PACKET}, {@link #OTHER} (skipped) or {@link #NEED_MORE}. */
    abstract int next() throws PcapFormatException;

    /** The error for a file that ends inside the record at {@code in.pos}. */
    abstract PcapFormatException truncated();

    PcapFormatException malformed(String what, int at, String problem) {
        long offset = in.fileOffset(at);
        return new PcapFormatException(file, offset, "malformed " + what + " at byte " + offset + ": " + problem);
    }

    PcapFormatException truncated(String what, String inside) {
        long offset = in.fileOffset(in.pos);
        return new PcapFormatException(file, offset,
                "truncated " + what + " at byte " + offset + " (file ends inside " + inside + ")");
    }
}
