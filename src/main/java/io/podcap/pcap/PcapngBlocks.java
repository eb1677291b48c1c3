package io.podcap.pcap;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * pcapng block and option numbers, and the encoders the writer uses. Blocks are written little-endian; a reader
 * learns the byte order from the Section Header Block's byte-order magic. Every block is
 * {@code type, total length, body, total length}, padded to 4 bytes.
 */
final class PcapngBlocks {
    static final int SHB = 0x0A0D0D0A;
    static final int IDB = 0x00000001;
    /** Obsolete Packet Block (read only). */
    static final int PB = 0x00000002;
    static final int SPB = 0x00000003;
    static final int ISB = 0x00000005;
    static final int EPB = 0x00000006;

    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    static final int OPT_ENDOFOPT = 0;
    static final int OPT_COMMENT = 1;
    static final int SHB_OS = 3;
    static final int SHB_USERAPPL = 4;
    static final int IF_NAME = 2;
    static final int IF_DESCRIPTION = 3;
    static final int IF_TSRESOL = 9;
    static final int IF_FILTER = 11;
    static final int IF_TSOFFSET = 14;
    static final int ISB_IFRECV = 4;
    static final int ISB_IFDROP = 5;
    static final int ISB_OSDROP = 7;
    static final int ISB_USRDELIV = 8;

    /** if_tsresol value the writer uses: 10^-9, nanoseconds. */
    static final int TSRESOL_NANOS = 9;

    /** Fixed part of an EPB: type, length, interface id, timestamp (2 words), caplen, wirelen ... trailing length. */
    static final int EPB_OVERHEAD = 32;

    private PcapngBlocks() {
    }

    static int pad4(int n) {
        return (n + 3) & ~3;
    }

    /** Total length of an EPB carrying {@code caplen} bytes and no options. */
    static int epbLength(int caplen) {
        return EPB_OVERHEAD + pad4(caplen);
    }

    static void writeEpb(ByteBuf out, int ifaceId, long tsNanos, ByteBuf data, int offset, int caplen, int wirelen) {
        int len = epbLength(caplen);
        out.writeIntLE(EPB);
        out.writeIntLE(len);
        out.writeIntLE(ifaceId);
        out.writeIntLE((int) (tsNanos >>> 32));
        out.writeIntLE((int) tsNanos);
        out.writeIntLE(caplen);
        out.writeIntLE(wirelen);
        out.writeBytes(data, offset, caplen);
        out.writeZero(pad4(caplen) - caplen);
        out.writeIntLE(len);
    }

    static byte[] shb(String os, String userAppl) {
        Options o = new Options();
        o.string(SHB_OS, os);
        o.string(SHB_USERAPPL, userAppl);
        Block b = new Block(SHB);
        b.int32(BYTE_ORDER_MAGIC);
        b.int16(1);          // major version
        b.int16(0);          // minor version
        b.int64(-1L);        // section length: not specified
        return b.finish(o);
    }

    static byte[] idb(String name, String description, int linkType, int snaplen, String filter) {
        Options o = new Options();
        o.string(IF_NAME, name);
        o.string(IF_DESCRIPTION, description);
        o.bytes(IF_TSRESOL, new byte[] {TSRESOL_NANOS});
        if (filter != null) {
            // first byte 0: the filter is a libpcap filter string
            byte[] f = filter.getBytes(StandardCharsets.UTF_8);
            byte[] v = new byte[f.length + 1];
            System.arraycopy(f, 0, v, 1, f.length);
            o.bytes(IF_FILTER, v);
        }
        Block b = new Block(IDB);
        b.int16(linkType);
        b.int16(0);
        b.int32(snaplen);
        return b.finish(o);
    }

    /** Negative counters are unknown and left out. */
    static byte[] isb(int ifaceId, long tsNanos, long received, long kernelDropped, long interfaceDropped,
                      long ringDropped, long delivered) {
        Options o = new Options();
        if (ringDropped >= 0) {
            o.string(OPT_COMMENT, "ring_dropped=" + ringDropped);
        }
        o.int64(ISB_IFRECV, received);
        o.int64(ISB_IFDROP, interfaceDropped);
        o.int64(ISB_OSDROP, kernelDropped);
        o.int64(ISB_USRDELIV, delivered);
        Block b = new Block(ISB);
        b.int32(ifaceId);
        b.int32((int) (tsNanos >>> 32));
        b.int32((int) tsNanos);
        return b.finish(o);
    }

    /** Little-endian byte builder for the rare blocks (allocation is fine here). */
    private static class Bytes {
        byte[] a = new byte[64];
        int n;

        void put(int b) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = (byte) b;
        }

        void int16(int v) {
            put(v);
            put(v >>> 8);
        }

        void int32(int v) {
            int16(v);
            int16(v >>> 16);
        }

        void int64(long v) {
            int32((int) v);
            int32((int) (v >>> 32));
        }

        void raw(byte[] b) {
            for (byte x : b) {
                put(x);
            }
        }

        void padTo4() {
            while ((n & 3) != 0) {
                put(0);
            }
        }
    }

    private static final class Options extends Bytes {
        void bytes(int code, byte[] value) {
            int16(code);
            int16(value.length);
            raw(value);
            padTo4();
        }

        void string(int code, String value) {
            if (value != null && !value.isEmpty()) {
                bytes(code, value.getBytes(StandardCharsets.UTF_8));
            }
        }

        void int64(int code, long value) {
            if (value >= 0) {
                int16(code);
                int16(8);
                super.int64(value);
            }
        }
    }

    private static final class Block extends Bytes {
        Block(int type) {
            int32(type);
            int32(0); // total length, patched in finish
        }

        byte[] finish(Options options) {
            if (options.n > 0) {
                raw(Arrays.copyOf(options.a, options.n));
                int32(OPT_ENDOFOPT); // code 0, length 0
            }
            int total = n + 4;
            int32(total);
            byte[] out = Arrays.copyOf(a, total);
            out[4] = (byte) total;
            out[5] = (byte) (total >>> 8);
            out[6] = (byte) (total >>> 16);
            out[7] = (byte) (total >>> 24);
            return out;
        }
    }
}
