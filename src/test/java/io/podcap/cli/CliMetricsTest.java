package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics-port}: a real HTTP GET against a running capture; the values are the capture's own counters. */
class CliMetricsTest {
    private static final Pattern FINAL = Pattern.compile("([\\d,]+) packets captured .*, ([\\d,]+) received by filter,"
            + " ([\\d,]+) dropped by kernel, (\\S+) dropped by interface, ([\\d,]+) dropped by ring");

    @TempDir
    Path dir;

    private static double number(String printed) {
        return printed.equals("unknown") ? Double.NaN : Long.parseLong(printed.replace(",", ""));
    }

    @Test
    void prometheusEndpointServesTheCapturesCounters() throws Exception {
        Root.assume();
        Tools.require("tshark");
        Path file = dir.resolve("m.pcapng");
        try (TestNetns ns = TestNetns.create("metrics")) {
            ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
            Map<String, Double> scraped;
            String stderr;
            try (RunningCapture c = RunningCapture.start(ns, dir, "-w", file.toString(), "--json-stats", "3600")) {
                Map<String, Double> before = c.scrape();
                assertEquals(0, RunningCapture.value(before, "podcap_capture_packets_total"), before::toString);
                c.send(30, 100);
                scraped = c.awaitPackets(30);
                c.signal("TERM");
                assertEquals(0, c.awaitExit(), c::stderr);
                stderr = c.stderr();
            }
            String labels = "{iface=\"eth0\",netns=\"" + ns.spec() + "\"}";
            assertTrue(scraped.containsKey("podcap_capture_packets_total" + labels), scraped::toString);

            // nothing arrived after the scrape, so the final counters are the same numbers
            Matcher m = FINAL.matcher(stderr);
            assertTrue(m.find(), stderr);
            assertEquals(30, number(m.group(1)), stderr);
            assertEquals(number(m.group(2)), RunningCapture.value(scraped, "podcap_capture_received_packets_total"));
            assertEquals(number(m.group(3)),
                    RunningCapture.value(scraped, "podcap_capture_kernel_dropped_packets_total"));
            assertEquals(number(m.group(4)),
                    RunningCapture.value(scraped, "podcap_capture_interface_dropped_packets_total"));
            assertEquals(number(m.group(5)), RunningCapture.value(scraped, "podcap_capture_ring_dropped_packets_total"));

            // packets and bytes against the file, as tshark counts them
            long wireBytes = Tools.tsharkFields(file, "frame.len").stream().mapToLong(r -> Long.parseLong(r[0])).sum();
            assertEquals(30, RunningCapture.value(scraped, "podcap_capture_packets_total"));
            assertEquals(30 * (14 + 20 + 8 + 100), wireBytes);
            assertEquals(wireBytes, RunningCapture.value(scraped, "podcap_capture_bytes_total"));

            // --json-stats: the last line on stdout has the same counters
            String json = Files.readString(dir.resolve("cli.out")).strip();
            assertEquals(1, json.lines().count(), json);
            assertTrue(json.startsWith("{\"time\":\"") && json.contains("\"event\":\"capture_end\""), json);
            assertTrue(json.contains("\"iface\":\"eth0\",\"namespaces\":[\"" + ns.spec() + "\"]"), json);
            assertTrue(json.contains("\"packets\":30,\"bytes\":" + wireBytes + ","), json);
            assertTrue(json.contains("\"file\":\"" + file + "\""), json);
        }
    }

    @Test
    void aPortInUseIsOneLineAndExitTwo() throws Exception {
        Root.assume();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Cli.Result r = Cli.run("capture", "-i", "lo", "-q", "--duration", "5",
                    "--metrics-port", Integer.toString(taken.getLocalPort()));
            assertEquals(2, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("podcap: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()),
                    r::toString);
        }
    }
}
