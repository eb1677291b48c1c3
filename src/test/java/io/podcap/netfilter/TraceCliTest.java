package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.podcap.testing.Cli;
import io.podcap.ns.NamespaceSpec;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podcap trace} as a user runs it, on the ClusterIP scenario of {@link KubeNode}. */
class TraceCliTest {
    @TempDir
    Path dir;

    /** Runs the CLI (with a --duration) and connects from the node to the service once it says it is tracing. */
    private static Cli.Result traceWhileConnecting(KubeNode k, String... args) throws Exception {
        Process p = Cli.start(args);
        try {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            StringBuilder err = new StringBuilder();
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                err.append(line).append('\n');
                if (line.startsWith("tracing in")) {
                    k.lastConnect = k.connectToService();
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "podcap trace did not end");
            return new Cli.Result(p.exitValue(), out.get(), err.toString());
        } finally {
            p.destroyForcibly();
        }
    }

    /** The first line of the process's stdout that contains {@code text}; the rest is read and dropped after. */
    private static String firstLine(Process p, String text) {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.contains(text)) {
                    CompletableFuture.runAsync(() -> out.lines().count()); // keeps the pipe from filling up
                    return line;
                }
            }
            return "";
        } catch (java.io.IOException e) {
            throw new CompletionException(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new CompletionException(e);
        }
    }

    @Test
    void liveTraceNamesTheMissingMasqueradeAndJsonCarriesIt() throws Exception {
        Root.assume();
        Tools.require("xtables-monitor");
        Tools.require("conntrack");
        try (KubeNode k = KubeNode.create("cli")) {
            k.node("iptables", "-t", "raw", "-A", "OUTPUT", "-d", k.vip, "-p", "tcp", "-j", "TRACE").ok();
            Cli.Result r = traceWhileConnecting(k, "trace", "--netns", k.nodeSpec(), "--filter",
                    "tcp port 80 or tcp port 8080", "--xtables-monitor", "--conntrack", "--duration", "4");
            assertEquals(0, r.exitCode(), r::toString);
            assertNotEquals(0, k.lastConnect);
            String out = r.stdout();
            assertTrue(out.contains("out eth0 SYN " + k.vip + ":"), r::toString);
            assertTrue(out.contains("nat:OUTPUT rule") && out.contains("-j DNAT --to-destination " + k.backendIp),
                    r::toString);
            assertTrue(out.contains("(DNAT, conntrack)"), r::toString);
            assertTrue(out.contains("FINDING source-is-service-ip"), r::toString);
            assertTrue(out.contains("FINDING unanswered-syn"), r::toString);
            assertTrue(out.contains(k.vip + " is a service address (kube-ipvs0)"), r::toString);
            assertTrue(r.stderr().contains("xtables-monitor --trace: ") && r.stderr().contains(" 0 skipped"),
                    r::toString);

            k.node("iptables", "-t", "mangle", "-A", "POSTROUTING", "-p", "tcp", "--dport", "8080", "-j", "NFLOG",
                    "--nflog-group", "23", "--nflog-prefix", "cli-post").ok();
            Cli.Result json = traceWhileConnecting(k, "trace", "--netns", k.nodeSpec(), "--filter", "tcp port 8080",
                    "--xtables-monitor", "--nflog-group", "23", "--duration", "4", "--json");
            assertEquals(0, json.exitCode(), json::toString);
            List<Map<String, Object>> objects = new ArrayList<>();
            json.stdout().lines().forEach(l -> objects.add(parse(l)));
            assertTrue(objects.stream().anyMatch(o -> "finding".equals(o.get("type"))
                    && "source-is-service-ip".equals(o.get("name"))), json::toString);
            Map<String, Object> packet = objects.stream().filter(o -> "packet".equals(o.get("type"))).findFirst()
                    .orElseThrow();
            assertEquals(k.vip, packet.get("src"));
            assertEquals(k.backendIp, packet.get("dst"));
            assertTrue(String.valueOf(packet.get("hops")).contains("DNAT"), packet::toString);
            assertTrue(String.valueOf(packet.get("logs")).contains("nflog cli-post POSTROUTING"), packet::toString);
            assertEquals("stats", objects.get(objects.size() - 1).get("type"));

            k.addMasquerade();
            Cli.Result fixed = traceWhileConnecting(k, "trace", "--netns", k.nodeSpec(), "--filter",
                    "tcp port 80 or tcp port 8080", "--xtables-monitor", "--conntrack", "--duration", "4");
            assertEquals(0, k.lastConnect, "connects once masqueraded");
            assertFalse(fixed.stdout().contains("source-is-service-ip"), fixed::toString);
            assertTrue(fixed.stdout().contains("SYN-ACK"), fixed::toString);
        }
    }

    @Test
    void offlineFromSavedCaptureTraceAndConntrack() throws Exception {
        Root.assume();
        Tools.require("xtables-monitor");
        Tools.require("conntrack");
        Tools.require("tcpdump");
        try (KubeNode k = KubeNode.create("off")) {
            k.node("iptables", "-t", "raw", "-A", "OUTPUT", "-d", k.vip, "-p", "tcp", "-j", "TRACE").ok();
            Path pcap = dir.resolve("node.pcap");
            Path trace = dir.resolve("trace.txt");
            Path ct = dir.resolve("conntrack.txt");
            List<Process> tools = List.of(
                    save(k, trace, "xtables-monitor", "--trace"),
                    save(k, ct, "conntrack", "-E"),
                    save(k, dir.resolve("tcpdump.txt"), "tcpdump", "-i", "eth0", "-U", "-w", pcap.toString(),
                            "tcp port 8080"));
            try {
                Thread.sleep(1000);
                assertNotEquals(0, k.connectToService());
                Thread.sleep(500);
            } finally {
                for (Process p : tools) {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
            Files.writeString(trace, "garbage line\n", java.nio.file.StandardOpenOption.APPEND);
            Cli.Result r = Cli.run("trace", "--read", pcap.toString(), "--trace-file", trace.toString(),
                    "--conntrack-file", ct.toString());
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stdout().contains("SYN " + k.vip + ":"), r::toString);
            assertTrue(r.stdout().contains("FINDING source-is-service-ip"), r::toString);
            assertTrue(r.stdout().contains("is the connection's destination before DNAT"), r::toString);
            assertTrue(r.stderr().contains(trace + ": ") && r.stderr().contains(" events, 1 skipped"),
                    "the garbage line is counted: " + r);
            byte[] whole = Files.readAllBytes(pcap); // the SYN and its retransmission; cut inside the second
            Path cut = dir.resolve("cut.pcap");
            Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 10));
            Cli.Result c = Cli.run("trace", "--read", cut.toString(), "--trace-file", trace.toString(),
                    "--conntrack-file", ct.toString());
            assertEquals(2, c.exitCode(), c::toString);
            assertTrue(c.stdout().contains("FINDING source-is-service-ip"), "the first SYN still explained: " + c);
            assertTrue(c.stderr().strip().endsWith("(file ends inside a packet)"), c::toString);
            Cli.Result mixed = Cli.run("trace", "--read", pcap.toString(), "--xtables-monitor");
            assertEquals(2, mixed.exitCode(), mixed::toString);
            assertTrue(mixed.stderr().startsWith("podcap: --read takes saved sources"), mixed::toString);
            Cli.Result missing = Cli.run("trace", "--read", pcap.toString(), "--log-file", dir.resolve("nope").toString());
            assertEquals(2, missing.exitCode(), missing::toString);
        }
    }

    @Test
    void armAddsTraceRulesAndRemovesThemOnExitAndOnSigterm() throws Exception {
        Root.assume();
        Tools.require("nft");
        try (KubeNode k = KubeNode.create("arm")) {
            Cli.Result r = traceWhileConnecting(k, "trace", "--netns", k.nodeSpec(), "--filter",
                    "tcp port " + KubeNode.SERVICE_PORT, "--arm", "--nft-monitor", "--duration", "4");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("armed: iptables -t raw -I OUTPUT -p tcp --dport 80 -m comment --comment podcap-trace-"), r::toString);
            assertTrue(r.stderr().lines().filter(l -> l.startsWith("armed:")).allMatch(l -> l.endsWith("-j TRACE")), r::toString);
            assertTrue(r.stdout().contains("nat:OUTPUT rule") && r.stdout().contains("dnat to"), r::toString);
            assertFalse(rules(k).contains("podcap-trace"), "rules removed at exit");

            // without --duration: packets are printed while it runs, the report comes on SIGTERM
            Process p = Cli.start("trace", "--netns", k.nodeSpec(), "--filter", "tcp port 8080", "--arm",
                    "--arm-match", "-p tcp --dport 80", "--nflog-group", "9", "--xtables-monitor", "--window", "1");
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                CompletableFuture<String> firstSyn = CompletableFuture.supplyAsync(() -> firstLine(p, "SYN "));
                for (String line; (line = err.readLine()) != null && !line.startsWith("tracing in"); ) {
                    // armed: lines first
                }
                String armed = rules(k);
                assertTrue(armed.contains("-j TRACE") && armed.contains("--nflog-group 9"), armed);
                k.connectToService();
                String syn = firstSyn.get(20, TimeUnit.SECONDS);
                assertTrue(syn.contains(" out eth0 SYN " + k.vip + ":"), syn);
                assertTrue(p.isAlive(), "the packet was printed while tracing");
                Tools.run("kill", "-TERM", Long.toString(p.pid())).ok(); // not destroy(): it closes the streams
                StringBuilder rest = new StringBuilder();
                for (String line; (line = err.readLine()) != null; ) {
                    rest.append(line).append('\n');
                }
                assertTrue(p.waitFor(20, TimeUnit.SECONDS));
                assertTrue(rest.toString().contains("packets captured"), "the report is printed on SIGTERM: " + rest);
            } finally {
                p.destroyForcibly();
            }
            assertFalse(rules(k).contains("podcap-trace"), "rules removed on SIGTERM");
        }
    }

    @Test
    void aProbeFromTheNodeDroppedInThePodIsProbeBlockedWithoutBeingTold() throws Exception {
        Root.assume();
        Tools.require("xtables-monitor");
        try (TestNetns pod = TestNetns.create("probe")) {
            NamespaceSpec spec = NamespaceSpec.parse(pod.spec());
            assertEquals(List.of(pod.hostAddress()), PacketCorrelator.nodeSideAddresses(spec));
            pod.exec("iptables", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "TRACE").ok();
            pod.exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "8080", "-j", "DROP").ok();
            Process p = Cli.start("trace", "--netns", pod.spec(), "--filter", "tcp port 8080", "--xtables-monitor",
                    "--duration", "4");
            try {
                CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
                BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                        StandardCharsets.UTF_8));
                for (String line; (line = err.readLine()) != null && !line.startsWith("tracing in"); ) {
                    // until it traces
                }
                // from the host, as the kubelet probes: the host end of the pod's veth is the source
                assertNotEquals(0, Tools.run("nc", "-z", "-w", "2", pod.address(), "8080").exit());
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                String stdout = out.get();
                assertTrue(stdout.contains("FINDING dropped-by-rule"), stdout);
                assertTrue(stdout.contains("FINDING probe-blocked"), stdout);
                assertTrue(stdout.contains("TCP from the node's address " + pod.hostAddress()), stdout);
                assertTrue(stdout.contains("filter:INPUT rule") && stdout.contains("DROP   -4 -t filter -A INPUT"),
                        stdout);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void armRefusesAFilterItCannotTranslate() throws Exception {
        Root.assume();
        try (KubeNode k = KubeNode.create("arx")) {
            Cli.Result r = Cli.run("trace", "--netns", k.nodeSpec(), "--filter", "tcp port 80 or udp", "--arm",
                    "--duration", "1");
            assertEquals(2, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("--arm cannot turn the filter"), r::toString);
            assertFalse(rules(k).contains("podcap-trace"));
        }
    }

    private static String rules(KubeNode k) throws Exception {
        return k.node("iptables-save").ok().stdout();
    }

    private static Process save(KubeNode k, Path out, String... command) throws Exception {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", k.node));
        all.addAll(List.of(command));
        return new ProcessBuilder(all).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** A flat view of one JSON line: top-level fields, nested values as their text. */
    private static Map<String, Object> parse(String line) {
        Map<String, Object> out = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                    StringBuilder sb = new StringBuilder();
                    int depth = 1;
                    while (depth > 0) {
                        JsonToken n = p.nextToken();
                        depth += n == JsonToken.START_ARRAY || n == JsonToken.START_OBJECT ? 1
                                : n == JsonToken.END_ARRAY || n == JsonToken.END_OBJECT ? -1 : 0;
                        if (n.isScalarValue()) {
                            sb.append(p.getText()).append(' ');
                        }
                    }
                    out.put(name, sb.toString());
                } else {
                    out.put(name, t == JsonToken.VALUE_NULL ? null : p.getText());
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
        return out;
    }
}
