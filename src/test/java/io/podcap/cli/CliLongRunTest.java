package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code podcap capture} left running, as a real process against a real namespace: rotation by size and time,
 * {@code --keep}, {@code --payload-bytes}, statistics at the end of every file, SIGTERM / SIGINT / kill -9.
 */
class CliLongRunTest {
    private static final Pattern ROTATED = Pattern.compile("cap-\\d{8}T\\d{6}-(\\d{5})\\.pcapng");
    private static TestNetns ns;

    @TempDir
    Path dir;

    @BeforeAll
    static void namespace() throws Exception {
        Root.assume();
        Tools.require("tshark");
        Tools.require("tcpdump");
        ns = TestNetns.create("long");
        ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    private List<Path> rotatedFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> ROTATED.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
    }

    private static int sequence(Path file) {
        var m = ROTATED.matcher(file.getFileName().toString());
        assertTrue(m.matches());
        return Integer.parseInt(m.group(1));
    }

    /** received and delivered_to_user of the file's one statistics block (the capture's counters so far). */
    private static long[] statistics(Path file) throws Exception {
        List<String[]> isb = Tools.pcapngBlockFields(file, "pcapng.options.option.data.interface.received",
                "pcapng.options.option.data.interface.delivered_to_user");
        assertEquals(1, isb.size(), file + " has one statistics block");
        return new long[] {Long.parseLong(isb.get(0)[0]), Long.parseLong(isb.get(0)[1])};
    }

    @Test
    void sizeRotationKeepsTheNewestFilesEachCompleteWithTrimmedPayloadAndStatistics() throws Exception {
        int packets = 200;
        try (RunningCapture c = RunningCapture.start(ns, dir, "-w", dir.resolve("cap.pcapng").toString(),
                "--rotate-size", "4K", "--keep", "3", "--payload-bytes", "16")) {
            c.send(packets, 400);
            c.awaitPackets(packets);
            c.signal("TERM");
            assertEquals(0, c.awaitExit(), c::stderr);
            assertTrue(c.stderr().contains(packets + " packets captured"), c::stderr);
        }
        List<Path> files = rotatedFiles();
        assertEquals(3, files.size(), files::toString);
        int last = sequence(files.get(2));
        assertTrue(last > 3, "more than three files were written: " + files);
        long before = -1;
        for (int i = 0; i < 3; i++) {
            Path f = files.get(i);
            assertEquals(last - 2 + i, sequence(f), "consecutive sequence numbers: " + files);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            // the limit holds for packets; the closing statistics block (112 bytes at most) comes on top
            assertTrue(Files.size(f) <= 4096 + 112, f + " is within the size limit: " + Files.size(f));
            List<String[]> rows = Tools.tsharkFields(f, "frame.cap_len", "frame.len", "udp.length");
            for (String[] r : rows) {
                // Ethernet 14 + IPv4 20 + UDP 8 of headers, then 16 of the 400 payload bytes; the wire length stays
                assertEquals(List.of("58", "442", "408"), List.of(r), f.toString());
            }
            long[] stats = statistics(f);
            if (before >= 0) {
                assertEquals(before + rows.size(), stats[1], "delivered grows by the file's packets in " + f);
            }
            before = stats[1];
            if (i == 2) {
                assertEquals(packets, stats[0], "received, in the last file");
                assertEquals(packets, stats[1], "delivered, in the last file");
            }
        }
    }

    @Test
    void timeRotationAndSigintFinishTheLastFile() throws Exception {
        try (RunningCapture c = RunningCapture.start(ns, dir, "-w", dir.resolve("cap.pcapng").toString(),
                "--rotate-seconds", "1")) {
            for (int round = 1; round <= 3; round++) {
                c.send(10, 50);
                c.awaitPackets(10 * round);
                if (round < 3) {
                    Thread.sleep(1500); // the next packet finds its file older than a second
                }
            }
            c.signal("INT");
            assertEquals(0, c.awaitExit(), c::stderr);
        }
        List<Path> files = rotatedFiles();
        assertEquals(3, files.size(), files::toString);
        for (int i = 0; i < 3; i++) {
            assertEquals(10, Tools.tsharkFields(files.get(i), "frame.number").size(), files.get(i).toString());
            assertEquals(10 * (i + 1), statistics(files.get(i))[1]);
        }
    }

    @Test
    void afterKillNineTcpdumpReadsEveryPacketFlushedBeforeIt() throws Exception {
        Path file = dir.resolve("killed.pcapng");
        try (RunningCapture c = RunningCapture.start(ns, dir, "-w", file.toString())) {
            c.send(50, 100);
            c.awaitPackets(50);
            Thread.sleep(1500); // longer than the flush interval (1 s; 100 ms once idle)
            c.kill();
        }
        assertEquals(50, Tools.run("tcpdump", "-nn", "-r", file.toString()).ok().lines().size());
        assertEquals(0, Tools.pcapngBlockFields(file, "pcapng.options.option.data.interface.received").stream()
                .filter(r -> !r[0].isEmpty()).count(), "no statistics block: the process never finished the file");
    }

    @Test
    void aSecondSigintExitsAtOnceWhenTheFirstCannotFinish() throws Exception {
        // a FIFO whose reader never reads: once its 64 KiB are full, writing the file blocks for good
        Path fifo = dir.resolve("stuck.pcapng");
        TestNetns.run("mkfifo", fifo.toString()).ok();
        Process reader = new ProcessBuilder("sh", "-c", "exec sleep 600 < '" + fifo + "'").start();
        try (RunningCapture c = RunningCapture.start(ns, dir, "-w", fifo.toString())) {
            c.send(200, 1000);
            c.awaitPackets(200);
            c.signal("INT");
            Thread.sleep(1000);
            c.signal("INT");
            assertEquals(130, c.awaitExit(), c::stderr);
            assertTrue(c.stderr().contains("SIGINT, stopping (again to quit at once)"), c::stderr);
        } finally {
            reader.destroyForcibly().waitFor();
        }
    }

    @Test
    void optionsThatDoNotGoTogetherAreOneLineAndExitTwo() throws Exception {
        Cli.Result keep = Cli.run("capture", "-w", dir.resolve("x.pcapng").toString(), "--keep", "3");
        assertEquals(2, keep.exitCode(), keep::toString);
        assertTrue(keep.stderr().contains("--keep needs --rotate-size or --rotate-seconds"), keep::toString);
        Cli.Result noFile = Cli.run("capture", "--payload-bytes", "0", "-c", "1");
        assertEquals(2, noFile.exitCode(), noFile::toString);
        assertTrue(noFile.stderr().contains("need -w FILE"), noFile::toString);
        Cli.Result size = Cli.run("capture", "-w", dir.resolve("x.pcapng").toString(), "--rotate-size", "12Q");
        assertEquals(2, size.exitCode(), size::toString);
        assertTrue(size.stderr().contains("12Q"), size::toString);
    }
}
