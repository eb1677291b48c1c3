package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.podcap.capture.Capture;
import io.podcap.pcap.PcapReader;
import io.podcap.pcap.PcapngSink;
import io.podcap.pcap.PcapngWriter;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flow, packet and byte counts of a capture agree with {@code tshark -z conv,tcp -z conv,udp}: on a generated file
 * of many interleaved conversations, and on real traffic captured in a namespace.
 *
 * <p>Definitions line up: a conversation is the address/port pair (tshark splits TCP conversations when a SYN reuses
 * the ports of a closed one, as the table does), bytes are frame lengths on the wire including the link header for
 * both (also for frames cut by the snap length), and every frame counts, retransmitted or not. ICMP is not in
 * tshark's TCP/UDP tables and is left out of the comparison.
 */
class FlowTsharkCrossCheckTest {
    // "10.10.0.1:20000  <-> 10.20.0.2:8080   3 198 bytes   4 12 kB   7 12 kB  0.000  0.0070"
    private static final Pattern ROW = Pattern.compile(
            "^(\\S+)\\s+<->\\s+(\\S+)\\s+(\\d+)\\s+(\\d+ \\S+)\\s+(\\d+)\\s+(\\d+ \\S+)\\s+\\d+\\s+\\d+ \\S+");

    @TempDir
    Path dir;

    @Test
    void countsOfAGeneratedCaptureAgreeWithTshark() throws Exception {
        Tools.require("tshark");
        Path file = dir.resolve("corpus.pcapng");
        int frames = FlowCorpus.write(file, 7, 400);
        assertEquals(frames, assertAgreesWithTshark(file, 300));
    }

    @Test
    void countsOfRealTrafficAgreeWithTshark() throws Exception {
        Root.assume();
        Tools.require("tshark");
        Tools.require("curl");
        Tools.require("nc");
        Path file = dir.resolve("real.pcapng");
        try (TestNetns ns = TestNetns.create("flowtshark")) {
            ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
            HttpServer server = HttpServer.create(new InetSocketAddress(ns.hostAddress(), 0), 8);
            server.createContext("/", exchange -> {
                byte[] body = new byte[20_000]; // several segments per response
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            try (PcapngWriter writer = PcapngWriter.builder().path(file).open()) {
                PcapngSink sink = new PcapngSink(writer, 262_144, "");
                try (Capture capture = Capture.builder().namespace(ns.spec()).device("eth0").immediate(true)
                        .handler(sink).open()) {
                    String url = "http://" + ns.hostAddress() + ":" + server.getAddress().getPort() + "/";
                    for (int i = 0; i < 5; i++) {
                        ns.exec("curl", "-s", "-o", "/dev/null", url).ok();
                    }
                    ns.exec("curl", "-s", "http://" + ns.hostAddress() + ":9/"); // refused
                    ns.exec("sh", "-c", "echo x | nc -u -w 1 " + ns.hostAddress() + " 9"); // port unreachable
                    Thread.sleep(300);
                }
            } finally {
                server.stop(0);
            }
        }
        assertAgreesWithTshark(file, 7);
    }

    /** Compares the TCP and UDP flows of a file with tshark's conversations; returns the packets in flows. */
    private static long assertAgreesWithTshark(Path file, int minConversations) throws Exception {
        List<FlowRecord> records = new ArrayList<>();
        FlowTable table = FlowTable.builder().onFlowEnd(records::add).build();
        long frames;
        try (PcapReader reader = PcapReader.open(file)) {
            frames = reader.readAll(table);
        }
        table.endAll();
        assertEquals(0, table.stats().unattributed());
        assertEquals(frames, records.stream().mapToLong(r -> r.c2sPackets() + r.s2cPackets()).sum());

        Tools.Result tshark = Tools.run("tshark", "-q", "-n", "-r", file.toString(), "-z", "conv,tcp", "-z",
                "conv,udp").ok();
        Map<String, List<String>> theirs = new TreeMap<>();
        int rows = 0;
        for (String line : tshark.lines()) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows++;
                // one direction's frames/bytes, the other's; order-free so that who is "A" does not matter
                String a = m.group(3) + "/" + m.group(4);
                String b = m.group(5) + "/" + m.group(6);
                theirs.computeIfAbsent(pair(m.group(1), m.group(2)), k -> new ArrayList<>())
                        .add(a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
            }
        }
        Map<String, List<String>> ours = new TreeMap<>();
        for (FlowRecord r : records) {
            if (r.protocol() != 6 && r.protocol() != 17) {
                continue;
            }
            String a = r.c2sPackets() + "/" + size(r.c2sBytes());
            String b = r.s2cPackets() + "/" + size(r.s2cBytes());
            ours.computeIfAbsent(pair(plain(r.clientAddress(), r.clientPort()), plain(r.serverAddress(), r.serverPort())),
                    k -> new ArrayList<>()).add(a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
        }
        ours.values().forEach(l -> l.sort(null));
        theirs.values().forEach(l -> l.sort(null));
        assertTrue(rows >= minConversations, tshark.out());
        assertEquals(theirs.size(), ours.size(), () -> differences(theirs, ours));
        assertEquals(theirs, ours, () -> differences(theirs, ours));
        return frames;
    }

    private static String differences(Map<String, List<String>> theirs, Map<String, List<String>> ours) {
        StringBuilder sb = new StringBuilder("tshark vs podcap, where they differ:\n");
        Set<String> keys = new TreeSet<>(theirs.keySet());
        keys.addAll(ours.keySet());
        for (String k : keys) {
            if (!Objects.equals(theirs.get(k), ours.get(k))) {
                sb.append(k).append(": ").append(theirs.get(k)).append(" vs ").append(ours.get(k)).append('\n');
            }
        }
        return sb.toString();
    }

    /** As tshark 4 writes a byte count: exact below 10000, then in whole (truncated) kB (SI; MB from 10^7). */
    private static String size(long bytes) {
        return bytes < 10_000 ? bytes + " bytes" : bytes < 10_000_000 ? bytes / 1000 + " kB" : bytes / 1_000_000 + " MB";
    }

    /** tshark writes both IPv4 and IPv6 endpoints as address:port. */
    private static String plain(String address, int port) {
        return address + ":" + port;
    }

    private static String pair(String x, String y) {
        return x.compareTo(y) < 0 ? x + " " + y : y + " " + x;
    }
}
