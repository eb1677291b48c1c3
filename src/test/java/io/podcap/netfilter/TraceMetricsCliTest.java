package io.podcap.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.metrics.Exposition;
import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.Tools;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code podcap trace --metrics-port}: a real GET while it traces the ClusterIP scenario shows its finding live. */
class TraceMetricsCliTest {
    private static final Pattern METRICS_AT = Pattern.compile("metrics at (http://\\S+/metrics)");
    private static final Pattern FINAL = Pattern.compile("(\\d+) findings; dropped: (\\d+) packets, (\\d+) records");
    private static final String SERVICE_IP = "podcap_trace_findings{finding=\"source-is-service-ip\"}";

    @Test
    void findingsAndDropsAreServedWhileTracing() throws Exception {
        Root.assume();
        Tools.require("xtables-monitor");
        try (KubeNode k = KubeNode.create("tmet")) {
            k.node("iptables", "-t", "raw", "-A", "OUTPUT", "-d", k.vip, "-p", "tcp", "-j", "TRACE").ok();
            Process p = Cli.start("trace", "--netns", k.nodeSpec(), "--filter", "tcp port 80 or tcp port 8080",
                    "--xtables-monitor", "--duration", "12", "--metrics-port", "0");
            try {
                CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
                BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                        StandardCharsets.UTF_8));
                StringBuilder stderr = new StringBuilder();
                URI metrics = null;
                for (String line; metrics == null && (line = err.readLine()) != null; ) {
                    stderr.append(line).append('\n');
                    if (line.startsWith("tracing in")) {
                        k.connectToService();
                    }
                    Matcher m = METRICS_AT.matcher(line);
                    metrics = m.find() ? URI.create(m.group(1)) : null;
                }
                assertTrue(metrics != null, stderr::toString);
                CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
                Map<String, Double> scraped = Map.of();
                for (int i = 0; i < 40 && scraped.getOrDefault(SERVICE_IP, 0.0) < 1; i++) {
                    Thread.sleep(250);
                    scraped = Exposition.parse(HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
                assertEquals(1, scraped.get(SERVICE_IP), scraped::toString);
                assertTrue(scraped.get("podcap_trace_packets_total") >= 1, scraped::toString);
                assertTrue(scraped.keySet().stream().anyMatch(n -> n.startsWith("podcap_capture_packets_total{")));

                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "podcap trace did not end");
                assertEquals(0, p.exitValue());
                stderr.append(rest.get());
                String stdout = out.get();
                assertTrue(stdout.contains("FINDING source-is-service-ip"), stdout);
                Matcher m = FINAL.matcher(stderr);
                assertTrue(m.find(), stderr::toString);
                assertEquals(Double.parseDouble(m.group(2)), scraped.get("podcap_trace_packets_dropped_total"));
                assertEquals(Double.parseDouble(m.group(3)), scraped.get("podcap_trace_events_dropped_total"));
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
