package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Root;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input reaches the user as one clear line on stderr and exit status 2, never a stack trace. */
class CliBadInputTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(Cli.Result r, String expected) {
        assertEquals(2, r.exitCode(), r::toString);
        String[] lines = r.stderr().strip().split("\n");
        assertEquals(1, lines.length, r::toString);
        assertTrue(lines[0].startsWith("podcap: "), r::toString);
        assertTrue(lines[0].contains(expected), () -> "expected '" + expected + "' in: " + r);
        assertFalse(r.stderr().contains("\tat "), r::toString);
    }

    @Test
    void unknownPid() throws Exception {
        assertOneLineError(Cli.run("capture", "--netns", "pid:999999999", "-c", "1"), "999999999");
    }

    @Test
    void unknownNetnsName() throws Exception {
        assertOneLineError(Cli.run("ifaces", "--netns", "netns:podcap-no-such-ns"), "podcap-no-such-ns");
    }

    @Test
    void unknownSpecForm() throws Exception {
        assertOneLineError(Cli.run("capture", "--netns", "container:abc"), "pid:");
    }

    @Test
    void missingReadFile() throws Exception {
        assertOneLineError(Cli.run("capture", "--read", dir.resolve("nothing.pcap").toString()), "nothing.pcap");
        Path out = dir.resolve("out.pcapng");
        assertOneLineError(Cli.run("capture", "--read", dir.resolve("nothing.pcap").toString(), "-w", out.toString()),
                "nothing.pcap");
        assertFalse(Files.exists(out), "no empty capture file left behind");
    }

    /** A live capture's options with --read are an error, not silently ignored (the file need not exist). */
    @Test
    void liveOptionsWithRead() throws Exception {
        String f = dir.resolve("any.pcap").toString();
        assertOneLineError(Cli.run("flows", "--read", f, "--interval", "5"),
                "not with --read: --duration and --interval");
        assertOneLineError(Cli.run("probes", "--read", f, "--duration", "5"), "not with --read: --duration and");
        assertOneLineError(Cli.run("capture", "--read", f, "--duration", "5"), "not with --read: --duration");
        assertOneLineError(Cli.run("trace", "--read", f, "--duration", "5"), "not with --read: --duration");
        assertOneLineError(Cli.run("flows", "--read", f, "--buffer-size", "1048576"), "not with --read: --buffer-size (");
        assertOneLineError(Cli.run("capture", "--read", f, "--ring-size", "65536", "-i", "eth0"),
                "not with --read: --iface, --ring-size (a live capture's)");
        assertOneLineError(Cli.run("probes", "--read", f, "-i", "any"), "not with --read: --iface (");
    }

    @Test
    void unreadableReadFile() throws Exception {
        Path file = dir.resolve("garbage.pcap");
        Files.writeString(file, "this is not a capture file at all, just text\n");
        assertOneLineError(Cli.run("capture", "--read", file.toString()), "garbage.pcap");
    }

    @Test
    void truncatedPcapFile() throws Exception {
        // A classic pcap header and one record header that promises more bytes than the file holds.
        Path file = dir.resolve("truncated.pcap");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 16 + 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(1).putInt(0).putInt(60).putInt(60).put(new byte[10]);
        Files.write(file, b.array());
        Cli.Result r = Cli.run("capture", "--read", file.toString());
        // what was read before the cut (here nothing; see CliFlowsTest for more), then the error
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(List.of("0 packets read from " + file + " (PCAP)", "podcap: " + file
                + ": truncated record at byte 24 (file ends inside a packet)"), r.stderr().lines().toList());
    }

    @Test
    void aFailedCaptureNeverRemovesASpecialOutputFile() throws Exception {
        // A device node of its own, never the machine's /dev/null: if this regressed, it would be the one removed.
        Root.assume();
        Path nul = dir.resolve("null");
        TestNetns.run("mknod", "-m", "666", nul.toString(), "c", "1", "3").ok();
        Cli.Result r = Cli.run("capture", "--netns", "host", "--iface", "podcap-no-such-if", "-c", "1",
                "-w", nul.toString());
        assertOneLineError(r, "podcap-no-such-if");
        assertTrue(Files.exists(nul) && !Files.isRegularFile(nul), "the device node is still there");
    }
}
