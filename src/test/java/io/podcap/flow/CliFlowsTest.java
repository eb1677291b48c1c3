package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podcap flows} as a user runs it: on a file (JSON and table), live in two namespaces, stopped by SIGTERM. */
class CliFlowsTest {
    private static final List<String> FIELDS = List.of("proto", "client", "server", "first_ts", "last_ts",
            "c2s_packets", "c2s_bytes", "s2c_packets", "s2c_bytes", "state", "end", "handshake_rtt_ms",
            "syn_retransmits", "retransmits", "rst_from", "fin_from", "zero_window", "iface", "netns",
            "http_request", "problems", "source_role", "probe");

    @TempDir
    Path dir;

    /** One JSON object per line, as a map of field to value (arrays as lists). */
    static List<Map<String, Object>> jsonLines(String out) throws IOException {
        JsonFactory f = new JsonFactory();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
            try (JsonParser p = f.createParser(line)) {
                assertEquals(JsonToken.START_OBJECT, p.nextToken(), line);
                Map<String, Object> row = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.getCurrentName();
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.START_ARRAY) {
                        List<String> items = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            items.add(p.getText());
                        }
                        row.put(name, items);
                    } else {
                        row.put(name, t == JsonToken.VALUE_NULL ? null : t.isNumeric() ? p.getNumberValue()
                                : t.isBoolean() ? p.getBooleanValue() : p.getText());
                    }
                }
                assertEquals(null, p.nextToken(), "one object per line: " + line);
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void readsAFileAsJsonLines() throws Exception {
        Path file = dir.resolve("corpus.pcapng");
        int frames = FlowCorpus.write(file, 3, 100);
        List<FlowRecord> expected = new ArrayList<>();
        FlowTable table = FlowTable.builder().onFlowEnd(expected::add).build();
        try (PcapReader r = PcapReader.open(file)) {
            r.readAll(table);
        }
        table.endAll();

        Cli.Result run = Cli.run("flows", "--read", file.toString(), "--json");
        assertEquals(0, run.exitCode(), run::toString);
        List<Map<String, Object>> rows = jsonLines(run.stdout());
        assertEquals(expected.size(), rows.size());
        long packets = 0;
        for (Map<String, Object> row : rows) {
            assertEquals(FIELDS, List.copyOf(row.keySet()));
            packets += ((Number) row.get("c2s_packets")).longValue() + ((Number) row.get("s2c_packets")).longValue();
            assertEquals("eth0", row.get("iface"));
            assertEquals("file:corpus.pcapng", row.get("netns"));
        }
        assertEquals(frames, packets);
        Map<String, Object> refused = rows.stream().filter(r -> ((String) r.get("server")).endsWith(":9"))
                .findFirst().orElseThrow();
        assertEquals("tcp", refused.get("proto"));
        assertEquals("reset", refused.get("state"));
        assertEquals("server", refused.get("rst_from"));
        assertEquals(List.of("reset_by_server"), refused.get("problems"));
        assertEquals(null, refused.get("handshake_rtt_ms"));
        Map<String, Object> closed = rows.stream().filter(r -> "closed".equals(r.get("state"))).findFirst()
                .orElseThrow();
        assertEquals(0.2, ((Number) closed.get("handshake_rtt_ms")).doubleValue(), 1e-9); // 0.1 ms each way
        assertEquals("both", closed.get("fin_from"));
        assertTrue(rows.stream().anyMatch(r -> List.of("unanswered_syn").equals(r.get("problems"))));
        assertTrue(rows.stream().anyMatch(r -> "[fd00::2]:8080".equals(r.get("server"))), run::toString);
        assertTrue(run.stderr().contains(String.format("%,d packets read", frames)), run::toString);

        Cli.Result piped = Cli.runPiped(Files.readAllBytes(file), "flows", "--read", "-", "--json"); // tcpdump -w -
        assertEquals(0, piped.exitCode(), piped::toString);
        assertEquals(run.stdout().replace("file:corpus.pcapng", "file:stdin"), piped.stdout());
    }

    @Test
    void tableMarksProblemsAndFiltersApply() throws Exception {
        Path file = dir.resolve("corpus.pcapng");
        FlowCorpus.write(file, 3, 100);
        Cli.Result run = Cli.run("flows", "--read", file.toString());
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("PROTO "), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("tcp ") && l.contains(":9 ")
                && l.contains("! reset_by_server")), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.contains(":5432 ") && l.contains("! unanswered_syn")
                && l.contains("syn_retx=2")), run::toString);

        Cli.Result udp = Cli.run("flows", "--read", file.toString(), "--filter", "udp", "--json");
        assertEquals(0, udp.exitCode(), udp::toString);
        List<Map<String, Object>> rows = jsonLines(udp.stdout());
        assertFalse(rows.isEmpty());
        assertTrue(rows.stream().allMatch(r -> "udp".equals(r.get("proto"))), udp::toString);
    }

    /** Piped from a capture still running: a flow is printed once it ends, not when the pipe closes. */
    @Test
    void aPipedCaptureShowsEndedFlowsWhileThePipeIsQuiet() throws Exception {
        Path file = dir.resolve("corpus.pcapng");
        int frames = FlowCorpus.write(file, 3, 100);
        List<FlowRecord> ended = new ArrayList<>();
        FlowTable table = FlowTable.builder().onFlowEnd(ended::add).build();
        try (PcapReader r = PcapReader.open(file)) {
            r.readAll(table);
        }
        int beforeTheEnd = ended.size(); // those the packets' own time ended
        table.endAll();
        assertTrue(beforeTheEnd > 0 && ended.size() > beforeTheEnd, ended::toString);

        Path out = dir.resolve("out.json");
        Path err = dir.resolve("err.txt");
        Process p = Cli.start(out, err, "flows", "--read", "-", "--json");
        try {
            p.getOutputStream().write(Files.readAllBytes(file));
            p.getOutputStream().flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.readAllLines(out).size() < beforeTheEnd && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            assertEquals(beforeTheEnd, Files.readAllLines(out).size(), "printed while the pipe is open");
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), () -> "stderr: " + read(err));
            assertEquals(ended.size(), Files.readAllLines(out).size());
        } finally {
            p.destroyForcibly().waitFor();
        }

        Tools.require("tshark"); // and capture's file holds every packet so far
        Path pcap = dir.resolve("copy.pcapng");
        Process c = Cli.start(out, err, "capture", "--read", "-", "-w", pcap.toString());
        try {
            c.getOutputStream().write(Files.readAllBytes(file));
            c.getOutputStream().flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!Files.exists(pcap) || frames(pcap) < frames) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(frames, frames(pcap), "written while the pipe is open");
            c.getOutputStream().close();
            assertTrue(c.waitFor(30, TimeUnit.SECONDS));
        } finally {
            c.destroyForcibly().waitFor();
        }
    }

    private static int frames(Path pcap) throws Exception {
        return Tools.run("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "frame.number").lines().size();
    }

    /** A file cut short (still being written, a copy that stopped): the results of every packet before the cut. */
    @Test
    void aFileCutShortGivesEverythingBeforeTheCutThenItsError() throws Exception {
        Tools.require("tshark");
        Path whole = dir.resolve("whole.pcapng");
        int frames = FlowCorpus.write(whole, 3, 100);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.pcapng");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10)); // inside the last packet's block
        List<FlowRecord> expected = new ArrayList<>();
        FlowTable table = FlowTable.builder().onFlowEnd(expected::add).build();
        try (PcapReader r = PcapReader.open(cut)) {
            assertThrows(PcapFormatException.class, () -> r.readAll(table));
        }
        table.endAll();
        String read = String.format("%,d packets read from %s", frames - 1, cut);
        String error = "podcap: " + cut + ": truncated block at byte ";

        Cli.Result flows = Cli.run("flows", "--read", cut.toString(), "--json");
        assertEquals(2, flows.exitCode(), flows::toString);
        List<Map<String, Object>> rows = jsonLines(flows.stdout());
        assertEquals(expected.size(), rows.size(), flows::toString);
        assertEquals(frames - 1, rows.stream().mapToLong(r -> ((Number) r.get("c2s_packets")).longValue()
                + ((Number) r.get("s2c_packets")).longValue()).sum());
        List<String> err = flows.stderr().lines().toList();
        assertEquals(2, err.size(), flows::toString);
        assertTrue(err.get(0).startsWith(read) && err.get(1).startsWith(error), flows::toString);

        Cli.Result piped = Cli.runPiped(Arrays.copyOf(bytes, bytes.length - 10), "flows", "--read", "-", "--json");
        assertEquals(2, piped.exitCode(), piped::toString);
        assertEquals(flows.stdout().replace("file:cut.pcapng", "file:stdin"), piped.stdout());
        assertTrue(piped.stderr().contains("\npodcap: stdin: truncated block at byte "), piped::toString);

        Cli.Result probes = Cli.run("probes", "--read", cut.toString(), "--json");
        assertEquals(2, probes.exitCode(), probes::toString);
        assertTrue(probes.stderr().startsWith(read) && probes.stderr().contains("\n" + error), probes::toString);

        Path out = dir.resolve("out.pcapng");
        Cli.Result capture = Cli.run("capture", "--read", cut.toString(), "-w", out.toString());
        assertEquals(2, capture.exitCode(), capture::toString);
        assertTrue(capture.stderr().contains("written to " + out + "\n" + error), capture::toString);
        assertEquals(frames - 1, frames(out));
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path file = dir.resolve("corpus.pcapng");
        FlowCorpus.write(file, 3, 10);
        Cli.run("flows", "--read", file.toString(), "--netns", "host").assertUsageError("--read excludes");
        Cli.run("flows", "--read", dir.resolve("none.pcap").toString()).assertUsageError("none.pcap");
        Cli.run("flows", "--read", file.toString(), "--filter", "tcp port nine").assertUsageError("compile");
        Cli.run("flows", "--netns", "netns:podcap-no-such-ns", "--duration", "1")
                .assertUsageError("podcap-no-such-ns");
        Cli.run("flows", "--read", file.toString(), "--capacity", "0").assertUsageError("capacity");
    }


    @Test
    void liveInTwoNamespacesUntilSigterm() throws Exception {
        Root.assume();
        try (TestNetns a = TestNetns.create("flowsa"); TestNetns b = TestNetns.create("flowsb")) {
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process p = Cli.start(out, err, "flows", "--netns", a.spec(), "--netns", b.spec(), "--iface", "eth0",
                    "--filter", "icmp", "--json", "--interval", "0.5");
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Files.readString(err).lines().filter(l -> l.startsWith("capturing flows")).count() < 2) {
                    assertTrue(p.isAlive() && System.nanoTime() < deadline, () -> "did not start: " + read(err));
                    Thread.sleep(50);
                }
                a.exec("ping", "-c", "3", "-i", "0.4", a.hostAddress()).ok();
                b.exec("ping", "-c", "2", "-i", "0.4", b.hostAddress()).ok();
                Thread.sleep(1600); // a snapshot comes every 0.5 s, more often than the CLI's own tick
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), "a stop by SIGTERM is a clean exit");
            } finally {
                p.destroyForcibly().waitFor();
            }
            List<Map<String, Object>> rows = jsonLines(read(out));
            // a's flow lives about 2.8 s before the end: 5 or 6 snapshots at 0.5 s, 2 or 3 at the 1 s tick
            long snapshotsOfA = rows.stream()
                    .filter(r -> Boolean.TRUE.equals(r.get("snapshot")) && a.spec().equals(r.get("netns"))).count();
            assertTrue(snapshotsOfA >= 4, () -> snapshotsOfA + " snapshots of a's flow:\n" + read(out));
            List<Map<String, Object>> last = rows.stream().filter(r -> !r.containsKey("snapshot")).toList();
            assertEquals(2, last.size(), () -> read(out));
            for (TestNetns ns : List.of(a, b)) {
                Map<String, Object> r = last.stream().filter(x -> ns.spec().equals(x.get("netns"))).findFirst()
                        .orElseThrow(() -> new AssertionError(read(out)));
                assertEquals("icmp", r.get("proto"));
                assertEquals(ns.address(), r.get("client"));
                assertEquals(ns.hostAddress(), r.get("server"));
                assertEquals("open", r.get("end"));
                assertEquals(ns == a ? 3 : 2, ((Number) r.get("c2s_packets")).intValue());
                assertEquals(ns == a ? 3 : 2, ((Number) r.get("s2c_packets")).intValue());
                assertEquals("eth0", r.get("iface"));
            }
            assertTrue(read(err).contains("2 flows"), () -> read(err));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
