package io.podcap.pcap;

import io.podcap.testing.Tools;

import io.netty.buffer.ByteBuf;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.pcap.CaptureFiles.Collector;
import io.podcap.pcap.CaptureFiles.Packet;
import io.podcap.pcap.CaptureFiles.Pcapng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files made by the real tools (and by hand where the tools cannot), read and compared with tshark's view. */
class PcapReaderTest {
    @TempDir
    Path dir;

    /** A pcapng with nanosecond timestamps and one Ethernet interface, the input for the editcap conversions. */
    private Path source(List<Packet> packets, String name) throws IOException {
        Path f = dir.resolve(name);
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", "source", LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, packets);
        }
        return f;
    }

    private Path editcap(Path in, String format, String name) throws Exception {
        Path out = dir.resolve(name);
        Tools.run("editcap", "-F", format, in.toString(), out.toString()).ok();
        return out;
    }

    /** What the reader delivers equals what tshark shows: count, lengths, timestamps, interface ids, bytes. */
    private List<Packet> assertReadsLikeTshark(Path f) throws Exception {
        return assertReadsLikeTshark(f, 0);
    }

    /**
     * tshark numbers interfaces per section, the reader over the whole file: {@code sectionBases[i]} is the number
     * of interfaces in the sections before section i+1.
     */
    private List<Packet> assertReadsLikeTshark(Path f, int... sectionBases) throws Exception {
        List<Packet> read = CaptureFiles.readAll(f);
        List<String[]> rows = Tools.tsharkFields(f, "frame.time_epoch", "frame.len", "frame.cap_len",
                "frame.interface_id", "frame.section_number");
        List<byte[]> bytes = Tools.tsharkBytes(f);
        assertEquals(rows.size(), read.size(), "packet count of " + f.getFileName());
        for (int i = 0; i < read.size(); i++) {
            Packet p = read.get(i);
            String[] row = rows.get(i);
            // a simple packet block has no timestamp: tshark shows none, the reader 0
            assertEquals(row[0].isEmpty() ? Tools.epoch(0) : row[0], Tools.epoch(p.tsNanos()), "time of packet " + i);
            assertEquals(row[1], String.valueOf(p.wirelen()), "wire length of packet " + i);
            assertEquals(row[2], String.valueOf(p.data().length), "captured length of packet " + i);
            int section = row[4].isEmpty() ? 1 : Integer.parseInt(row[4]);
            int iface = (row[3].isEmpty() ? 0 : Integer.parseInt(row[3])) + sectionBases[section - 1];
            assertEquals(iface, p.iface(), "interface of packet " + i);
            assertArrayEquals(bytes.get(i), p.data(), "bytes of packet " + i);
        }
        return read;
    }

    @Test
    void classicPcapMicrosecondsFromEditcap() throws Exception {
        List<Packet> packets = CaptureFiles.randomPackets(20, 300, 1);
        Path f = editcap(source(packets, "src.pcapng"), "pcap", "us.pcap");
        assertEquals("a1b2c3d4", magic(f));
        try (PcapReader r = PcapReader.open(f)) {
            assertEquals(PcapFormat.PCAP, r.format());
            assertEquals(List.of(new PcapInterface(0, null, null, LinkType.ETHERNET, 262144)), r.interfaces());
        }
        List<Packet> read = assertReadsLikeTshark(f);
        for (int i = 0; i < packets.size(); i++) {
            assertEquals(packets.get(i).tsNanos() / 1000 * 1000, read.get(i).tsNanos());
        }
    }

    @Test
    void classicPcapNanosecondsFromEditcap() throws Exception {
        List<Packet> packets = CaptureFiles.randomPackets(21, 300, 1);
        Path f = editcap(source(packets, "src.pcapng"), "nsecpcap", "ns.pcap");
        assertEquals("a1b23c4d", magic(f));
        List<Packet> read = assertReadsLikeTshark(f);
        assertEquals(packets, withoutArrays(read, packets));
    }

    @Test
    void pcapngFromEditcap() throws Exception {
        List<Packet> packets = CaptureFiles.randomPackets(22, 300, 1);
        Path pcap = editcap(source(packets, "src.pcapng"), "nsecpcap", "ns.pcap");
        Path f = editcap(pcap, "pcapng", "converted.pcapng");
        try (PcapReader r = PcapReader.open(f)) {
            assertEquals(PcapFormat.PCAPNG, r.format());
            assertEquals(1, r.interfaces().size());
            assertEquals(LinkType.ETHERNET, r.interfaces().get(0).linkType());
        }
        assertReadsLikeTshark(f);
    }

    @Test
    void text2pcapOutputBothFormats() throws Exception {
        Path hex = dir.resolve("dump.txt");
        StringBuilder sb = new StringBuilder();
        java.util.Random rnd = new java.util.Random(23);
        for (int i = 0; i < 40; i++) {
            sb.append(String.format("2023-11-14T22:13:%02d.%09d ", i % 60, rnd.nextInt(1_000_000_000)));
            int len = 14 + rnd.nextInt(200);
            for (int off = 0; off < len; off += 16) {
                sb.append(String.format("%06x", off));
                for (int j = off; j < Math.min(len, off + 16); j++) {
                    sb.append(String.format(" %02x", j == 12 ? 0x88 : j == 13 ? 0xb5 : rnd.nextInt(256)));
                }
                sb.append('\n');
            }
        }
        Files.writeString(hex, sb);
        Path ng = dir.resolve("t2p.pcapng");
        Path classic = dir.resolve("t2p.pcap");
        Tools.run("text2pcap", "-q", "-t", "%Y-%m-%dT%H:%M:%S.%f", hex.toString(), ng.toString());
        Tools.run("text2pcap", "-q", "-F", "pcap", "-t", "%Y-%m-%dT%H:%M:%S.%f", hex.toString(),
                classic.toString());
        assertEquals(40, assertReadsLikeTshark(ng).size());
        assertEquals(40, assertReadsLikeTshark(classic).size());
    }

    @Test
    void bigEndianClassicPcap() throws Exception {
        List<Packet> packets = CaptureFiles.randomPackets(24, 100, 1);
        for (boolean nanos : new boolean[] {false, true}) {
            Path f = dir.resolve(nanos ? "be-ns.pcap" : "be-us.pcap");
            Files.write(f, CaptureFiles.classicPcap(ByteOrder.BIG_ENDIAN, nanos, LinkType.ETHERNET, 65535, packets));
            assertEquals(nanos ? "4d3cb2a1" : "d4c3b2a1", magic(f));
            List<Packet> read = assertReadsLikeTshark(f);
            for (int i = 0; i < packets.size(); i++) {
                long ts = packets.get(i).tsNanos();
                assertEquals(nanos ? ts : ts / 1000 * 1000, read.get(i).tsNanos());
                assertArrayEquals(packets.get(i).data(), read.get(i).data());
                assertEquals(packets.get(i).wirelen(), read.get(i).wirelen());
            }
            try (PcapReader r = PcapReader.open(f)) {
                assertEquals(65535, r.interfaces().get(0).snaplen());
            }
        }
    }

    /**
     * Big-endian pcapng with what the tools do not write: simple and obsolete packet blocks, binary and
     * millisecond timestamp resolutions, a timestamp offset, and blocks of unknown type.
     */
    @Test
    void bigEndianPcapngWithEveryPacketBlockKind() throws Exception {
        Path f = dir.resolve("be.pcapng");
        Files.write(f, everyPacketBlockKind(false));
        List<Packet> read = assertReadsLikeTshark(f);
        assertEquals(4, read.size());
        assertArrayEquals(Arrays.copyOf(frame(100, 2), 96), read.get(0).data());
        assertEquals(150, read.get(0).wirelen());
        assertEquals(0, read.get(0).tsNanos());
        assertEquals(1_700_000_000_123_456_000L, read.get(1).tsNanos());
        assertEquals(1_700_000_000_750_000_000L, read.get(2).tsNanos());
        assertEquals(1, read.get(2).iface());
        assertEquals(1_700_000_000_123_000_000L, read.get(3).tsNanos());
        assertEquals(2, read.get(3).iface());
        assertEquals(90, read.get(3).wirelen());
        try (PcapReader r = PcapReader.open(f)) {
            assertEquals(List.of("eth0", "bin", "ms+offset"),
                    r.interfaces().stream().map(PcapInterface::name).toList());
        }

        // a custom block (tshark shows it as a frame of its own) is skipped like any other non-packet block
        Path custom = dir.resolve("custom.pcapng");
        Files.write(custom, everyPacketBlockKind(true));
        List<Packet> withCustom = CaptureFiles.readAll(custom);
        assertEquals(read.size(), withCustom.size());
        for (int i = 0; i < read.size(); i++) {
            assertArrayEquals(read.get(i).data(), withCustom.get(i).data());
            assertEquals(read.get(i).tsNanos(), withCustom.get(i).tsNanos());
        }
    }

    /**
     * Big-endian pcapng with what the tools do not write: simple and obsolete packet blocks, binary and
     * millisecond timestamp resolutions, a timestamp offset, and blocks of unknown type.
     */
    private static byte[] everyPacketBlockKind(boolean withCustomBlock) {
        Pcapng ng = new Pcapng(ByteOrder.BIG_ENDIAN).shb()
                .idb(LinkType.ETHERNET, 96, "eth0", -1, 0)                 // default µs
                .block(0x80000123, new byte[] {9, 9, 9, 9, 9})               // local use, unknown: skipped
                .idb(LinkType.ETHERNET, 0, "bin", 0x80 | 20, 0)             // 2^-20 s ticks
                .idb(LinkType.ETHERNET, 0, "ms+offset", 3, 1_600_000_000L); // ms, plus 1.6e9 s
        if (withCustomBlock) {
            ng.block(0x0BAD, new byte[] {0, 0, 0, 1, 2, 3, 4, 5});
        }
        return ng.spb(Arrays.copyOf(frame(100, 2), 96), 150)                // interface 0: its snaplen 96 applies
                .epb(0, 1_700_000_000_123_456L, frame(60, 1), 60)
                .epb(1, (1_700_000_000L << 20) + 3 * (1 << 18), frame(70, 3), 70) // .75 s
                .pb(2, 100_000_000_123L, frame(80, 4), 90)                  // 1.6e9 + 1e8.123 s
                .block(4, new byte[] {0, 0, 0, 0})                          // name resolution (empty): skipped
                .toByteArray();
    }

    @Test
    void multipleSectionsNumberInterfacesAcrossTheFile() throws Exception {
        Path first = dir.resolve("one.pcapng");
        List<Packet> a = CaptureFiles.randomPackets(25, 50, 2);
        try (PcapngWriter w = PcapngWriter.builder().path(first).open()) {
            w.addInterface("eth0", "a", LinkType.ETHERNET, 262144);
            w.addInterface("eth1", "b", LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, a);
        }
        byte[] second = new Pcapng(ByteOrder.BIG_ENDIAN).shb()
                .idb(LinkType.RAW, 0, "tun0", 9, 0)
                .epb(0, 1_800_000_000_000_000_001L, new byte[] {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1,
                        10, 0, 0, 2}, 20)
                .toByteArray();
        Path both = dir.resolve("both.pcapng");
        Files.write(both, Files.readAllBytes(first));
        Files.write(both, second, java.nio.file.StandardOpenOption.APPEND);

        List<Packet> read = assertReadsLikeTshark(both, 0, 2);
        assertEquals(51, read.size());
        assertEquals(2, read.get(50).iface());
        assertEquals(1_800_000_000_000_000_001L, read.get(50).tsNanos());
        try (PcapReader r = PcapReader.open(both)) {
            List<String> seen = new ArrayList<>();
            List<Integer> links = new ArrayList<>();
            r.readAll(v -> {
                seen.add(v.interfaceName());
                links.add(v.linkType());
            });
            // (tshark 4.0 names the last one after the first section's interface 0: it ignores the section)
            for (int i = 0; i < 50; i++) {
                assertEquals("eth" + a.get(i).iface(), seen.get(i));
            }
            assertEquals("tun0", seen.get(50));
            assertEquals(LinkType.RAW, links.get(50));
            assertEquals(List.of(new PcapInterface(0, "eth0", "a", LinkType.ETHERNET, 262144),
                    new PcapInterface(1, "eth1", "b", LinkType.ETHERNET, 262144),
                    new PcapInterface(2, "tun0", null, LinkType.RAW, 0)), r.interfaces());
        }
    }

    @Test
    void roundTripThroughTheWriterKeepsEverything() throws Exception {
        Path f = dir.resolve("trip.pcapng");
        List<Packet> packets = CaptureFiles.randomPackets(26, 500, 2);
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", "pod a", LinkType.ETHERNET, 262144);
            w.addInterface("eth1", "pod b", LinkType.ETHERNET, 1500);
            CaptureFiles.write(w, packets);
        }
        try (PcapReader r = PcapReader.open(f)) {
            // interfaces before the first packet are known as soon as the file is open
            assertEquals(List.of(new PcapInterface(0, "eth0", "pod a", LinkType.ETHERNET, 262144),
                    new PcapInterface(1, "eth1", "pod b", LinkType.ETHERNET, 1500)), r.interfaces());
            assertEquals("file:trip.pcapng", r.source().namespace());
            assertEquals("eth1", r.source().interfaceName(1));
            assertEquals("if7", r.source().interfaceName(7));
            Collector c = new Collector();
            List<String> sources = new ArrayList<>();
            r.readAll(new PacketHandler() {
                @Override
                public void onPacket(PacketView v) {
                    c.onPacket(v);
                    sources.add(v.source().namespace() + " " + v.interfaceName() + " " + v.linkType());
                }
            });
            assertEquals(packets, withoutArrays(c.packets, packets));
            assertEquals(1, c.views.size(), "one PacketView is reused");
            assertEquals(500, r.packetsRead());
            assertEquals(packets.stream().mapToLong(p -> p.data().length).sum(), r.bytesRead());
            for (int i = 0; i < packets.size(); i++) {
                assertEquals("file:trip.pcapng eth" + packets.get(i).iface() + " 1", sources.get(i));
            }
            assertEquals(-1, r.read(c, 10));
        }
    }

    @Test
    void classicPcapHasNoInterfaceNames() throws Exception {
        Path f = dir.resolve("x.pcap");
        Files.write(f, CaptureFiles.classicPcap(ByteOrder.LITTLE_ENDIAN, false, LinkType.LINUX_SLL, 262144,
                CaptureFiles.randomPackets(27, 3, 1)));
        try (PcapReader r = PcapReader.open(f)) {
            List<String> names = new ArrayList<>();
            r.readAll(v -> names.add(v.interfaceName() + " " + v.ifindex() + " " + v.linkType()));
            assertEquals(List.of("if0 0 113", "if0 0 113", "if0 0 113"), names);
            assertNull(r.interfaces().get(0).name());
        }
    }

    /** A small buffer forces compaction on every batch and growth for the large packet; nothing changes. */
    @Test
    void smallBufferCompactsAndGrows() throws Exception {
        List<Packet> packets = new ArrayList<>(CaptureFiles.randomPackets(28, 300, 2));
        packets.add(150, new Packet(1, packets.get(149).tsNanos() + 1, frame(200_000, 5), 200_000));
        Path f = dir.resolve("mixed.pcapng");
        try (PcapngWriter w = PcapngWriter.builder().path(f).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            w.addInterface("eth1", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, packets);
        }
        Path classic = editcap(f, "nsecpcap", "mixed.pcap");
        for (Path file : List.of(f, classic)) {
            try (PcapReader r = PcapReader.open(file, 4096)) {
                Collector c = new Collector();
                assertEquals(packets.size(), r.readAll(c));
                for (int i = 0; i < packets.size(); i++) {
                    assertArrayEquals(packets.get(i).data(), c.packets.get(i).data(), file + " packet " + i);
                    assertEquals(packets.get(i).tsNanos(), c.packets.get(i).tsNanos());
                }
            }
        }
    }

    /** Every packet of a batch is still intact when onBatchEnd runs, even with refills between batches. */
    @Test
    void batchesNeverSpanARefill() throws Exception {
        List<Packet> packets = CaptureFiles.randomPackets(29, 2000, 1);
        Path f = source(packets, "batches.pcapng");
        try (PcapReader r = PcapReader.open(f, 16 * 1024)) {
            List<int[]> pending = new ArrayList<>();
            List<byte[]> copies = new ArrayList<>();
            ByteBuf[] buf = new ByteBuf[1];
            int[] total = {0};
            int[] batchSizes = {0};
            PacketHandler h = new PacketHandler() {
                @Override
                public void onPacket(PacketView v) {
                    buf[0] = v.data();
                    pending.add(new int[] {v.offset(), v.caplen()});
                    byte[] d = new byte[v.caplen()];
                    v.data().getBytes(v.offset(), d);
                    copies.add(d);
                }

                @Override
                public void onBatchEnd() {
                    for (int i = 0; i < pending.size(); i++) {
                        byte[] now = new byte[pending.get(i)[1]];
                        buf[0].getBytes(pending.get(i)[0], now);
                        assertArrayEquals(copies.get(i), now, "packet moved before its batch ended");
                        assertArrayEquals(packets.get(total[0] + i).data(), now);
                    }
                    total[0] += pending.size();
                    batchSizes[0]++;
                    pending.clear();
                    copies.clear();
                }
            };
            int n;
            int calls = 0;
            while ((n = r.read(h, 64)) >= 0) {
                calls++;
                assertTrue(n >= 1 && n <= 64, "batch of " + n);
            }
            assertEquals(2000, total[0]);
            assertEquals(calls, batchSizes[0], "one onBatchEnd per read");
        }
    }

    private static byte[] frame(int len, int seed) {
        byte[] d = new byte[len];
        new java.util.Random(seed).nextBytes(d);
        d[12] = (byte) 0x88;
        d[13] = (byte) 0xb5;
        return d;
    }

    private static String magic(Path f) throws IOException {
        byte[] b = Arrays.copyOf(Files.readAllBytes(f), 4);
        return String.format("%02x%02x%02x%02x", b[3], b[2], b[1], b[0]);
    }

    /** Records compare arrays by identity; swap in the expected arrays where the contents are equal. */
    private static List<Packet> withoutArrays(List<Packet> read, List<Packet> expected) {
        List<Packet> out = new ArrayList<>();
        for (int i = 0; i < read.size(); i++) {
            Packet p = read.get(i);
            byte[] data = i < expected.size() && Arrays.equals(p.data(), expected.get(i).data())
                    ? expected.get(i).data() : p.data();
            out.add(new Packet(p.iface(), p.tsNanos(), data, p.wirelen()));
        }
        return out;
    }

}
