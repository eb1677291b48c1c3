package io.podcap.probe;

import static io.podcap.probe.ProbeTraffic.MS;
import static io.podcap.probe.ProbeTraffic.S;
import static io.podcap.probe.ProbeTraffic.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The detector on generated traffic: kinds, sources, periods, outcomes, alerts, and bad or partial input. */
class ProbeDetectorTest {
    private static final String UA = "kube-probe/1.29";

    /** A table with a detector and a record of every flow, fed with {@code traffic}. */
    static final class Run {
        final FlowTable table = FlowTable.builder().build();
        final List<FlowRecord> flows = new ArrayList<>();
        final List<ProbeAlert> alerts = new ArrayList<>();
        final ProbeDetector detector;

        Run(ProbeDetector.Builder b, ProbeTraffic traffic) {
            detector = b.onAlert(alerts::add).build(table);
            table.addListener(new io.podcap.flow.FlowListener() {
                @Override
                public void onFlowEnd(int slot, FlowRecord record) {
                    flows.add(record);
                }
            });
            traffic.feed(table);
            table.endAll();
        }

        ProbeStream only(String source) {
            List<ProbeStream> s = detector.streams().stream().filter(p -> p.source().equals(source)).toList();
            assertEquals(1, s.size(), () -> detector.streams().toString());
            return s.get(0);
        }
    }

    private static long jitter(Random r, long max) {
        return (long) ((r.nextDouble() * 2 - 1) * max);
    }

    @Test
    void httpProbesFromSeveralCnisSourcesAndPlainTrafficBeside() {
        ProbeTraffic t = new ProbeTraffic();
        Random r = new Random(1);
        for (int i = 0; i < 12; i++) {
            t.http(T0 + i * 10 * S + jitter(r, 50 * MS), "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
            t.http(T0 + 2 * S + i * 5 * S, "10.36.0.0", "10.36.0.5", 8080, "/ready", "kube-probe/1.30+", 200);
            t.http(T0 + 3 * S + i * 3 * S, "192.168.1.10", "10.244.2.7", 8080, "/livez", UA, 204);
            t.http(T0 + 4 * S + i * 7 * S, "10.0.1.53", "10.0.1.20", 9090, "/healthz", UA, 301);
            t.http(T0 + 500 * MS + i * S, "10.244.1.9", "10.244.1.5", 8080, "/api", "curl/8.0", 200);
        }
        AddressRoles roles = AddressRoles.builder().nodeAddress("10.244.1.1").localPod("10.244.1.5", "default/web-0")
                .localPod("10.244.1.9", "default/client").clusterCidr("10.244.0.0/16").build();
        Run run = new Run(ProbeDetector.builder().roles(roles), t);

        assertEquals(4, run.detector.streams().size(), () -> run.detector.streams().toString());
        ProbeStream bridge = run.only("10.244.1.1");
        assertEquals(ProbeKind.HTTP, bridge.kind());
        assertEquals("10.244.1.5:8080", bridge.target());
        assertEquals("/healthz", bridge.path());
        assertEquals(UA, bridge.userAgent());
        assertEquals("1.29", bridge.kubeletVersion());
        assertEquals(SourceRole.KUBELET, bridge.sourceRole());
        assertEquals(10.0, bridge.periodSeconds(), 0.1);
        assertEquals(12, bridge.count());
        assertEquals(12, bridge.successes());
        assertEquals(Map.of(), bridge.failures());
        assertEquals(0, bridge.missed());
        assertTrue(bridge.connectMedianNanos() > 0 && bridge.firstByteMedianNanos() > 0, bridge::toString);
        assertEquals(T0 - 50 * MS, bridge.firstTimestampNanos(), 50 * MS);

        ProbeStream weave = run.only("10.36.0.0");
        assertEquals("1.30+", weave.kubeletVersion());
        assertEquals(5.0, weave.periodSeconds(), 0.01);
        assertEquals("/ready", weave.path());
        ProbeStream calico = run.only("192.168.1.10");
        assertEquals(3.0, calico.periodSeconds(), 0.01);
        assertEquals(12, calico.successes(), "204 is a success");
        ProbeStream cilium = run.only("10.0.1.53");
        assertEquals("10.0.1.20:9090", cilium.target());
        assertEquals(12, cilium.successes(), "a redirect is a success");

        // flows: the probes are marked and come from the kubelet; the pod's own requests are not probes
        long probeFlows = run.flows.stream().filter(f -> ProbeFlags.isProbe(f.flags())).count();
        assertEquals(48, probeFlows);
        for (FlowRecord f : run.flows) {
            boolean probe = ProbeFlags.isProbe(f.flags());
            if (f.clientAddress().equals("10.244.1.9")) {
                assertFalse(probe, f::toString);
                assertEquals(SourceRole.POD_LOCAL, ProbeFlags.role(f.flags()));
            } else {
                assertTrue(probe, f::toString);
                assertEquals(SourceRole.KUBELET, ProbeFlags.role(f.flags()));
            }
        }
        assertTrue(run.alerts.isEmpty());
        assertEquals(48, run.detector.stats().probes());
    }

    @Test
    void rolesOfEveryClient() {
        ProbeTraffic t = new ProbeTraffic();
        t.http(T0, "10.244.1.1", "10.244.1.5", 8080, "/", "curl/8", 200); // the bridge, not probing
        t.http(T0 + S, "10.244.1.9", "10.244.1.5", 8080, "/", "curl/8", 200);
        t.http(T0 + 2 * S, "10.244.3.4", "10.244.1.5", 8080, "/", "curl/8", 200);
        t.http(T0 + 3 * S, "8.8.4.4", "10.244.1.5", 8080, "/", "curl/8", 200);
        t.http(T0 + 4 * S, "fd00:10:244:3::4", "fd00:10:244:1::5", 8080, "/", "curl/8", 200);
        AddressRoles roles = AddressRoles.builder().nodeAddress("10.244.1.1").localPod("10.244.1.9", "default/client")
                .clusterCidr("10.244.0.0/16").clusterCidr("fd00:10:244::/56").build();
        Run run = new Run(ProbeDetector.builder().roles(roles), t);
        Map<String, SourceRole> byClient = new java.util.HashMap<>();
        run.flows.forEach(f -> byClient.put(f.clientAddress(), ProbeFlags.role(f.flags())));
        assertEquals(Map.of("10.244.1.1", SourceRole.NODE, "10.244.1.9", SourceRole.POD_LOCAL,
                "10.244.3.4", SourceRole.POD_REMOTE, "8.8.4.4", SourceRole.EXTERNAL,
                "fd00:10:244:3::4", SourceRole.POD_REMOTE), byClient);
        assertEquals("default/client", roles.podName(0, AddressRoles.lo(0x0af40109)));
        assertTrue(run.detector.streams().isEmpty());

        Run unknown = new Run(ProbeDetector.builder(), t);
        unknown.flows.forEach(f -> assertEquals(SourceRole.UNKNOWN, ProbeFlags.role(f.flags())));
    }

    @Test
    void kubeletSourceIsLearnedAsANodeAddress() {
        ProbeTraffic t = new ProbeTraffic();
        t.http(T0, "10.36.0.0", "10.36.0.5", 8080, "/healthz", UA, 200);
        t.http(T0 + S, "10.36.0.0", "10.36.0.5", 9000, "/metrics", "Prometheus/2.4", 200);
        Run run = new Run(ProbeDetector.builder(), t);
        FlowRecord scrape = run.flows.stream().filter(f -> f.serverPort() == 9000).findFirst().orElseThrow();
        assertEquals(SourceRole.NODE, ProbeFlags.role(scrape.flags()));
        assertFalse(ProbeFlags.isProbe(scrape.flags()));
    }

    @Test
    void failuresByReasonWithAlertAndRecovery() {
        ProbeTraffic t = new ProbeTraffic();
        String k = "10.244.1.1";
        String pod = "10.244.1.5";
        long at = T0;
        for (int i = 0; i < 3; i++, at += 2 * S) {
            t.http(at, k, pod, 8080, "/healthz", UA, 200);
        }
        for (int i = 0; i < 3; i++, at += 2 * S) {
            t.http(at, k, pod, 8080, "/healthz", UA, 500);
        }
        t.http(at, k, pod, 8080, "/healthz", UA, 200);
        at += 2 * S;
        t.refused(at, k, pod, 8080);
        at += 2 * S;
        t.unanswered(at, k, pod, 8080);
        at += 2 * S;
        t.noAnswer(at, k, pod, 8080, "/healthz", UA, 1500 * MS);
        at += 2 * S;
        t.http(at, k, pod, 8080, "/healthz", UA, 200);
        Run run = new Run(ProbeDetector.builder(), t);

        ProbeStream s = run.only(k);
        assertEquals(11, s.count(), s::toString);
        assertEquals(5, s.successes());
        assertEquals(Map.of(ProbeFailure.HTTP_STATUS, 3L, ProbeFailure.REFUSED, 1L, ProbeFailure.TIMEOUT, 2L),
                s.failures());
        assertEquals(2.0, s.periodSeconds(), 0.01);
        assertEquals(0, s.consecutiveFailures(), run.alerts::toString);
        // failing at the third 500, recovered at the next 200; then failing again after refused, unanswered, no answer
        assertEquals(4, run.alerts.size(), run.alerts::toString);
        ProbeAlert first = run.alerts.get(0);
        assertTrue(first.failing());
        assertEquals(3, first.consecutiveFailures());
        assertEquals(ProbeFailure.HTTP_STATUS, first.reason());
        assertEquals(T0 + 10 * S, first.timestampNanos());
        assertEquals("probe GET /healthz on 10.244.1.5:8080 from 10.244.1.1 failing 3 in a row (http_status)",
                first.message());
        assertFalse(run.alerts.get(1).failing());
        assertEquals("probe GET /healthz on 10.244.1.5:8080 from 10.244.1.1 failing 3 in a row (timeout)",
                run.alerts.get(2).message());
        assertFalse(run.alerts.get(3).failing());
        assertEquals(1, run.detector.stats().streams());
    }

    @Test
    void serverClosesOrResetsWithoutAnAnswer() {
        ProbeTraffic t = new ProbeTraffic();
        long at = T0;
        for (int i = 0; i < 2; i++, at += S) {
            io.podcap.flow.Frames.Tcp c = new io.podcap.flow.Frames.Tcp("10.244.1.1", 50000 + i, "10.244.1.5", 8080);
            t.add(at, c.syn());
            t.add(at + MS, c.synAck());
            t.add(at + 2 * MS, c.ack());
            t.add(at + 3 * MS, c.data(true, ProbeTraffic.ascii(ProbeTraffic.request("/h", "x", UA))));
            t.add(at + 4 * MS, i == 0 ? c.fin(false) : c.rst(false));
        }
        Run run = new Run(ProbeDetector.builder(), t);
        assertEquals(Map.of(ProbeFailure.NO_RESPONSE, 1L, ProbeFailure.RESET, 1L), run.only("10.244.1.1").failures());
    }

    @Test
    void grpcHealthChecks() {
        ProbeTraffic t = new ProbeTraffic();
        for (int i = 0; i < 6; i++) {
            t.grpc(T0 + i * 4 * S, "10.244.1.1", "10.244.1.5", 50051, "kube-probe/1.29 grpc-go/1.58.3",
                    i < 4 ? 1 : 2);
        }
        // a gRPC client that is not the kubelet
        t.grpc(T0 + 500 * MS, "10.244.1.9", "10.244.1.5", 50051, "grpc-java-netty/1.60", 1);
        Run run = new Run(ProbeDetector.builder(), t);
        assertEquals(1, run.detector.streams().size(), () -> run.detector.streams().toString());
        ProbeStream s = run.only("10.244.1.1");
        assertEquals(ProbeKind.GRPC, s.kind());
        assertEquals("/grpc.health.v1.Health/Check", s.path());
        assertEquals("kube-probe/1.29 grpc-go/1.58.3", s.userAgent());
        assertEquals("1.29", s.kubeletVersion());
        assertEquals(4.0, s.periodSeconds(), 0.01);
        assertEquals(4, s.successes());
        assertEquals(Map.of(ProbeFailure.GRPC_STATUS, 2L), s.failures());
        assertEquals(2, s.consecutiveFailures());
    }

    @Test
    void tcpAndTlsProbesFromTheNodeOnceTheyTickSteadily() {
        ProbeTraffic t = new ProbeTraffic();
        for (int i = 0; i < 5; i++) {
            t.tcp(T0 + i * 3 * S, "192.168.1.10", "10.244.2.7", 5432);
            t.tls(T0 + S + i * 6 * S, "192.168.1.10", "10.244.2.7", 8443);
            t.tcp(T0 + 2 * S + i * 3 * S, "10.244.2.9", "10.244.2.7", 5432); // a pod connecting: no probe
        }
        t.tcp(T0 + 100 * S, "192.168.1.10", "10.244.2.7", 6379); // once: not (yet) a probe
        AddressRoles roles = AddressRoles.builder().nodeAddress("192.168.1.10").clusterCidr("10.244.0.0/16").build();
        Run run = new Run(ProbeDetector.builder().roles(roles), t);
        List<ProbeStream> streams = run.detector.streams();
        assertEquals(2, streams.size(), streams::toString);
        ProbeStream tcp = streams.stream().filter(s -> s.kind() == ProbeKind.TCP).findFirst().orElseThrow();
        assertEquals("10.244.2.7:5432", tcp.target());
        assertEquals(SourceRole.NODE, tcp.sourceRole());
        assertEquals("", tcp.path());
        assertNull(tcp.userAgent());
        assertEquals(3.0, tcp.periodSeconds(), 0.01);
        assertEquals(5, tcp.successes());
        assertEquals(-1, tcp.firstByteMedianNanos());
        ProbeStream tls = streams.stream().filter(s -> s.kind() == ProbeKind.HTTPS).findFirst().orElseThrow();
        assertEquals("10.244.2.7:8443", tls.target());
        assertEquals(6.0, tls.periodSeconds(), 0.01);
        assertEquals(5, tls.successes());
        // flows after the confirmation are marked
        long marked = run.flows.stream().filter(f -> ProbeFlags.isProbe(f.flags())).count();
        assertTrue(marked >= 4, "marked " + marked);
        run.flows.stream().filter(f -> f.clientAddress().equals("10.244.2.9"))
                .forEach(f -> assertEquals(SourceRole.POD_REMOTE, ProbeFlags.role(f.flags())));
    }

    @Test
    void tcpProbeClosedWithRstWhenTheServerSentABanner() {
        ProbeTraffic t = new ProbeTraffic();
        for (int i = 0; i < 4; i++) {
            io.podcap.flow.Frames.Tcp c = new io.podcap.flow.Frames.Tcp("192.168.1.10", 50000 + i, "10.244.2.7", 22);
            long at = T0 + i * 10 * S;
            t.add(at, c.syn());
            t.add(at + MS, c.synAck());
            t.add(at + 2 * MS, c.ack());
            t.add(at + 3 * MS, c.data(false, ProbeTraffic.ascii("SSH-2.0-OpenSSH_9.2\r\n")));
            t.add(at + 4 * MS, c.rst(true));
        }
        Run run = new Run(ProbeDetector.builder().roles(AddressRoles.builder().nodeAddress("192.168.1.10").build()), t);
        ProbeStream s = run.only("192.168.1.10");
        assertEquals(ProbeKind.TCP, s.kind());
        assertEquals(4, s.successes());
        assertEquals(10.0, s.periodSeconds(), 0.01);
    }

    @Test
    void livenessAndReadinessOnOnePathAreTwoSeries() {
        ProbeTraffic t = new ProbeTraffic();
        Random r = new Random(7);
        for (int i = 0; i < 12; i++) {
            t.http(T0 + i * 10 * S + jitter(r, 20 * MS), "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
        }
        for (int i = 0; i < 30; i++) {
            t.http(T0 + 1300 * MS + i * 4 * S + jitter(r, 20 * MS), "10.244.1.1", "10.244.1.5", 8080, "/healthz",
                    UA, 200);
        }
        Run run = new Run(ProbeDetector.builder(), t);
        List<ProbeStream> streams = run.detector.streams();
        assertEquals(2, streams.size(), streams::toString);
        List<Double> periods = streams.stream().map(ProbeStream::periodSeconds).sorted().toList();
        assertEquals(4.0, periods.get(0), 0.1);
        assertEquals(10.0, periods.get(1), 0.1);
        assertEquals(42, streams.stream().mapToLong(ProbeStream::count).sum());
        assertEquals(List.of(1, 2), streams.stream().map(ProbeStream::series).sorted().toList());
    }

    @Test
    void periodIsRobustToJitterAndMissedTicks() {
        ProbeTraffic t = new ProbeTraffic();
        Random r = new Random(3);
        for (int i = 0; i < 40; i++) {
            if (i == 7 || i == 20 || i == 21 || i == 33) {
                continue; // the capture missed these ticks
            }
            t.http(T0 + i * 10 * S + jitter(r, 400 * MS), "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
        }
        Run run = new Run(ProbeDetector.builder(), t);
        ProbeStream s = run.only("10.244.1.1");
        assertEquals(10.0, s.periodSeconds(), 0.3);
        assertEquals(3, s.missed(), "gaps 7, 20-21 and 33");
        assertEquals(36, s.count());
        assertEquals(1, s.series());
    }

    @Test
    void aLateProbeDoesNotShrinkThePeriod() {
        ProbeTraffic t = new ProbeTraffic();
        // the first answer took 6 s and the prober waits 10 s after each answer: gaps of 16 and 10 s; 16 s is no
        // whole number of 10 s periods, and halved it made the period 8 s
        for (long at : new long[] {0, 16, 26}) {
            t.http(T0 + at * S, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
        }
        ProbeStream s = new Run(ProbeDetector.builder(), t).only("10.244.1.1");
        assertEquals(3, s.count());
        assertEquals(10.0, s.periodSeconds(), 0.01);
    }

    @Test
    void splitAndReorderedRequestsAreStillRecognized() {
        ProbeTraffic t = new ProbeTraffic();
        String req = ProbeTraffic.request("/healthz", "10.244.1.5:8080", UA);
        t.httpSplit(T0, "10.244.1.1", "10.244.1.5", 8080, req, new int[] {5, 40}, new int[] {0, 1, 2});
        t.httpSplit(T0 + S, "10.244.1.1", "10.244.1.5", 8080, req, new int[] {5, 40}, new int[] {2, 0, 1});
        t.httpSplit(T0 + 2 * S, "10.244.1.1", "10.244.1.5", 8080, req, new int[] {1, 2, 60}, new int[] {3, 1, 2, 0,
                1});
        Run run = new Run(ProbeDetector.builder(), t);
        ProbeStream s = run.only("10.244.1.1");
        assertEquals(3, s.successes(), s::toString);
        assertEquals("/healthz", s.path());
    }

    @Test
    void malformedRequestsAreSkippedAndCounted() {
        ProbeTraffic t = new ProbeTraffic();
        String[] bad = {
            "GET /healthz HTTP/1.1\r\nUser-Agent kube-probe/1.29\r\n\r\n", // no colon: no User-Agent
            "GET  HTTP/1.1\r\nUser-Agent: kube-probe/1.29\r\n\r\n", // no path
            "GET /\u0001x HTTP/1.1\r\nUser-Agent: kube-probe/1.29\r\n\r\n",
            "GET /healthz SPDY/3\r\nUser-Agent: kube-probe/1.29\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nUser-Agent: kube-probe/x.29\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nUser-Agent: kube-probe/1.29-rc\r\n\r\n",
            "\u0000\u00ff\u0016\u0003garbage",
        };
        long at = T0;
        for (String b : bad) {
            t.httpSplit(at, "10.244.1.1", "10.244.1.5", 8080, b, new int[0], new int[] {0});
            at += S;
        }
        // a request head longer than the inspected prefix, then a good one
        t.http(at, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA + " " + "x".repeat(3000), 200);
        t.http(at + S, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
        Run run = new Run(ProbeDetector.builder(), t);
        List<ProbeStream> streams = run.detector.streams();
        assertEquals(1, streams.size(), streams::toString);
        assertEquals(2, streams.get(0).count(), "the good request, and the one whose head did not fit");
        assertTrue(run.detector.stats().unparsed() >= 3, run.detector.stats()::toString);
    }

    @Test
    void captureStartingMidStream() {
        ProbeTraffic whole = new ProbeTraffic();
        whole.http(T0, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
        whole.http(T0 + S, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, 200);
        ProbeTraffic cut = new ProbeTraffic();
        List<ProbeTraffic.Frame> frames = whole.sorted();
        // the first connection from its request on (no handshake), the second from its response on
        for (int i = 0; i < frames.size(); i++) {
            int inConnection = i % (frames.size() / 2);
            boolean first = i < frames.size() / 2;
            if (first ? inConnection >= 3 : inConnection >= 4) {
                cut.add(frames.get(i).ts(), frames.get(i).bytes());
            }
        }
        Run run = new Run(ProbeDetector.builder(), cut);
        ProbeStream s = run.only("10.244.1.1");
        assertEquals(1, s.count(), s::toString);
        assertEquals(1, s.successes());
        assertEquals(-1, s.connectMedianNanos(), "no handshake seen");
    }

    @Test
    void aConnectionSeenOnTwoInterfacesCountsOnce() {
        ProbeTraffic t = new ProbeTraffic();
        for (int i = 0; i < 5; i++) {
            t.http(T0 + i * 2 * S, "10.244.1.1", "10.244.1.5", 8080, "/healthz", UA, i < 3 ? 200 : 500);
        }
        t.refused(T0 + 10 * S, "10.244.1.1", "10.244.1.5", 8080);
        FlowTable table = FlowTable.builder().build();
        ProbeDetector detector = ProbeDetector.builder().build(table);
        for (ProbeTraffic.Frame f : t.sorted()) {
            for (int ifindex : new int[] {2, 3}) { // cni0 and the pod's veth, as capturing in the node sees them
                io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(f.bytes());
                table.onPacket(new io.podcap.capture.PacketView().wrap(b, 0, b.capacity(), b.capacity(),
                        f.ts() + ifindex * 1_000, ifindex, io.podcap.capture.LinkType.ETHERNET,
                        io.podcap.flow.Frames.SOURCE));
            }
        }
        table.endAll();
        assertEquals(12, table.stats().flows());
        ProbeStream s = detector.streams().get(0);
        assertEquals(6, s.count(), s::toString);
        assertEquals(Map.of(ProbeFailure.HTTP_STATUS, 2L, ProbeFailure.REFUSED, 1L), s.failures());
        assertEquals(2.0, s.periodSeconds(), 0.01);
    }

    @Test
    void streamsAreBoundedAndEvictionsCounted() {
        ProbeTraffic t = new ProbeTraffic();
        for (int i = 0; i < 5; i++) {
            t.http(T0 + i * S, "10.244.1.1", "10.244.1.5", 8080, "/p" + i, UA, 200);
        }
        Run run = new Run(ProbeDetector.builder().maxStreams(2), t);
        assertEquals(2, run.detector.stats().streams());
        assertEquals(3, run.detector.stats().evicted());
        assertEquals(List.of("/p3", "/p4"), run.detector.streams().stream().map(ProbeStream::path).toList());
    }
}
