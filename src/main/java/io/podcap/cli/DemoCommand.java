package io.podcap.cli;

import io.podcap.capture.Capture;
import io.podcap.capture.PacketHandler;
import io.podcap.flow.FlowTable;
import io.podcap.pcap.PcapngSink;
import io.podcap.pcap.PcapngWriter;
import io.podcap.probe.AddressRoles;
import io.podcap.probe.ProbeDetector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podcap demo}: builds a pod-like namespace behind a bridge, runs an HTTP server in it, probes it from the node
 * side the way the kubelet does (and knocks on a closed port), captures all of it inside the namespace, and removes
 * everything it made.
 */
@Command(name = "demo", description = "Capture kubelet-like probes of a throwaway pod namespace (needs root).")
final class DemoCommand implements Callable<Integer> {
    private static final int PORT = 8080;
    private static final int CLOSED_PORT = 8081;
    /** Between probes: long enough that the server's slow first answer (about 0.1 s) does not delay the next. */
    private static final long PERIOD_NANOS = 500_000_000L;

    @Option(names = "--probes", defaultValue = "3", description = "Health probes to send.")
    int probes;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE", description = "Also write the capture as pcapng.")
    Path output;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        out.println("== making a pod: namespace, veth eth0, bridge with the gateway address (like cni0)");
        try (DemoPod pod = DemoPod.create()) {
            out.printf("   netns:%s  pod %s on eth0, node side %s on %s (veth %s)%n", pod.namespace, pod.podIp,
                    pod.gateway, pod.bridge, pod.hostVeth);
            Process server = startServer(pod);
            try {
                capture(pod);
            } finally {
                server.destroy();
                server.waitFor();
            }
            out.println("== removing the pod");
        }
        return 0;
    }

    private Process startServer(DemoPod pod) throws IOException {
        List<String> command = new ArrayList<>(pod.insideCommand(
                ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
                "-cp", System.getProperty("java.class.path"), DemoServer.class.getName(), pod.podIp,
                Integer.toString(PORT)));
        Process server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        if (!"ready".equals(first)) {
            server.destroyForcibly();
            throw new IllegalStateException("the demo HTTP server did not start in " + pod.namespace);
        }
        out.printf("== HTTP server listening on %s:%d inside the pod%n", pod.podIp, PORT);
        return server;
    }

    private void capture(DemoPod pod) throws Exception {
        FlowTable flows = FlowTable.builder().build();
        ProbeDetector probes = ProbeDetector.builder().roles(AddressRoles.builder().nodeAddress(pod.gateway)
                .localPod(pod.podIp, "netns:" + pod.namespace).build()).build(flows);
        PacketPrinter packets = new PacketPrinter(out);
        PacketHandler printer = new PacketHandler() {
            @Override
            public void onPacket(io.podcap.capture.PacketView p) {
                packets.onPacket(p);
                flows.onPacket(p);
            }

            @Override
            public void onBatchEnd() {
                packets.onBatchEnd();
            }
        };
        PcapngWriter writer = output == null ? null : PcapngWriter.builder().path(output).open();
        PcapngSink sink = writer == null ? null : new PcapngSink(writer, 262_144, "tcp");
        PacketHandler handler = sink == null ? printer : new PacketHandler() {
            @Override
            public void onPacket(io.podcap.capture.PacketView p) {
                printer.onPacket(p);
                sink.onPacket(p);
            }

            @Override
            public void onBatchEnd() {
                printer.onBatchEnd();
            }
        };
        out.printf("== capturing on eth0 in netns:%s, filter 'tcp'%n", pod.namespace);
        Capture capture = Capture.builder().namespace("netns:" + pod.namespace).device("eth0").filter("tcp")
                .immediate(true).handler(handler).open();
        try (capture) {
            probe(pod);
            Thread.sleep(300); // the last FIN/ACKs
        }
        out.println("== " + Status.describe(capture.stats(), capture.stats().consumed()));
        if (writer != null) {
            sink.writeStatistics(capture.source(), capture.stats(), System.currentTimeMillis() * 1_000_000L);
            writer.close();
            out.println("== written to " + output + " (tcpdump -r / wireshark)");
        }
        if (capture.failure() != null) {
            throw new IllegalStateException(Main.message(capture.failure()), capture.failure());
        }
        flows.endAll();
        out.println("== where do these probes come from? what `podcap probes --netns netns:" + pod.namespace
                + "` says:");
        new ProbePrinter(out, false).streams(probes.streams());
    }

    /**
     * Probes as the kubelet does: a new connection each time, from the node side, Connection: close, on a ticker (a
     * slow answer does not move the next probe, so the gaps are the period).
     */
    private void probe(DemoPod pod) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < probes; i++) {
            sleepUntil(start + i * PERIOD_NANOS);
            String status = httpGet(pod.podIp, "/healthz");
            synchronized (out) {
                out.printf("-- probe %d: GET /healthz -> %s%n", i + 1, status);
            }
        }
        sleepUntil(start + probes * PERIOD_NANOS);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(pod.podIp, CLOSED_PORT), 2000);
        } catch (ConnectException refused) {
            synchronized (out) {
                out.printf("-- connect to :%d refused: the pod answered the SYN with RST%n", CLOSED_PORT);
            }
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanoTime - System.nanoTime()); // no wait when it is past
    }

    /** One kubelet-style HTTP/1.1 GET; returns the status line. */
    private static String httpGet(String host, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, PORT), 2000);
            socket.setSoTimeout(2000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + PORT
                    + "\r\nUser-Agent: kube-probe/1.29\r\nAccept: */*\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = response.indexOf('\r');
            return end < 0 ? response : response.substring(0, end);
        }
    }
}
