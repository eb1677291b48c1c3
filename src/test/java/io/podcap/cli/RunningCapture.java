package io.podcap.cli;

import io.podcap.metrics.Exposition;
import io.podcap.testing.Cli;
import io.podcap.testing.TestNetns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code podcap capture --metrics-port 0} process (or {@code flows}, {@code probes}) running in the background
 * against a test namespace: sends it datagrams, scrapes its metrics (which is how a test knows what it has captured),
 * signals it. close() kills it.
 */
final class RunningCapture implements AutoCloseable {
    static final int PORT = 9788;
    private static final Pattern METRICS_AT = Pattern.compile("metrics at (http://\\S+/metrics)");

    private final Process process;
    private final Path stderr;
    private final TestNetns ns;
    private final URI metrics;

    private RunningCapture(Process process, Path stderr, TestNetns ns, URI metrics) {
        this.process = process;
        this.stderr = stderr;
        this.ns = ns;
        this.metrics = metrics;
    }

    /** Starts {@code podcap capture --netns NS -i eth0 --filter 'udp dst port PORT' --metrics-port 0 ARGS}. */
    static RunningCapture start(TestNetns ns, Path dir, String... args) throws Exception {
        return start("capture", ns, dir, args);
    }

    /** Starts {@code podcap COMMAND --netns NS -i eth0 --filter 'udp dst port PORT' --metrics-port 0 ARGS}. */
    static RunningCapture start(String command, TestNetns ns, Path dir, String... args) throws Exception {
        Path out = dir.resolve("cli.out");
        Path err = dir.resolve("cli.err");
        String[] all = new String[args.length + 9];
        System.arraycopy(new String[] {command, "--netns", ns.spec(), "-i", "eth0", "--filter",
                "udp dst port " + PORT, "--metrics-port", "0"}, 0, all, 0, 9);
        System.arraycopy(args, 0, all, 9, args.length);
        Process p = Cli.start(out, err, all);
        try {
            for (int i = 0; i < 300; i++) {
                Matcher m = METRICS_AT.matcher(Files.readString(err));
                if (m.find()) {
                    return new RunningCapture(p, err, ns, URI.create(m.group(1)));
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("capture did not start: " + Files.readString(err));
        } catch (Exception | AssertionError e) {
            p.destroyForcibly().waitFor();
            throw e;
        }
    }

    /** Sends {@code n} datagrams of {@code size} bytes to the namespace (from one socket: one flow). */
    void send(int n, int size) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress to = InetAddress.getByName(ns.address());
            byte[] data = new byte[size];
            for (int i = 0; i < n; i++) {
                data[0] = (byte) i;
                socket.send(new DatagramPacket(data, data.length, to, PORT));
            }
        }
    }

    /** The metrics now, keyed {@code name{labels}}. */
    Map<String, Double> scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain")) {
            throw new AssertionError("GET " + metrics + ": " + r.statusCode() + " " + r.headers());
        }
        return Exposition.parse(r.body());
    }

    /** The one series of a metric name (this capture has one of each). */
    static double value(Map<String, Double> scraped, String name) {
        return scraped.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{")).map(Map.Entry::getValue)
                .reduce((a, b) -> {
                    throw new AssertionError("more than one " + name);
                }).orElseThrow(() -> new AssertionError("no " + name + " in " + scraped));
    }

    /**
     * Scrapes until the capture has delivered {@code n} packets and the kernel's count (published every 100 ms) has
     * caught up with them (at most 10 s).
     */
    Map<String, Double> awaitPackets(long n) throws Exception {
        return await("podcap_capture_packets_total", n);
    }

    /** As {@link #awaitPackets}, also waiting until {@code counter} (e.g. the flow table's packets) reaches n. */
    Map<String, Double> await(String counter, long n) throws Exception {
        Map<String, Double> last = Map.of();
        for (int i = 0; i < 100; i++) {
            last = scrape();
            if (value(last, "podcap_capture_packets_total") >= n && value(last, counter) >= n
                    && value(last, "podcap_capture_received_packets_total") >= n) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + n + " packets, metrics say " + last);
    }

    void signal(String name) throws Exception {
        TestNetns.run("kill", "-" + name, Long.toString(process.pid())).ok();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Waits for the process to end (at most 30 s) and returns its exit status. */
    int awaitExit() throws Exception {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("podcap did not exit: " + stderr());
        }
        return process.exitValue();
    }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}
