package io.podcap.pcap;

import io.podcap.testing.Tools;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.pcap.CaptureFiles.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rotated files: names, limits, deletion, and each file complete and readable by tshark. */
class FileRotationTest {
    /** 2023-11-14T22:13:20Z */
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void rotatesBySizeAndEveryFileIsComplete() throws Exception {
        Path base = dir.resolve("cap.pcapng");
        List<Packet> packets = CaptureFiles.randomPackets(10, 400, 2);
        List<Path> closedFiles = new ArrayList<>();
        int files;
        try (PcapngWriter w = PcapngWriter.builder().path(base).rotateSizeBytes(20_000).clock(() -> T0)
                .beforeFileClose(wr -> {
                    closedFiles.add(wr.currentPath());
                    for (int i = 0; i < wr.interfaceCount(); i++) {
                        wr.writeInterfaceStatistics(i, 0, closedFiles.size(), 0, 0, 0, 0);
                    }
                }).open()) {
            w.addInterface("eth0", "first", LinkType.ETHERNET, 262144);
            w.addInterface("eth1", "second", LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, packets);
            files = w.filesWritten();
        }
        List<String> names = PcapngWriterTest.names(dir);
        assertTrue(files > 5, "expected several files, got " + files);
        assertEquals(files, names.size());
        for (int i = 0; i < files; i++) {
            assertEquals(String.format("cap-20231114T221320-%05d.pcapng", i + 1), names.get(i));
        }
        assertEquals(names, closedFiles.stream().map(p -> p.getFileName().toString()).toList());

        // each file: SHB + both IDBs, so tshark names every packet's interface; together they hold every packet
        int next = 0;
        for (String name : names) {
            Path f = dir.resolve(name);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            // the limit holds, except that the statistics block is appended after the last packet
            assertTrue(Files.size(f) <= 20_000 + 2 * 100, name + " is " + Files.size(f) + " bytes");
            List<String[]> rows = Tools.tsharkFields(f, "frame.interface_name", "frame.interface_description",
                    "frame.time_epoch", "frame.cap_len");
            assertTrue(rows.size() > 0, name);
            for (String[] row : rows) {
                Packet p = packets.get(next++);
                assertEquals(p.iface() == 0 ? "eth0" : "eth1", row[0]);
                assertEquals(p.iface() == 0 ? "first" : "second", row[1]);
                assertEquals(Tools.epoch(p.tsNanos()), row[2]);
                assertEquals(String.valueOf(p.data().length), row[3]);
            }
            assertEquals(2, Tools.run("capinfos", f.toString()).ok().out().split("Number of stat entries = 1",
                    -1).length - 1);
        }
        assertEquals(packets.size(), next);
    }

    @Test
    void rotatesByTimeWithTheInjectedClock() throws Exception {
        Path base = dir.resolve("timed.pcap"); // .pcap is replaced: rotated files are pcapng
        AtomicLong now = new AtomicLong(T0);
        ByteBuf b = Unpooled.wrappedBuffer(new byte[60]);
        try (PcapngWriter w = PcapngWriter.builder().path(base).rotateSeconds(10).clock(now::get).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            for (int i = 0; i < 35; i++) {           // one packet per second for 35 s
                w.writePacket(0, now.get() * 1_000_000L, b, 0, 60, 60);
                now.addAndGet(1000);
            }
            assertEquals(4, w.filesWritten());
            assertEquals(dir.resolve("timed-20231114T221350-00004.pcapng"), w.currentPath());
        }
        assertEquals(List.of("timed-20231114T221320-00001.pcapng", "timed-20231114T221330-00002.pcapng",
                "timed-20231114T221340-00003.pcapng", "timed-20231114T221350-00004.pcapng"),
                PcapngWriterTest.names(dir));
        int[] expected = {10, 10, 10, 5};
        List<String> names = PcapngWriterTest.names(dir);
        for (int i = 0; i < names.size(); i++) {
            List<String[]> rows = Tools.tsharkFields(dir.resolve(names.get(i)), "frame.time_epoch",
                    "frame.interface_name");
            assertEquals(expected[i], rows.size(), names.get(i));
            assertEquals(Tools.epoch((T0 + i * 10_000L) * 1_000_000L), rows.get(0)[0]);
            assertEquals("eth0", rows.get(0)[1]);
        }
    }

    @Test
    void noPacketsNoRotation() throws Exception {
        AtomicLong now = new AtomicLong(T0);
        try (PcapngWriter w = PcapngWriter.builder().path(dir.resolve("idle.pcapng")).rotateSeconds(1)
                .rotateSizeBytes(100).clock(now::get).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            now.addAndGet(60_000);
            w.writePacket(0, 1, Unpooled.wrappedBuffer(new byte[500]), 0, 500, 500); // larger than the limit
            assertEquals(1, w.filesWritten(), "an empty file is not rotated away");
        }
        assertEquals(1, PcapngWriterTest.names(dir).size());
    }

    @Test
    void keepsOnlyTheNewestFiles() throws Exception {
        Path base = dir.resolve("ring.pcapng");
        AtomicLong now = new AtomicLong(T0);
        ByteBuf b = Unpooled.wrappedBuffer(new byte[100]);
        try (PcapngWriter w = PcapngWriter.builder().path(base).rotateSeconds(1).keep(3).clock(now::get).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            for (int i = 0; i < 10; i++) {
                w.writePacket(0, i, b, 0, 100, 100);
                w.writePacket(0, i, b, 0, 100, 100);
                now.addAndGet(1000);
            }
            assertEquals(10, w.filesWritten());
            assertEquals(3, PcapngWriterTest.names(dir).size());
        }
        assertEquals(List.of("ring-20231114T221327-00008.pcapng", "ring-20231114T221328-00009.pcapng",
                "ring-20231114T221329-00010.pcapng"), PcapngWriterTest.names(dir));
        for (String name : PcapngWriterTest.names(dir)) {
            assertEquals(2, Tools.tsharkFields(dir.resolve(name), "frame.number").size());
        }
    }

    @Test
    void interfacesAddedLaterKeepTheirIdsInLaterFiles() throws Exception {
        Path base = dir.resolve("ids.pcapng");
        AtomicLong now = new AtomicLong(T0);
        ByteBuf b = Unpooled.wrappedBuffer(new byte[64]);
        try (PcapngWriter w = PcapngWriter.builder().path(base).rotateSeconds(5).clock(now::get).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            w.writePacket(0, 1, b, 0, 64, 64);
            int late = w.addInterface("veth1", "added in file 1", LinkType.ETHERNET, 262144);
            w.writePacket(late, 2, b, 0, 64, 64);
            now.addAndGet(5000);
            w.writePacket(late, 3, b, 0, 64, 64); // rotates: file 2 has both IDBs in the same order
            w.writePacket(0, 4, b, 0, 64, 64);
        }
        List<String> names = PcapngWriterTest.names(dir);
        assertEquals(2, names.size());
        List<String[]> second = Tools.tsharkFields(dir.resolve(names.get(1)), "frame.interface_id",
                "frame.interface_name", "frame.interface_description");
        assertArrayEquals(new String[] {"1", "veth1", "added in file 1"}, second.get(0));
        assertArrayEquals(new String[] {"0", "eth0", ""}, second.get(1));
    }

    @Test
    void withoutRotationTheFileIsExactlyThePath() throws Exception {
        Path base = dir.resolve("plain.pcap");
        try (PcapngWriter w = PcapngWriter.builder().path(base).keep(2).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, CaptureFiles.randomPackets(11, 50, 1));
        }
        assertEquals(List.of("plain.pcap"), PcapngWriterTest.names(dir));
        assertEquals(50, Tools.tsharkFields(base, "frame.number").size());
    }
}
