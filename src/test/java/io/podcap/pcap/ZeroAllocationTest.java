package io.podcap.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-packet paths allocate nothing once warmed up: bytes allocated by this thread over a million packets stay
 * under a small constant (a few flushes/refills may allocate a little; one byte per packet would be 1 MB).
 */
class ZeroAllocationTest {
    private static final int WARMUP = 300_000;
    private static final int MEASURED = 1_000_000;
    /** Constant slack, far below one byte per packet. */
    private static final long SLACK_BYTES = 16 * 1024;

    @TempDir
    Path dir;

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void writerAllocatesNothingPerPacket() throws Exception {
        ByteBuf heap = Unpooled.wrappedBuffer(new byte[2048]);
        ByteBuf direct = Unpooled.directBuffer(2048).writeZero(2048);
        ByteBuf view = direct.duplicate(); // what a PacketView hands out
        Path f = dir.resolve("alloc.pcapng");
        try (PcapngWriter w = PcapngWriter.builder().path(f)
                .rotateSizeBytes(Long.MAX_VALUE / 2).rotateSeconds(1_000_000) // exercise the rotation checks
                .open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            writeMany(w, heap, direct, view, WARMUP);
            long before = allocated();
            writeMany(w, heap, direct, view, MEASURED);
            long used = allocated() - before;
            assertTrue(used < SLACK_BYTES, "writer allocated " + used + " bytes for " + MEASURED + " packets");
            assertEquals(WARMUP + MEASURED, w.packetsWritten());
        }
        direct.release();
    }

    private static void writeMany(PcapngWriter w, ByteBuf heap, ByteBuf direct, ByteBuf view, int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            ByteBuf b = switch (i % 3) {
                case 0 -> heap;
                case 1 -> direct;
                default -> view;
            };
            int len = 14 + (i & 63);
            w.writePacket(0, i, b, i & 7, len, len + (i & 1));
        }
    }

    @Test
    void pcapngReaderAllocatesNothingPerPacket() throws Exception {
        Path f = dir.resolve("many.pcapng");
        ByteBuf data = Unpooled.wrappedBuffer(new byte[128]);
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            w.addInterface("eth1", null, LinkType.ETHERNET, 262144);
            for (int i = 0; i < WARMUP + MEASURED; i++) {
                int len = 14 + (i & 31);
                w.writePacket(i & 1, i, data, 0, len, len);
            }
        }
        assertReaderAllocatesNothing(f);
    }

    @Test
    void classicReaderAllocatesNothingPerPacket() throws Exception {
        Path f = dir.resolve("many.pcap");
        byte[] header = CaptureFiles.classicPcap(ByteOrder.BIG_ENDIAN, true, LinkType.ETHERNET, 262144, List.of());
        byte[] record = CaptureFiles.classicPcap(ByteOrder.BIG_ENDIAN, true, LinkType.ETHERNET, 262144,
                List.of(new CaptureFiles.Packet(0, 1_500_000_000_000_000_001L, new byte[40], 60)));
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
            out.write(header);
            for (int i = 0; i < WARMUP + MEASURED; i++) {
                out.write(record, header.length, record.length - header.length);
            }
        }
        assertReaderAllocatesNothing(f);
    }

    private static void assertReaderAllocatesNothing(Path f) throws Exception {
        Touch touch = new Touch();
        try (PcapReader r = PcapReader.open(f)) {
            long n = 0;
            while (n < WARMUP) {
                n += r.read(touch, 1000);
            }
            long before = allocated();
            long measured = 0;
            int got;
            while ((got = r.read(touch, 1000)) >= 0) {
                measured += got;
            }
            long used = allocated() - before;
            assertEquals(WARMUP + MEASURED, n + measured);
            assertTrue(used < SLACK_BYTES, "reader allocated " + used + " bytes for " + measured + " packets");
            assertEquals(WARMUP + MEASURED, touch.packets);
        }
    }

    /** Looks at every field, so nothing is optimized away. */
    private static final class Touch implements PacketHandler {
        long packets;
        long sum;

        @Override
        public void onPacket(PacketView v) {
            packets++;
            sum += v.caplen() + v.wirelen() + v.timestampNanos() + v.ifindex() + v.linkType()
                    + v.data().getByte(v.offset() + v.caplen() - 1) + v.data().readableBytes();
        }
    }
}
