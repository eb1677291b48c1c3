package io.podcap.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.capture.Capture;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowListener;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowTable;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real probes between real namespaces: a node namespace with a bridge (gateway .1), pod A running an HTTP server and
 * pod B as its client. A kubelet-like prober in the node namespace (curl with the kube-probe User-Agent and
 * Connection: close, nc -z for TCP) probes pod A while a capture inside pod A feeds a flow table with the detector.
 * The server then answers 500, is stopped (refused), and is firewalled inside the pod (timeout); each shows up as
 * failures with its reason and an alert, and a healthy server again as a recovery. gRPC health checks ({@link
 * GrpcHealth}) and TLS handshakes ({@link TlsHandshakes}) go the same way between Java programs in the namespaces.
 */
class ProbeNamespaceTest {
    private static final int PORT = 8080;
    private static final double PROBE_GAP_S = 0.5;
    private static final int GRPC_PORT = 50051;
    private static final long TICK_MS = 300;
    private static final int TLS_PORT = 8443;

    @TempDir
    Path dir;

    /** The table and the detector, fed by the capture thread and read by the test under one lock. */
    static final class Watch {
        final Object lock = new Object();
        final FlowTable table = FlowTable.builder().build();
        final List<FlowRecord> flows = new ArrayList<>();
        final List<ProbeAlert> alerts = new ArrayList<>();
        final ProbeDetector detector;

        Watch(AddressRoles roles) {
            detector = ProbeDetector.builder().roles(roles).onAlert(alerts::add).build(table);
            table.addListener(new FlowListener() {
                @Override
                public void onFlowEnd(int slot, FlowRecord r) {
                    flows.add(r);
                }
            });
        }

        PacketHandler handler() {
            return new PacketHandler() {
                @Override
                public void onPacket(PacketView p) {
                    synchronized (lock) {
                        table.onPacket(p);
                    }
                }
            };
        }

        /** Streams of {@code kind} after the pending probes have had their timeout (as the CLI's timer does). */
        ProbeStream stream(ProbeKind kind) throws InterruptedException {
            Thread.sleep(300); // the last packets through the ring
            synchronized (lock) {
                detector.expire(System.currentTimeMillis() * 1_000_000L);
                List<ProbeStream> s = detector.streams().stream().filter(x -> x.kind() == kind).toList();
                assertEquals(1, s.size(), () -> detector.streams().toString());
                return s.get(0);
            }
        }

        List<ProbeAlert> alerts() {
            synchronized (lock) {
                return List.copyOf(alerts);
            }
        }
    }

    private static Process server(PodNetwork net, Path statusFile) throws Exception {
        return java(net.pods.get(0), StatusServer.class, net.podIp(0), Integer.toString(PORT), statusFile.toString());
    }

    /** Starts a test program's main class in namespace {@code ns} and waits for its "ready" line. */
    private static Process java(String ns, Class<?> main, String... args) throws Exception {
        Process p = startJava(ns, main, args);
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(main.getSimpleName() + " did not start in " + ns);
        }
        return p;
    }

    private static Process startJava(String ns, Class<?> main, String... args) throws IOException {
        return new ProcessBuilder(PodNetwork.in(ns, javaCommand(main, args)))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Runs a test program's main class in namespace {@code ns} to its end; returns its output lines. */
    private static List<String> runJava(PodNetwork net, String ns, Class<?> main, String... args) throws Exception {
        return net.exec(ns, javaCommand(main, args)).ok().stdout().lines().toList();
    }

    private static String[] javaCommand(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    /**
     * {@code count} kubelet-style HTTP probes from the node namespace, one new connection each, ticking steadily
     * (started in the background, as the kubelet's ticker does not wait for a slow probe), 1 s timeout each.
     */
    /** The kubelet's ticker: every probe of the test starts on one grid of PROBE_GAP_S, whatever came between. */
    private static final long TICKER_ORIGIN = System.nanoTime();

    /** {@code count} HTTP probes from the node, on the ticker; a pause between calls only skips ticks. */
    private static void httpProbes(PodNetwork net, int count) throws Exception {
        long period = (long) (PROBE_GAP_S * 1e9);
        List<Process> probes = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                long now = System.nanoTime();
                TimeUnit.NANOSECONDS.sleep(period - (now - TICKER_ORIGIN) % period);
                probes.add(new ProcessBuilder("ip", "netns", "exec", net.node, "curl", "-s", "-o", "/dev/null", "-m",
                        "1", "-A", "kube-probe/1.29", "-H", "Accept: */*", "-H", "Connection: close",
                        "http://" + net.podIp(0) + ":" + PORT + "/healthz")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            for (Process p : probes) {
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "curl did not end");
            }
        } finally {
            probes.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void probesOfAPodFromTheNodeAndTheirFailures() throws Exception {
        Root.assume();
        Tools.require("curl");
        Tools.require("nc");
        Tools.require("iptables");
        Path status = dir.resolve("status");
        Files.writeString(status, "200");
        try (PodNetwork net = PodNetwork.create("probes", 2)) {
            String pod = net.pods.get(0);
            net.exec(net.pods.get(1), "ping", "-c", "1", "-W", "2", net.podIp(0)).ok(); // resolve neighbours first
            net.exec(net.node, "ping", "-c", "1", "-W", "2", net.podIp(0)).ok();
            Watch w = new Watch(AddressRoles.builder().nodeAddress(net.gateway()).localPod(net.podIp(0), "default/a")
                    .localPod(net.podIp(1), "default/b").clusterCidr("10.244.0.0/16").build());
            Process server = server(net, status);
            Capture capture = Capture.builder().namespace(net.spec(0)).device("eth0").filter("tcp").immediate(true)
                    .handler(w.handler()).open();
            try (capture) {
                // a TCP probe (connect, close) five times, then HTTP probes, and pod B's own requests
                net.exec(net.node, "sh", "-c", "for i in 1 2 3 4 5; do nc -z -w 1 " + net.podIp(0) + " " + PORT
                        + "; sleep " + PROBE_GAP_S + "; done").ok();
                for (int i = 0; i < 3; i++) {
                    net.exec(net.pods.get(1), "curl", "-s", "-o", "/dev/null", "http://" + net.podIp(0) + ":" + PORT
                            + "/api/items").ok();
                }
                httpProbes(net, 8);

                ProbeStream tcp = w.stream(ProbeKind.TCP);
                assertEquals(net.gateway(), tcp.source());
                assertEquals(SourceRole.NODE, tcp.sourceRole());
                assertEquals(5, tcp.successes(), tcp::toString);
                assertTrue(tcp.periodSeconds() > 0.45 && tcp.periodSeconds() < 0.8, tcp::toString);

                ProbeStream http = w.stream(ProbeKind.HTTP);
                assertEquals(net.gateway(), http.source());
                assertEquals(SourceRole.KUBELET, http.sourceRole());
                assertEquals(net.podIp(0) + ":" + PORT, http.target());
                assertEquals("/healthz", http.path());
                assertEquals("kube-probe/1.29", http.userAgent());
                assertEquals("1.29", http.kubeletVersion());
                assertEquals(8, http.count(), http::toString);
                assertEquals(8, http.successes(), http::toString);
                assertTrue(http.periodSeconds() > 0.45 && http.periodSeconds() < 0.6, http::toString);
                assertEquals(0, http.missed());
                assertTrue(http.connectMedianNanos() > 0 && http.firstByteMedianNanos() > 0, http::toString);
                assertEquals(net.spec(0), http.netns());
                synchronized (w.lock) {
                    List<FlowRecord> fromB = w.flows.stream()
                            .filter(f -> f.clientAddress().equals(net.podIp(1))).toList();
                    assertEquals(3, fromB.size(), w.flows::toString);
                    for (FlowRecord f : fromB) {
                        assertFalse(ProbeFlags.isProbe(f.flags()), f::toString);
                        assertEquals(SourceRole.POD_LOCAL, ProbeFlags.role(f.flags()));
                    }
                    assertTrue(w.flows.stream().filter(f -> "GET /healthz HTTP/1.1".equals(f.httpRequest()))
                            .allMatch(f -> ProbeFlags.isProbe(f.flags())
                                    && ProbeFlags.role(f.flags()) == SourceRole.KUBELET), w.flows::toString);
                }
                assertEquals(List.of(), w.alerts());

                // the server answers 500
                Files.writeString(status, "500");
                httpProbes(net, 4);
                http = w.stream(ProbeKind.HTTP);
                assertEquals(Map.of(ProbeFailure.HTTP_STATUS, 4L), http.failures(), http::toString);
                assertEquals(4, http.consecutiveFailures());
                assertEquals(1, w.alerts().size(), w.alerts()::toString);
                assertEquals("probe GET /healthz on " + net.podIp(0) + ":" + PORT + " from " + net.gateway()
                        + " failing 3 in a row (http_status)", w.alerts().get(0).message());

                // the server is gone: the pod refuses the connection
                server.destroyForcibly().waitFor();
                httpProbes(net, 4);
                http = w.stream(ProbeKind.HTTP);
                assertEquals(4L, http.failures().get(ProbeFailure.REFUSED), http::toString);
                assertEquals(8, http.consecutiveFailures());

                // back, then recovered; then firewalled inside the pod: the SYNs go unanswered
                Files.writeString(status, "200");
                server = server(net, status);
                httpProbes(net, 2);
                assertEquals(0, w.stream(ProbeKind.HTTP).consecutiveFailures());
                assertTrue(w.alerts().stream().anyMatch(a -> !a.failing() && a.consecutiveFailures() == 8),
                        w.alerts()::toString);
                net.exec(pod, "iptables", "-I", "INPUT", "-p", "tcp", "--dport", Integer.toString(PORT), "-j",
                        "DROP").ok();
                try {
                    httpProbes(net, 4);
                } finally {
                    net.exec(pod, "iptables", "-D", "INPUT", "-p", "tcp", "--dport", Integer.toString(PORT), "-j",
                            "DROP").ok();
                }
                http = w.stream(ProbeKind.HTTP);
                assertEquals(4L, http.failures().get(ProbeFailure.TIMEOUT), http::toString);
                assertEquals(10, http.successes(), http::toString);
                ProbeAlert last = w.alerts().get(w.alerts().size() - 1);
                assertTrue(last.failing(), w.alerts()::toString);
                assertEquals(ProbeFailure.TIMEOUT, last.reason());
                assertEquals(3, last.consecutiveFailures());
                assertNull(w.detector.streams().stream().filter(s -> s.source().equals(net.podIp(1))).findAny()
                        .orElse(null), "pod B's requests are no probe");
            } finally {
                server.destroyForcibly().waitFor();
            }
            assertEquals(0, capture.stats().kernelDropped() + capture.stats().ringDropped());
        }
    }

    @Test
    void grpcProbesOfAPodFromTheNodeAndTheirFailures() throws Exception {
        Root.assume();
        Path status = dir.resolve("serving");
        Files.writeString(status, "1");
        try (PodNetwork net = PodNetwork.create("grpcprobes", 1)) {
            net.exec(net.node, "ping", "-c", "1", "-W", "2", net.podIp(0)).ok();
            Watch w = new Watch(AddressRoles.builder().nodeAddress(net.gateway()).localPod(net.podIp(0), "default/a")
                    .clusterCidr("10.244.0.0/16").build());
            Process server = java(net.pods.get(0), GrpcHealth.class, "serve", net.podIp(0),
                    Integer.toString(GRPC_PORT), status.toString());
            try (Capture capture = Capture.builder().namespace(net.spec(0)).device("eth0").filter("tcp")
                    .immediate(true).handler(w.handler()).open()) {
                // one prober ticking steadily, as the kubelet does; the server turns NOT_SERVING after 8 answers
                Process prober = startJava(net.node, GrpcHealth.class, "probe", net.podIp(0),
                        Integer.toString(GRPC_PORT), "12", Long.toString(TICK_MS), "kube-probe/1.29 grpc-go/1.62");
                List<String> answers = new ArrayList<>();
                try (BufferedReader out = prober.inputReader(StandardCharsets.UTF_8)) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        answers.add(line);
                        if (answers.size() == 8) {
                            Files.writeString(status, "2");
                        }
                    }
                    assertTrue(prober.waitFor(30, TimeUnit.SECONDS));
                } finally {
                    prober.destroyForcibly().waitFor();
                }
                List<String> expected = new ArrayList<>(Collections.nCopies(8, "serving status 1"));
                expected.addAll(Collections.nCopies(4, "serving status 2"));
                assertEquals(expected, answers);
                assertEquals(0, prober.exitValue());

                ProbeStream grpc = w.stream(ProbeKind.GRPC);
                assertEquals(net.gateway(), grpc.source());
                assertEquals(SourceRole.KUBELET, grpc.sourceRole());
                assertEquals(net.podIp(0) + ":" + GRPC_PORT, grpc.target());
                assertEquals(GrpcHealth.CHECK, grpc.path());
                assertEquals("kube-probe/1.29 grpc-go/1.62", grpc.userAgent());
                assertEquals("1.29", grpc.kubeletVersion());
                assertEquals(12, grpc.count(), grpc::toString);
                assertEquals(8, grpc.successes(), grpc::toString);
                assertEquals(Map.of(ProbeFailure.GRPC_STATUS, 4L), grpc.failures(), grpc::toString);
                assertEquals(4, grpc.consecutiveFailures());
                assertTrue(grpc.periodSeconds() > 0.25 && grpc.periodSeconds() < 0.4, grpc::toString);
                assertEquals(0, grpc.missed());
                assertTrue(grpc.connectMedianNanos() > 0 && grpc.firstByteMedianNanos() > 0, grpc::toString);
                assertEquals(net.spec(0), grpc.netns());
                assertEquals(1, w.alerts().size(), w.alerts()::toString);
                ProbeAlert alert = w.alerts().get(0);
                assertTrue(alert.failing());
                assertEquals(ProbeFailure.GRPC_STATUS, alert.reason());
                assertEquals(3, alert.consecutiveFailures());
                assertEquals("grpc probe " + GrpcHealth.CHECK + " on " + net.podIp(0) + ":" + GRPC_PORT + " from "
                        + net.gateway() + " failing 3 in a row (grpc_status)", alert.message());
                assertEquals(0, capture.stats().kernelDropped() + capture.stats().ringDropped());
            } finally {
                server.destroyForcibly().waitFor(); // also when the capture did not open
            }
        }
    }

    /** HTTPS probes as the node sends them: TLS handshakes on new connections at a steady period, nothing decrypted. */
    @Test
    void httpsProbesOfAPodFromTheNode() throws Exception {
        Root.assume();
        Path keystore = dir.resolve("pod.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        TestNetns.run(keytool, "-genkeypair", "-alias", "pod", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=pod", "-validity", "1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-keypass", "changeit").ok();
        try (PodNetwork net = PodNetwork.create("tlsprobes", 1)) {
            net.exec(net.node, "ping", "-c", "1", "-W", "2", net.podIp(0)).ok();
            Watch w = new Watch(AddressRoles.builder().nodeAddress(net.gateway()).localPod(net.podIp(0), "default/a")
                    .clusterCidr("10.244.0.0/16").build());
            Process server = java(net.pods.get(0), TlsHandshakes.class, "serve", net.podIp(0),
                    Integer.toString(TLS_PORT), keystore.toString(), "changeit");
            try (Capture capture = Capture.builder().namespace(net.spec(0)).device("eth0").filter("tcp")
                    .immediate(true).handler(w.handler()).open()) {
                assertEquals(Collections.nCopies(6, "handshake"), runJava(net, net.node, TlsHandshakes.class,
                        "probe", net.podIp(0), Integer.toString(TLS_PORT), "6", Long.toString(TICK_MS)));
                ProbeStream https = w.stream(ProbeKind.HTTPS);
                assertEquals(net.gateway(), https.source());
                assertEquals(SourceRole.NODE, https.sourceRole());
                assertEquals(net.podIp(0) + ":" + TLS_PORT, https.target());
                assertEquals("", https.path());
                assertEquals(6, https.count(), https::toString);
                assertEquals(6, https.successes(), https::toString);
                assertTrue(https.periodSeconds() > 0.25 && https.periodSeconds() < 0.4, https::toString);
                assertEquals(List.of(), w.alerts());
                assertEquals(0, capture.stats().kernelDropped() + capture.stats().ringDropped());
            } finally {
                server.destroyForcibly().waitFor(); // also when the capture did not open
            }
        }
    }
}
