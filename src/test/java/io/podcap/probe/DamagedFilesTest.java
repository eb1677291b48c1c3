package io.podcap.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.flow.FlowTable;
import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import io.podcap.testing.Tools;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture files (pcapng, pcap, gzip) damaged at random (bytes overwritten, length fields set to extremes, cut anywhere)
 * read through the flow table and the probe detector, as {@code flows} and {@code probes --read} do: the read ends
 * with a {@link PcapFormatException} naming the file, or goes on to the end; never another exception, never a hang.
 */
class DamagedFilesTest {
    private static final String UA = "kube-probe/1.29";
    private static final int DAMAGES = 700;

    @TempDir
    Path dir;

    @Test
    void damagedFilesEndInAFormatErrorOrAreReadToTheEnd() throws Exception {
        Tools.require("tcpdump");
        Path pcapng = dir.resolve("seed.pcapng");
        traffic().write(pcapng);
        Path pcap = dir.resolve("seed.pcap");
        Tools.run("tcpdump", "-r", pcapng.toString(), "-w", pcap.toString()).ok(); // the classic format
        Path gzip = dir.resolve("seed.pcapng.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzip))) {
            Files.copy(pcapng, out);
        }
        Path damaged = dir.resolve("damaged");
        Random random = new Random(11);
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (Path seed : List.of(pcapng, pcap, gzip)) {
                FlowTable seedTable = FlowTable.builder().build();
                ProbeDetector whole = ProbeDetector.builder().build(seedTable);
                assertFalse(read(seed, seedTable, whole), seed::toString);
                // HTTP on v4 and v6, gRPC, and /slow (no TLS and TCP probe streams: the node's address is unknown)
                assertEquals(4, whole.streams().size(), () -> seed + ": " + whole.streams());
                byte[] bytes = Files.readAllBytes(seed);
                int failed = 0;
                for (int i = 0; i < DAMAGES; i++) {
                    Files.write(damaged, damage(bytes, random));
                    FlowTable table = FlowTable.builder().capacity(64).build();
                    failed += read(damaged, table, ProbeDetector.builder().build(table)) ? 1 : 0;
                }
                int errors = failed;
                // both ends taken often: the damage reaches past the headers, and not every copy is refused (but for
                // gzip, whose checksum refuses every damaged copy at its end, after the packets before)
                boolean gzipped = seed.equals(gzip);
                assertTrue(errors > DAMAGES / 10 && (gzipped || errors < DAMAGES * 9 / 10),
                        () -> seed + ": " + errors + " errors");
            }
        });
    }

    /** Probes of every kind the detector knows, over IPv4 and IPv6, with the answers that end them. */
    private static ProbeTraffic traffic() {
        ProbeTraffic t = new ProbeTraffic();
        long ts = ProbeTraffic.T0;
        for (int i = 0; i < 3; i++, ts += ProbeTraffic.S) {
            t.http(ts, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, i == 2 ? 500 : 200);
            t.http(ts + 1000, "fd00::1", "fd00::5", 8080, "/ready", UA, 200);
            t.grpc(ts + 2000, "10.244.1.1", "10.244.1.6", 9000, UA, 1);
            t.tls(ts + 3000, "10.244.1.1", "10.244.1.7", 8443);
            t.tcp(ts + 4000, "10.244.1.1", "10.244.1.8", 5432);
        }
        t.refused(ts, "10.244.1.1", "10.244.1.5", 8081);
        t.unanswered(ts, "10.244.1.1", "10.244.1.9", 8080);
        t.noAnswer(ts, "10.244.1.1", "10.244.1.5", 8080, "/slow", UA, ProbeTraffic.S);
        t.httpSplit(ts + ProbeTraffic.S, "10.244.1.1", "10.244.1.5", 8080,
                ProbeTraffic.request("/healthz", "10.244.1.5:8080", UA), new int[] {5, 40}, new int[] {2, 0, 1});
        return t;
    }

    /** A copy with one to eight bytes or 32-bit fields overwritten, and one time in four cut short. */
    private static byte[] damage(byte[] whole, Random random) {
        byte[] b = whole.clone();
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
            int at = random.nextInt(b.length);
            if (random.nextBoolean() || at > b.length - 4) {
                b[at] = (byte) random.nextInt(256);
            } else { // a length or type field: zero, tiny, huge, negative
                int v = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(64);
                    case 2 -> 0x7fff_ffff;
                    default -> 0xffff_fff0 + random.nextInt(16);
                };
                for (int k = 0; k < 4; k++) {
                    b[at + k] = (byte) (v >>> 8 * k);
                }
            }
        }
        return random.nextInt(4) == 0 ? Arrays.copyOf(b, random.nextInt(b.length)) : b;
    }

    /** Reads {@code file} into the table and ends it; whether the read ended in the file's error. */
    private static boolean read(Path file, FlowTable table, ProbeDetector detector) throws Exception {
        boolean failed = false;
        try (PcapReader reader = PcapReader.open(file)) {
            reader.readAll(table.batched());
        } catch (PcapFormatException e) {
            assertTrue(e.getMessage().startsWith(file + ": ") && !e.getMessage().contains("\n"), e::getMessage);
            failed = true;
        }
        table.endAll();
        assertEquals(0, table.size());
        detector.streams(); // the report made at the end
        return failed;
    }
}
