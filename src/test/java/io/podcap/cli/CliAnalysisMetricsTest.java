package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --metrics-port} on the analyses: a real HTTP GET against a live {@code podcap flows} / {@code probes}; the
 * scraped flow and probe counters are the command's own final counters, next to the capture's and the JVM's memory.
 */
class CliAnalysisMetricsTest {
    private static final Pattern FLOWS = Pattern.compile("([\\d,]+) flows \\(([\\d,]+) expired, ([\\d,]+) evicted\\), "
            + "([\\d,]+) packets in no flow, ([\\d,]+) packets outside TCP analysis");
    private static final Pattern PROBES = Pattern.compile("([\\d,]+) probe streams \\(([\\d,]+) evicted\\), "
            + "([\\d,]+) probe connections \\(([\\d,]+) failed, ([\\d,]+) alerts\\), ([\\d,]+) not inspected "
            + "\\(buffers full\\), ([\\d,]+) unparsed");

    @TempDir
    Path dir;

    private static long number(Matcher m, int group) {
        return Long.parseLong(m.group(group).replace(",", ""));
    }

    @Test
    void flowsServesItsFlowCountersNextToTheCaptures() throws Exception {
        Root.assume();
        try (TestNetns ns = TestNetns.create("flowmetrics")) {
            Map<String, Double> scraped;
            String stderr;
            try (RunningCapture c = RunningCapture.start("flows", ns, dir, "--duration", "8")) {
                Map<String, Double> before = c.scrape();
                assertEquals(0, RunningCapture.value(before, "podcap_flows_total"), before::toString);
                for (int flow = 0; flow < 5; flow++) {
                    c.send(6, 100); // a socket each: five flows of six datagrams
                }
                scraped = c.await("podcap_flow_packets_total", 30);
                assertEquals(5, RunningCapture.value(scraped, "podcap_flows_active"), scraped::toString);
                assertEquals(0, c.awaitExit(), c::stderr); // --duration: nothing more arrives until the end
                stderr = c.stderr();
            }
            assertEquals(30, RunningCapture.value(scraped, "podcap_capture_packets_total"), scraped::toString);
            assertEquals(30, RunningCapture.value(scraped, "podcap_flow_packets_total"));
            Matcher m = FLOWS.matcher(stderr);
            assertTrue(m.find(), stderr);
            assertEquals(number(m, 1), RunningCapture.value(scraped, "podcap_flows_total"), stderr);
            assertEquals(5, number(m, 1), stderr);
            assertEquals(number(m, 2), RunningCapture.value(scraped, "podcap_flows_expired_total"));
            assertEquals(number(m, 3), RunningCapture.value(scraped, "podcap_flows_evicted_total"));
            assertEquals(number(m, 4), RunningCapture.value(scraped, "podcap_flow_unattributed_packets_total"));
            assertEquals(number(m, 5), RunningCapture.value(scraped, "podcap_flow_partial_packets_total"));
            assertEquals(0, RunningCapture.value(scraped, "podcap_flows_ended_total"));
            assertEquals(5, Files.readString(dir.resolve("cli.out")).lines().filter(l -> l.contains("udp")).count(),
                    () -> "the five flows, printed at the end: " + stderr);
            assertMemory(scraped);
        }
    }

    @Test
    void probesServesItsProbeCounters() throws Exception {
        Root.assume();
        try (TestNetns ns = TestNetns.create("probemetrics")) {
            Map<String, Double> scraped;
            String stderr;
            try (RunningCapture c = RunningCapture.start("probes", ns, dir, "--duration", "8")) {
                c.send(12, 100);
                scraped = c.await("podcap_flow_packets_total", 12);
                assertEquals(0, c.awaitExit(), c::stderr); // --duration: nothing more arrives until the end
                stderr = c.stderr();
            }
            Matcher m = PROBES.matcher(stderr);
            assertTrue(m.find(), stderr);
            assertEquals(number(m, 1), RunningCapture.value(scraped, "podcap_probe_streams"), stderr);
            assertEquals(number(m, 2), RunningCapture.value(scraped, "podcap_probe_streams_evicted_total"));
            assertEquals(number(m, 3), RunningCapture.value(scraped, "podcap_probe_connections_total"));
            assertEquals(number(m, 4), RunningCapture.value(scraped, "podcap_probe_failures_total"));
            assertEquals(number(m, 5), RunningCapture.value(scraped, "podcap_probe_alerts_total"));
            assertEquals(number(m, 6), RunningCapture.value(scraped, "podcap_probe_uninspected_total"));
            assertEquals(number(m, 7), RunningCapture.value(scraped, "podcap_probe_unparsed_total"));
            assertEquals(1, RunningCapture.value(scraped, "podcap_flows_active"), scraped::toString);
            assertMemory(scraped);
        }
    }

    /** Heap and RSS are there and plausible for a JVM: more than a MiB, less than this machine's memory. */
    private static void assertMemory(Map<String, Double> scraped) {
        double heap = RunningCapture.value(scraped, "podcap_jvm_heap_used_bytes");
        double rss = RunningCapture.value(scraped, "podcap_process_resident_memory_bytes");
        assertTrue(heap > 1 << 20 && heap < 64L << 30, "heap " + heap);
        assertTrue(rss > heap / 4 && rss > 16 << 20 && rss < 64L << 30, "rss " + rss);
        double afterGc = RunningCapture.value(scraped, "podcap_jvm_heap_after_gc_bytes");
        assertTrue(afterGc >= 0 && afterGc <= RunningCapture.value(scraped, "podcap_jvm_heap_committed_bytes"),
                "after GC " + afterGc);
    }
}
