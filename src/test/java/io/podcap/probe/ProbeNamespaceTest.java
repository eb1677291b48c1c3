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
import io.podcap.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real probes between real namespaces: a node namespace with a bridge (gateway .1), pod A running an HTTP server and
 * pod B as its client. A kubelet-like prober in the node namespace (curl with the kube-probe User-Agent and
 * Connection: close, nc -z for TCP) probes pod A while a capture inside pod A feeds a flow table with the detector.
 * The server then answers 500, is stopped (refused), and is firewalled inside the pod (timeout); each shows up as
 * failures with its reason and an alert, and a healthy server again as a recovery.
 */
class ProbeNamespaceTest {
    private static final int PORT = 8080;
    private static final double PROBE_GAP_S = 0.5;

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
        Process p = new ProcessBuilder(PodNetwork.in(net.pods.get(0),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StatusServer.class.getName(), net.podIp(0),
                Integer.toString(PORT), statusFile.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the test server did not start in " + net.pods.get(0));
        }
        return p;
    }

    /**
     * {@code count} kubelet-style HTTP probes from the node namespace, one new connection each, ticking steadily
     * (started in the background, as the kubelet's ticker does not wait for a slow probe), 1 s timeout each.
     */
    private static void httpProbes(PodNetwork net, int count) throws Exception {
        net.exec(net.node, "sh", "-c", "for i in $(seq " + count + "); do curl -s -o /dev/null -m 1 "
                + "-A kube-probe/1.29 -H 'Accept: */*' -H 'Connection: close' http://" + net.podIp(0) + ":" + PORT
                + "/healthz & sleep " + PROBE_GAP_S + "; done; wait").ok();
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
}
