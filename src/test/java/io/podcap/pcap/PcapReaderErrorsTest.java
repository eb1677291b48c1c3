package io.podcap.pcap;

import io.podcap.testing.Tools;

import io.podcap.capture.LinkType;
import io.podcap.pcap.CaptureFiles.Collector;
import io.podcap.pcap.CaptureFiles.Packet;
import io.podcap.pcap.CaptureFiles.Pcapng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken input: one clear line naming the file, and every complete packet before the damage still delivered. */
class PcapReaderErrorsTest {
    @TempDir
    Path dir;

    private final List<Packet> packets = CaptureFiles.randomPackets(40, 30, 2);

    @Test
    void truncatedClassicPcapDeliversCompletePacketsThenFails() throws Exception {
        byte[] whole = CaptureFiles.classicPcap(ByteOrder.LITTLE_ENDIAN, true, LinkType.ETHERNET, 262144, packets);
        long[] starts = recordStarts(24, 16, 0);
        assertTruncations(whole, starts, "x.pcap", "record");
    }

    @Test
    void truncatedPcapngDeliversCompletePacketsThenFails() throws Exception {
        Path full = dir.resolve("full.pcapng");
        try (PcapngWriter w = PcapngWriter.builder().path(full).open()) {
            w.addInterface("eth0", null, LinkType.ETHERNET, 262144);
            w.addInterface("eth1", null, LinkType.ETHERNET, 262144);
            CaptureFiles.write(w, packets);
        }
        byte[] whole = Files.readAllBytes(full);
        long header = whole.length - packets.stream().mapToLong(p -> PcapngBlocks.epbLength(p.data().length)).sum();
        assertTruncations(whole, recordStarts(header, 28, 4), "x.pcapng", "block");
    }

    /** Cuts the file inside records, inside a header and at record boundaries, with a small and a big buffer. */
    private void assertTruncations(byte[] whole, long[] starts, String name, String what) throws Exception {
        Path f = dir.resolve(name);
        for (int bufferBytes : new int[] {4096, 4 << 20}) {
            for (int k : new int[] {0, 1, 7, 15, 29}) {
                long start = starts[k];
                long end = starts[k + 1];
                for (long cut : new long[] {start + 3, start + 20, (start + end) / 2, end - 1}) {
                    Files.write(f, Arrays.copyOf(whole, (int) cut));
                    Collector c = new Collector();
                    PcapFormatException e;
                    try (PcapReader r = PcapReader.open(f, bufferBytes)) {
                        e = assertThrows(PcapFormatException.class, () -> r.readAll(c), "cut at " + cut);
                    }
                    String inside = what.equals("record") ? (cut - start < 16 ? "record header" : "packet")
                            : (cut - start < 4 ? "block" : "packet"); // too short to tell the block type
                    assertEquals(f + ": truncated " + what + " at byte " + start + " (file ends inside a " + inside
                            + ")", e.getMessage());
                    assertEquals(start, e.byteOffset());
                    assertDelivered(k, c);
                    if (bufferBytes > 4096) { // (the file is the same for both buffer sizes)
                        assertEquals(k, tsharkCount(f), "tshark shows the same complete packets");
                    }
                }
                // cut exactly between records: no error, just fewer packets
                Files.write(f, Arrays.copyOf(whole, (int) start));
                try (PcapReader r = PcapReader.open(f, bufferBytes)) {
                    Collector c = new Collector();
                    assertEquals(k, r.readAll(c));
                    assertDelivered(k, c);
                }
            }
        }
    }

    /** gzip (rotated captures often are): the same packets; cut, every whole one before the cut, then its error. */
    @Test
    void gzippedFilesReadAsThePlainOneAndCutOnesAsCutPlainOnes() throws Exception {
        byte[] whole = CaptureFiles.classicPcap(ByteOrder.LITTLE_ENDIAN, true, LinkType.ETHERNET, 262144, packets);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(whole);
        }
        Path f = dir.resolve("x.pcap.gz");
        Files.write(f, gz.toByteArray());
        Collector all = new Collector();
        try (PcapReader r = PcapReader.open(f)) {
            assertEquals(packets.size(), r.readAll(all));
            assertEquals(PcapFormat.PCAP, r.format());
        }
        assertDelivered(packets.size(), all);

        Files.write(f, Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        Collector some = new Collector();
        PcapFormatException e;
        try (PcapReader r = PcapReader.open(f)) {
            e = assertThrows(PcapFormatException.class, () -> r.readAll(some));
        }
        assertTrue(e.getMessage().startsWith(f + ": truncated record at byte "), e.getMessage());
        assertTrue(some.packets.size() > 0 && some.packets.size() < packets.size(), e.getMessage());
        assertDelivered(some.packets.size(), some);

        Files.write(f, Arrays.copyOf(gz.toByteArray(), 5));
        assertEquals(f + ": truncated gzip header", openError(f).getMessage());
    }

    private void assertDelivered(int k, Collector c) {
        assertEquals(k, c.packets.size());
        for (int i = 0; i < k; i++) {
            assertArrayEquals(packets.get(i).data(), c.packets.get(i).data());
        }
    }

    /** Offsets where each record starts (and where the file ends), given the header and per-record overhead. */
    private long[] recordStarts(long header, int before, int after) {
        long[] s = new long[packets.size() + 1];
        s[0] = header;
        for (int i = 0; i < packets.size(); i++) {
            int len = packets.get(i).data().length;
            s[i + 1] = s[i] + before + (after == 0 ? len : PcapngBlocks.pad4(len)) + after;
        }
        return s;
    }

    private static int tsharkCount(Path f) throws Exception {
        Tools.Result r = Tools.run("tshark", "-r", f.toString(), "-T", "fields", "-e", "frame.number");
        assertTrue(r.complaints().contains("cut short in the middle of a packet"), r.err());
        return r.lines().size();
    }

    @Test
    void truncatedFileHeaders() throws Exception {
        byte[] classic = CaptureFiles.classicPcap(ByteOrder.BIG_ENDIAN, false, LinkType.ETHERNET, 262144, packets);
        Path f = dir.resolve("short.pcap");
        Files.write(f, Arrays.copyOf(classic, 20));
        assertEquals(f + ": truncated file header (20 of 24 bytes)", openError(f).getMessage());

        byte[] ng = new Pcapng(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, "eth0", 9, 0).toByteArray();
        Path g = dir.resolve("short.pcapng");
        Files.write(g, Arrays.copyOf(ng, 40));
        assertEquals(g + ": truncated block at byte 28 (file ends inside an interface description)",
                openError(g).getMessage());
        Files.write(g, Arrays.copyOf(ng, 20));
        assertEquals(g + ": truncated block at byte 0 (file ends inside a section header)",
                openError(g).getMessage());
    }

    @Test
    void garbageIsNotACaptureFile() throws Exception {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "hello, these are my notes\n");
        PcapFormatException e = openError(f);
        assertEquals(f + ": not a pcap or pcapng file (magic 0x6c6c6568)", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(f, e.file());
    }

    @Test
    void emptyAndTinyFiles() throws Exception {
        Path f = dir.resolve("empty.pcap");
        Files.write(f, new byte[0]);
        assertEquals(f + ": empty file, not a pcap or pcapng file", openError(f).getMessage());
        Files.write(f, new byte[] {(byte) 0xd4, (byte) 0xc3});
        assertEquals(f + ": not a pcap or pcapng file (only 2 bytes)", openError(f).getMessage());
    }

    @Test
    void missingFileAndDirectory() {
        Path missing = dir.resolve("nope.pcap");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> PcapReader.open(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        IOException d = assertThrows(IOException.class, () -> PcapReader.open(dir));
        assertEquals(dir + ": is a directory, not a capture file", d.getMessage());
    }

    @Test
    void unreadableFile() throws Exception {
        Path f = dir.resolve("secret.pcap");
        Files.write(f, CaptureFiles.classicPcap(ByteOrder.LITTLE_ENDIAN, false, 1, 65535, packets));
        Files.setPosixFilePermissions(f, java.util.Set.of());
        // root reads it anyway; everyone else gets a clear message
        if (Files.isReadable(f)) {
            try (PcapReader r = PcapReader.open(f)) {
                assertEquals(packets.size(), r.readAll(p -> { }));
            }
        } else {
            IOException e = assertThrows(IOException.class, () -> PcapReader.open(f));
            assertEquals(f + ": permission denied", e.getMessage());
        }
    }

    @Test
    void oversizedCaptureLengthIsMalformed() throws Exception {
        List<Packet> two = List.of(packets.get(0), new Packet(0, 5, new byte[300_000], 300_000));
        Path f = dir.resolve("big.pcap");
        Files.write(f, CaptureFiles.classicPcap(ByteOrder.LITTLE_ENDIAN, false, 1, 262144, two));
        Collector c = new Collector();
        long second = 24 + 16 + packets.get(0).data().length;
        try (PcapReader r = PcapReader.open(f)) {
            PcapFormatException e = assertThrows(PcapFormatException.class, () -> r.readAll(c));
            assertEquals(f + ": malformed record at byte " + second + ": captured length 300000 is larger than 262144",
                    e.getMessage());
        }
        assertEquals(1, c.packets.size());
        assertEquals(1, c.batches, "the packet before the damage ends its batch, for handlers that wait for that");

        Path g = dir.resolve("big.pcapng");
        Files.write(g, new Pcapng(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, "eth0", 9, 0)
                .epb(0, 1, new byte[300_000], 300_000).toByteArray());
        assertEquals(g + ": malformed packet block at byte 68: captured length 300000 is larger than 262144",
                readError(g).getMessage());
    }

    @Test
    void inconsistentBlockLengthsAreMalformed() throws Exception {
        byte[] good = new Pcapng(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, "eth0", 9, 0)
                .epb(0, 1, new byte[60], 60).epb(0, 2, new byte[60], 60).toByteArray();
        int second = good.length - 92;
        Path f = dir.resolve("bad.pcapng");

        byte[] mismatch = good.clone();
        mismatch[good.length - 4] = 96; // trailing length of the last block
        Files.write(f, mismatch);
        Collector c = new Collector();
        assertEquals(f + ": malformed block at byte " + second + ": block length 92 does not match trailing length 96",
                readError(f, c).getMessage());
        assertEquals(1, c.packets.size(), "the good packet before it is delivered");

        byte[] odd = good.clone();
        odd[second + 4] = 90;
        Files.write(f, odd);
        assertEquals(f + ": malformed block at byte " + second + ": block length 90 is not a multiple of 4 of at"
                + " least 12", readError(f).getMessage());

        byte[] huge = good.clone();
        huge[second + 7] = 0x7f;
        Files.write(f, huge);
        assertTrue(readError(f).getMessage().contains("is larger than 16777216"));

        byte[] capTooBig = good.clone();
        capTooBig[second + 20] = 61; // caplen 61 does not fit: 60 bytes of room
        capTooBig[second + 24] = 61;
        Files.write(f, capTooBig);
        assertEquals(f + ": malformed packet block at byte " + second + ": captured length 61 does not fit in the"
                + " block", readError(f).getMessage());

        byte[] noIface = good.clone();
        noIface[second + 8] = 1;
        Files.write(f, noIface);
        assertEquals(f + ": malformed packet block at byte " + second + ": interface 1 is not defined (the section"
                + " has 1)", readError(f).getMessage());

        byte[] bom = good.clone();
        bom[8] = 0x11;
        Files.write(f, bom);
        assertEquals(f + ": malformed section header at byte 0: bad byte-order magic 0x1a2b3c11",
                openError(f).getMessage());

        // the same damage makes tshark complain too
        Files.write(f, mismatch);
        Tools.Result t = Tools.run("tshark", "-r", f.toString());
        assertTrue(t.complaints().contains("don't match"), t.err());
    }

    private static PcapFormatException openError(Path f) {
        return assertThrows(PcapFormatException.class, () -> PcapReader.open(f).close());
    }

    private static PcapFormatException readError(Path f) throws IOException {
        return readError(f, new Collector());
    }

    private static PcapFormatException readError(Path f, Collector c) throws IOException {
        try (PcapReader r = PcapReader.open(f)) {
            return assertThrows(PcapFormatException.class, () -> r.readAll(c));
        }
    }
}
