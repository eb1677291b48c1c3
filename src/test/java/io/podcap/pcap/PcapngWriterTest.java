package io.podcap.pcap;

import io.podcap.testing.Tools;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.pcap.CaptureFiles.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer's files, as tshark, tcpdump and capinfos see them. */
class PcapngWriterTest {
    @TempDir
    Path dir;

    @Test
    void tsharkSeesEveryPacketWithItsBytesTimestampAndInterface() throws Exception {
        Path f = dir.resolve("out.pcapng");
        List<Packet> packets = CaptureFiles.randomPackets(1, 300, 2);
        long written;
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            assertEquals(0, w.addInterface("eth0", "pod web-1 eth0", LinkType.ETHERNET, 262144));
            assertEquals(1, w.addInterface("lo", "pod web-1 loopback", LinkType.ETHERNET, 65535, "tcp port 80"));
            CaptureFiles.write(w, packets);
            assertEquals(300, w.packetsWritten());
            assertEquals(f, w.currentPath());
            written = w.bytesWritten();
        }
        assertEquals(Files.size(f), written);

        List<String[]> rows = Tools.tsharkFields(f, "frame.time_epoch", "frame.len", "frame.cap_len",
                "frame.interface_id", "frame.interface_name", "frame.interface_description");
        List<byte[]> bytes = Tools.tsharkBytes(f);
        assertEquals(packets.size(), rows.size());
        assertEquals(packets.size(), bytes.size());
        for (int i = 0; i < packets.size(); i++) {
            Packet p = packets.get(i);
            String[] row = rows.get(i);
            assertEquals(Tools.epoch(p.tsNanos()), row[0], "timestamp of packet " + i);
            assertEquals(String.valueOf(p.wirelen()), row[1]);
            assertEquals(String.valueOf(p.data().length), row[2]);
            assertEquals(String.valueOf(p.iface()), row[3]);
            assertEquals(p.iface() == 0 ? "eth0" : "lo", row[4]);
            assertEquals(p.iface() == 0 ? "pod web-1 eth0" : "pod web-1 loopback", row[5]);
            assertArrayEquals(p.data(), bytes.get(i), "bytes of packet " + i);
        }
    }

    @Test
    void tcpdumpReadsItWithNanosecondTimestamps() throws Exception {
        Path f = dir.resolve("out.pcapng");
        List<Packet> packets = CaptureFiles.randomPackets(2, 200, 2);
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            // libpcap wants the same link type and snap length on every interface
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            w.addInterface("eth1", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, packets);
        }
        List<Tools.TcpdumpPacket> seen = Tools.tcpdump(f);
        assertEquals(packets.size(), seen.size());
        for (int i = 0; i < packets.size(); i++) {
            assertEquals(Tools.epoch(packets.get(i).tsNanos()), seen.get(i).time());
            assertArrayEquals(packets.get(i).data(), seen.get(i).data());
        }
    }

    @Test
    void statisticsBlocksFromTheHookCarryTheCounters() throws Exception {
        Path f = dir.resolve("stats.pcapng");
        int[] calls = {0};
        try (PcapngWriter w = PcapngWriter.builder().path(f).userAppl("podcap-test").beforeFileClose(wr -> {
            calls[0]++;
            wr.writeInterfaceStatistics(0, 1_700_000_001_000_000_000L, 100, 7, 3, 5, 85);
            wr.writeInterfaceStatistics(1, 1_700_000_001_000_000_000L, 50, 1, -1, 0, 49);
        }).open()) {
            w.addInterface("eth0", "first", LinkType.ETHERNET, 262144);
            w.addInterface("eth1", "second", LinkType.RAW, 262144);
            CaptureFiles.write(w, CaptureFiles.randomPackets(3, 10, 1));
            w.close();
            w.close(); // idempotent: the hook runs once
        }
        assertEquals(1, calls[0]);

        // the packets still read cleanly with the statistics blocks in the file
        assertEquals(10, Tools.tsharkFields(f, "frame.number").size());
        Tools.Result caps = Tools.run("capinfos", f.toString()).ok();
        assertTrue(caps.out().contains("Capture application: podcap-test"), caps.out());
        assertEquals(2, caps.out().split("Number of stat entries = 1", -1).length - 1, caps.out());

        // Wireshark's dissector of the pcapng format itself shows each ISB option
        List<String[]> isb = Tools.pcapngBlockFields(f, "pcapng.options.option.data.interface.received",
                "pcapng.options.option.data.interface.dropped",
                "pcapng.options.option.data.interface.dropped_by_os",
                "pcapng.options.option.data.interface.delivered_to_user",
                "pcapng.options.option.data.comment");
        assertEquals(1, isb.size());
        assertArrayEquals(new String[] {"100,50", "3", "7,1", "85,49", "ring_dropped=5,ring_dropped=0"}, isb.get(0));
    }

    @Test
    void newFileIsOwnerOnly() throws Exception {
        Path f = dir.resolve("new.pcapng");
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(f));
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void existingFileIsTruncatedAndMadeOwnerOnly() throws Exception {
        Path f = dir.resolve("old.pcapng");
        Files.write(f, new byte[100_000]);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, CaptureFiles.randomPackets(4, 3, 1));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertTrue(Files.size(f) < 100_000);
        assertEquals(3, Tools.tsharkFields(f, "frame.number").size());
    }

    @Test
    void devNullIsWrittenWithoutChmodOrRotation() throws Exception {
        Path devNull = Path.of("/dev/null");
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(devNull);
        try (PcapngWriter w = PcapngWriter.builder().path(devNull).rotateSizeBytes(1000).rotateSeconds(1)
                .keep(1).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, CaptureFiles.randomPackets(5, 2000, 1));
            assertEquals(devNull, w.currentPath());
            assertEquals(1, w.filesWritten());
            assertEquals(2000, w.packetsWritten());
        }
        assertEquals(before, Files.getPosixFilePermissions(devNull));
        assertTrue(Files.exists(devNull) && !Files.isRegularFile(devNull));
    }

    @Test
    void aFailedWriteEndsTheWriter() throws Exception {
        // /dev/full: every write fails with "No space left on device"
        PcapngWriter w = PcapngWriter.builder().path(Path.of("/dev/full")).open();
        w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
        ByteBuf b = Unpooled.wrappedBuffer(new byte[1500]);
        IOException e = assertThrows(IOException.class, () -> {
            for (int i = 0; i < 10_000; i++) {
                w.writePacket(0, i, b, 0, 1500, 1500);
            }
        });
        assertTrue(e.getMessage().contains("No space left"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> w.writePacket(0, 0, b, 0, 1500, 1500));
        assertDoesNotThrow(w::close);
    }

    @Test
    void interfaceAddedAfterPacketsIsUsable() throws Exception {
        Path f = dir.resolve("late.pcapng");
        ByteBuf b = Unpooled.wrappedBuffer(new byte[64]);
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            int a = w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            w.writePacket(a, 1_000_000_001L, b, 0, 64, 64);
            int c = w.addInterface("eth1", "added later", LinkType.ETHERNET, 262144);
            w.writePacket(c, 2_000_000_002L, b, 0, 60, 64);
            w.writePacket(a, 3_000_000_003L, b, 4, 10, 10);
        }
        List<String[]> rows = Tools.tsharkFields(f, "frame.interface_name", "frame.cap_len", "frame.time_epoch");
        assertEquals(List.of("eth0 64 1.000000001", "eth1 60 2.000000002", "eth0 10 3.000000003"),
                rows.stream().map(r -> String.join(" ", r)).toList());
    }

    @Test
    void largePacketsBiggerThanTheStagingBufferAreWritten() throws Exception {
        Path f = dir.resolve("big.pcapng");
        int big = PcapngWriter.STAGING_BYTES + 12345;
        byte[] data = new byte[big];
        new java.util.Random(9).nextBytes(data);
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 0);
            w.writePacket(0, 5, Unpooled.wrappedBuffer(new byte[100]), 0, 100, 100);
            w.writePacket(0, 6, Unpooled.wrappedBuffer(data), 0, big, big);
            w.writePacket(0, 7, Unpooled.wrappedBuffer(new byte[100]), 0, 100, 100);
        }
        // beyond what tshark accepts (256 KiB), so check the blocks with the file-format dissector's lengths
        List<String[]> rows = Tools.pcapngBlockFields(f, "pcapng.packet.captured_length");
        assertEquals("100," + big + ",100", rows.get(0)[0]);
    }

    @Test
    void misuseIsRejected() throws Exception {
        Path f = dir.resolve("misuse.pcapng");
        ByteBuf b = Unpooled.wrappedBuffer(new byte[64]);
        PcapngWriter w = PcapngWriter.builder().path(f).open();
        assertThrows(IllegalArgumentException.class, () -> w.writePacket(0, 0, b, 0, 64, 64));
        w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
        assertThrows(IllegalArgumentException.class, () -> w.writePacket(1, 0, b, 0, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> w.writePacket(0, 0, b, 0, 64, 63));
        w.close();
        assertDoesNotThrow(w::close);
        assertThrows(IllegalStateException.class, () -> w.writePacket(0, 0, b, 0, 64, 64));
        assertThrows(IllegalStateException.class, () -> w.addInterface("x", null, 1, 1));
    }

    @Test
    void flushMakesStagedPacketsVisible() throws Exception {
        Path f = dir.resolve("flush.pcapng");
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, CaptureFiles.randomPackets(6, 5, 1));
            assertEquals(0, Files.size(f), "staged, not yet written");
            w.flush();
            assertEquals(w.bytesWritten(), Files.size(f));
            assertEquals(5, Tools.tsharkFields(f, "frame.number").size());
        }
    }

    static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            List<String> n = new ArrayList<>(s.map(p -> p.getFileName().toString()).toList());
            n.sort(null);
            return n;
        }
    }
}
