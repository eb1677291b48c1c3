package io.podcap.probe;


import static io.podcap.probe.ProbeTraffic.MS;
import static io.podcap.probe.ProbeTraffic.S;
import static io.podcap.probe.ProbeTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.JsonLines;
import io.podcap.testing.Root;
import io.podcap.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podcap probes} and {@code flows --exclude-probes} as a user runs them: on a fixture file, and live. */
class CliProbesTest {
    private static final List<String> FIELDS = List.of("kind", "source", "source_role", "target", "path",
            "user_agent", "kubelet_version", "series", "period_s", "count", "successes", "failures",
            "consecutive_failures", "connect_ms", "first_byte_ms", "first_ts", "last_ts", "missed", "netns");

    @TempDir
    Path dir;

    /**
     * Probes as different CNIs route them (bridge gateway, weave, Calico's node IP, cilium_host), a gRPC probe, TCP and
     * TLS probes from the node IP, a stream that starts failing, and a pod's own requests.
     */
    private Path fixture() throws IOException {
        ProbeTraffic t = new ProbeTraffic();
        String ua = "kube-probe/1.29";
        for (int i = 0; i < 6; i++) {
            t.http(T0 + i * 10 * S, "10.244.1.1", "10.244.1.5", 8080, "/healthz", ua, 200);
            t.http(T0 + 2 * S + i * 10 * S, "10.36.0.0", "10.36.0.5", 8080, "/ready", ua, i < 3 ? 200 : 503);
            t.http(T0 + 3 * S + i * 10 * S, "192.168.1.10", "10.244.2.7", 8080, "/livez", ua, 200);
            t.http(T0 + 4 * S + i * 10 * S, "10.0.1.53", "10.0.1.20", 9090, "/healthz", ua, 200);
            t.grpc(T0 + 5 * S + i * 10 * S, "10.244.1.1", "10.244.1.6", 50051, ua + " grpc-go/1.58.3", 1);
            t.tcp(T0 + 6 * S + i * 10 * S, "192.168.1.10", "10.244.2.7", 5432);
            t.tls(T0 + 7 * S + i * 10 * S, "192.168.1.10", "10.244.2.7", 8443);
            t.http(T0 + 8 * S + i * 10 * S, "10.244.1.9", "10.244.1.5", 8080, "/api", "curl/8.0", 200);
        }
        Path file = dir.resolve("probes.pcapng");
        t.write(file);
        return file;
    }

    @Test
    void fixtureAsJsonLines() throws Exception {
        Path file = fixture();
        Cli.Result run = Cli.run("probes", "--read", file.toString(), "--json", "--node-address", "192.168.1.10",
                "--cluster-cidr", "10.244.0.0/16");
        assertEquals(0, run.exitCode(), run::toString);
        List<Map<String, Object>> rows = JsonLines.parse(run.stdout());
        List<Map<String, Object>> alerts = rows.stream().filter(r -> r.containsKey("alert")).toList();
        List<Map<String, Object>> streams = rows.stream().filter(r -> !r.containsKey("alert")).toList();
        assertEquals(7, streams.size(), run::toString);
        streams.forEach(s -> assertEquals(FIELDS, List.copyOf(s.keySet())));

        assertEquals(1, alerts.size(), run::toString);
        Map<String, Object> alert = alerts.get(0);
        assertEquals("failing", alert.get("alert"));
        assertEquals("probe GET /ready on 10.36.0.5:8080 from 10.36.0.0 failing 3 in a row (http_status)",
                alert.get("message"));
        assertEquals(3, ((Number) alert.get("consecutive_failures")).intValue());
        assertEquals("http_status", alert.get("reason"));

        Map<String, Object> weave = find(streams, "10.36.0.0", "http");
        assertEquals("kubelet", weave.get("source_role"));
        assertEquals(10.0, ((Number) weave.get("period_s")).doubleValue(), 0.01);
        assertEquals(6, ((Number) weave.get("count")).intValue());
        assertEquals(3, ((Number) weave.get("successes")).intValue());
        assertEquals("1.29", weave.get("kubelet_version"));
        assertEquals("file:probes.pcapng", weave.get("netns"));
        assertTrue(run.stdout().contains("\"failures\":{\"http_status\":3}"), run::toString);
        Map<String, Object> grpc = find(streams, "10.244.1.1", "grpc");
        assertEquals("/grpc.health.v1.Health/Check", grpc.get("path"));
        assertEquals("10.244.1.6:50051", grpc.get("target"));
        assertEquals(6, ((Number) grpc.get("successes")).intValue());
        Map<String, Object> tcp = find(streams, "192.168.1.10", "tcp");
        assertEquals("node", tcp.get("source_role"));
        assertEquals(null, tcp.get("first_byte_ms"));
        assertEquals("node", find(streams, "192.168.1.10", "https").get("source_role"));
        assertEquals("10.0.1.20:9090", find(streams, "10.0.1.53", "http").get("target"));
        assertTrue(streams.stream().noneMatch(s -> "10.244.1.9".equals(s.get("source"))), run::toString);
        assertTrue(run.stderr().contains("7 probe streams"), run::toString);
    }

    private static Map<String, Object> find(List<Map<String, Object>> streams, String source, String kind) {
        return streams.stream().filter(s -> source.equals(s.get("source")) && kind.equals(s.get("kind"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " stream from " + source + ": " + streams));
    }

    @Test
    void fixtureAsTableWithAlertLine() throws Exception {
        Cli.Result run = Cli.run("probes", "--read", fixture().toString());
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("ALERT ") && lines.get(0).endsWith(
                "probe GET /ready on 10.36.0.5:8080 from 10.36.0.0 failing 3 in a row (http_status)"), run::toString);
        assertTrue(lines.get(1).startsWith("KIND "), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("http  10.36.0.0 ") && l.contains(" kubelet ")
                && l.contains("/ready") && l.contains("10.00") && l.contains("! http_status=3")), run::toString);
        // without --node-address too, the node IP's TCP connections are from the node: its kubelet probes over HTTP
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("tcp   192.168.1.10 ") && l.contains(" node ")),
                run::toString);
    }

    @Test
    void flowsMarkAndExcludeProbes() throws Exception {
        Path file = fixture();
        Cli.Result all = Cli.run("flows", "--read", file.toString(), "--json", "--node-address", "192.168.1.10");
        assertEquals(0, all.exitCode(), all::toString);
        List<Map<String, Object>> rows = JsonLines.parse(all.stdout());
        assertEquals(48, rows.size());
        long probes = rows.stream().filter(r -> Boolean.TRUE.equals(r.get("probe"))).count();
        // HTTP and gRPC probes at once; TCP and TLS once three of them ticked steadily
        assertTrue(probes >= 30 + 4 + 4 && probes <= 42, all::toString);
        rows.stream().filter(r -> ((String) r.get("client")).startsWith("10.244.1.9:"))
                .forEach(r -> assertEquals(Boolean.FALSE, r.get("probe")));
        rows.stream().filter(r -> Boolean.TRUE.equals(r.get("probe")))
                .forEach(r -> assertEquals("kubelet", r.get("source_role")));

        Cli.Result rest = Cli.run("flows", "--read", file.toString(), "--json", "--exclude-probes", "--node-address",
                "192.168.1.10");
        assertEquals(0, rest.exitCode(), rest::toString);
        List<Map<String, Object>> left = JsonLines.parse(rest.stdout());
        assertEquals(rows.size() - probes, left.size());
        assertTrue(left.stream().noneMatch(r -> Boolean.TRUE.equals(r.get("probe"))));

        Cli.Result table = Cli.run("flows", "--read", file.toString());
        assertTrue(table.stdout().lines().findFirst().orElseThrow().contains(" ROLE "), table::toString);
        assertTrue(table.stdout().lines().anyMatch(l -> l.contains(" kubelet ") && l.contains("GET /ready")),
                table::toString);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path file = fixture();
        String f = file.toString();
        Cli.run("probes", "--read", dir.resolve("none.pcap").toString()).assertUsageError("none.pcap");
        Cli.run("probes", "--read", f, "--netns", "host").assertUsageError("exclude");
        Cli.run("probes", "--read", f, "--cluster-cidr", "10.0.0.0/99").assertUsageError("10.0.0.0/99");
        Cli.run("probes", "--read", f, "--pod", "web-0").assertUsageError("IP=NAME");
        Cli.run("probes", "--read", f, "--node-address", "node1.example").assertUsageError("node1.example");
        Cli.run("probes", "--read", f, "--alert-after", "0").assertUsageError("alertAfter");
        Cli.run("probes", "--netns", "netns:podcap-no-such-ns", "--duration", "1")
                .assertUsageError("podcap-no-such-ns");
    }

    @Test
    void liveInAPodNamespaceWithTheNodeInItsOwn() throws Exception {
        Root.assume();
        Tools.require("curl");
        Path status = dir.resolve("status");
        Files.writeString(status, "500");
        try (PodNetwork net = PodNetwork.create("cliprobes", 1)) {
            Process server = net.start(net.pods.get(0), Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"), StatusServer.class.getName(),
                    net.podIp(0), "8080", status.toString());
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process p = Cli.start(out, err, "probes", "--netns", net.spec(0), "--iface", "eth0", "--node-netns",
                    "netns:" + net.node, "--json", "--cluster-cidr", "10.244.0.0/16", "--interval", "0.5");
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!read(err).contains("capturing probes")
                        || net.exec(net.node, "curl", "-s", "-o", "/dev/null", "-m", "1",
                        "http://" + net.podIp(0) + ":8080/ready").exitCode() != 0) {
                    assertTrue(p.isAlive() && System.nanoTime() < deadline, () -> "did not start: " + read(err));
                    Thread.sleep(100);
                }
                net.exec(net.node, "sh", "-c", "for i in 1 2 3 4; do curl -s -o /dev/null -m 1 -A kube-probe/1.30 "
                        + "-H 'Connection: close' http://" + net.podIp(0) + ":8080/healthz & sleep 0.3; done; wait")
                        .ok();
                Thread.sleep(2000);
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), "a stop by SIGTERM is a clean exit");
            } finally {
                p.destroyForcibly().waitFor();
                server.destroyForcibly().waitFor();
            }
            List<Map<String, Object>> rows = JsonLines.parse(read(out));
            Map<String, Object> alert = rows.stream().filter(r -> r.containsKey("alert")).findFirst()
                    .orElseThrow(() -> new AssertionError(read(out) + read(err)));
            assertEquals("probe GET /healthz on " + net.podIp(0) + ":8080 from " + net.gateway()
                    + " failing 3 in a row (http_status)", alert.get("message"));
            List<Map<String, Object>> printed = rows.stream()
                    .filter(r -> !r.containsKey("alert") && "/healthz".equals(r.get("path"))).toList();
            // every 0.5 s for the 3 s or more from the first probe to the stop, and at the stop (7 times); printed
            // once a second (the ticks not following --interval) it comes out 3 or 4 times
            assertTrue(printed.size() >= 5, () -> printed.size() + " times the stream: " + read(out));
            Map<String, Object> stream = printed.get(printed.size() - 1);
            assertEquals("kubelet", stream.get("source_role"));
            assertEquals(net.gateway(), stream.get("source"));
            assertEquals("1.30", stream.get("kubelet_version"));
            assertEquals(4, ((Number) stream.get("count")).intValue());
            assertEquals(net.spec(0), stream.get("netns"));
            assertTrue(read(err).contains("node " + net.gateway()), () -> read(err));
            assertTrue(read(err).contains("pod " + net.podIp(0) + " " + net.spec(0)), () -> read(err));
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
