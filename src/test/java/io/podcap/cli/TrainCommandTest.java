package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podcap train}, the AOT cache's training run: real traffic kinds in a file tcpdump reads, nothing left. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTheWarmUpTrafficAsAPcapThatTcpdumpReads() throws Exception {
        Tools.require("tcpdump");
        Path file = dir.resolve("warm-up.pcap");
        TrainCommand.writeClassicPcap(file);
        assertEquals(131_072, count(file));
        // the kinds of packets the per-packet paths must see: connections opened, reset, HTTP, DNS-like UDP, ICMP, IPv6
        for (String filter : List.of("tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & tcp-rst != 0", "udp", "icmp",
                "ip6", "tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420")) {
            assertTrue(count(file, filter) > 100, filter);
        }
    }

    @Test
    void runsTheFileCommandsAndRemovesItsFiles() throws Exception {
        List<Path> before = trainingDirs();
        Cli.Result r = Cli.run("train");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(2, r.stderr().lines().filter(l -> l.startsWith("131,072 packets read")).count(), r::toString);
        assertEquals(before, trainingDirs(), "the training run's temporary directory is removed");
    }

    private static long count(Path file, String... filter) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("tcpdump", "-r", file.toString(), "-nn", "-q"));
        command.addAll(List.of(filter));
        return Tools.run(command.toArray(String[]::new)).ok().lines().size();
    }

    private static List<Path> trainingDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("podcap-train")).sorted().toList();
        }
    }
}
