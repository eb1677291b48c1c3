package io.podcap.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the Wireshark and tcpdump command-line tools and parses what they print. */
public final class Tools {
    private Tools() {
    }

    public record Result(List<String> command, int exit, String out, String err) {
        /** stderr without the lines the tools always print (root warning, "reading from file"). */
        public String complaints() {
            return err.lines()
                    .filter(l -> !l.startsWith("Running as user \"root\""))
                    .filter(l -> !l.startsWith("reading from file "))
                    .filter(l -> !l.isBlank())
                    .collect(Collectors.joining("\n"));
        }

        public List<String> lines() {
            return out.lines().filter(l -> !l.isEmpty()).toList();
        }

        /** Exit code 0 and nothing on stderr but the usual chatter. */
        public Result ok() {
            assertEquals(0, exit, () -> command + " failed: " + err);
            assertEquals("", complaints(), () -> command + " complained");
            return this;
        }
    }

    /**
     * Skips the test when a tool is missing, except in CI (CI=true), where a missing prerequisite is a failure:
     * .ci/run installs every tool the tests use.
     */
    public static void require(String tool) {
        boolean present = java.util.stream.Stream.of("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/")
                .anyMatch(d -> Files.isExecutable(Path.of(d + tool)));
        if (!present) {
            String why = tool + " is not installed (dev/setup installs it)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            org.junit.jupiter.api.Assumptions.abort(why);
        }
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tool", ".out");
        Path err = Files.createTempFile("tool", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), () -> Arrays.toString(command) + " timed out");
            return new Result(List.of(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** One row per packet of {@code tshark -T fields}, columns split on tab. */
    public static List<String[]> tsharkFields(Path file, String... fields) throws IOException, InterruptedException {
        return fields(file, List.of(), fields);
    }

    /**
     * Fields of Wireshark's dissector of the pcapng format itself (the whole file is one "frame"), which shows
     * every block and option, statistics blocks included.
     */
    public static List<String[]> pcapngBlockFields(Path file, String... fields) throws IOException, InterruptedException {
        return fields(file, List.of("-X", "read_format:MIME Files Format"), fields);
    }

    private static List<String[]> fields(Path file, List<String> options, String... fields)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-E", "occurrence=a", "-E", "separator=/t"));
        cmd.addAll(options);
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        return run(cmd.toArray(String[]::new)).ok().lines().stream().map(l -> l.split("\t", -1)).toList();
    }

    /** A bytes field as tshark prints it ({@code 61:2d:30}, e.g. udp.payload) as ASCII text. */
    public static String ascii(String tsharkBytes) {
        return new String(java.util.HexFormat.of().parseHex(tsharkBytes.replace(":", "")),
                StandardCharsets.US_ASCII);
    }

    /** Each packet's bytes from {@code tshark -x}. */
    public static List<byte[]> tsharkBytes(Path file) throws IOException, InterruptedException {
        List<byte[]> packets = new ArrayList<>();
        java.io.ByteArrayOutputStream cur = new java.io.ByteArrayOutputStream();
        for (String line : run("tshark", "-n", "-r", file.toString(), "-x").ok().out.split("\n", -1)) {
            if (line.isBlank()) {
                if (cur.size() > 0) {
                    packets.add(cur.toByteArray());
                    cur.reset();
                }
                continue;
            }
            // "0010  10 11 12 ...   ascii": 4 hex digits of offset, two spaces, 16 columns of "xx "
            int hexStart = line.indexOf("  ") + 2;
            String hex = line.substring(hexStart, Math.min(line.length(), hexStart + 47));
            for (String b : hex.trim().split(" +")) {
                cur.write(Integer.parseInt(b, 16));
            }
        }
        if (cur.size() > 0) {
            packets.add(cur.toByteArray());
        }
        return packets;
    }

    /** Packets from {@code tcpdump -tt --nano -xx}: epoch timestamp string and the bytes. */
    public record TcpdumpPacket(String time, byte[] data) {
    }

    public static List<TcpdumpPacket> tcpdump(Path file) throws IOException, InterruptedException {
        Result r = run("tcpdump", "-r", file.toString(), "-nn", "-tt", "--time-stamp-precision=nano", "-xx").ok();
        List<TcpdumpPacket> packets = new ArrayList<>();
        String time = null;
        java.io.ByteArrayOutputStream cur = new java.io.ByteArrayOutputStream();
        for (String line : r.lines()) {
            if (line.startsWith("\t0x")) {
                // "\t0x0010:  1011 1213 ..."
                for (String group : line.substring(line.indexOf(':') + 1).trim().split(" +")) {
                    for (int i = 0; i < group.length(); i += 2) {
                        cur.write(Integer.parseInt(group.substring(i, i + 2), 16));
                    }
                }
            } else {
                if (time != null) {
                    packets.add(new TcpdumpPacket(time, cur.toByteArray()));
                }
                cur.reset();
                time = line.substring(0, line.indexOf(' '));
            }
        }
        if (time != null) {
            packets.add(new TcpdumpPacket(time, cur.toByteArray()));
        }
        return packets;
    }

    /** Epoch seconds with nine decimals, the way tshark and tcpdump print nanosecond timestamps. */
    public static String epoch(long tsNanos) {
        return String.format("%d.%09d", Math.floorDiv(tsNanos, 1_000_000_000L), Math.floorMod(tsNanos, 1_000_000_000L));
    }
}
