package io.podcap.cli;

import io.podcap.capture.CaptureGroup;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.pcap.PcapReader;
import io.podcap.pcap.PcapngSink;
import io.podcap.pcap.PcapngWriter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podcap capture}: live from a namespace, or from a file, into pcapng or as one line per packet. */
@Command(name = "capture", description = "Capture packets inside network namespaces (or read a file).")
final class CaptureCommand implements Callable<Integer> {
    @Mixin
    TargetOptions targets;

    @Option(names = {"-i", "--iface"}, defaultValue = "any", description = "Interface in the namespace (default any).")
    String iface;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "Capture filter, tcpdump syntax.")
    String filter = "";

    @Option(names = {"-s", "--snaplen"}, defaultValue = "262144", description = "Bytes kept per packet.")
    int snaplen;

    @Option(names = {"-c", "--count"}, description = "Stop after N packets.")
    long count;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds.")
    double duration;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE", description = "Write pcapng (mode 0600); - for stdout.")
    String output;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE", description = "Read a pcap or pcapng file instead.")
    Path input;

    @Option(names = "--buffer-size", paramLabel = "BYTES", defaultValue = "8388608",
            description = "Kernel capture buffer.")
    int bufferSize;

    @Option(names = "--ring-size", paramLabel = "BYTES", defaultValue = "33554432",
            description = "Shared ring between the native thread and Java (power of two).")
    int ringSize;

    @Option(names = "--immediate", description = "Deliver each packet at once (more CPU per packet).")
    boolean immediate;

    @Option(names = {"-q", "--quiet"}, description = "No per-packet lines.")
    boolean quiet;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (count < 0 || duration < 0) {
            throw new IllegalArgumentException("--count and --duration must not be negative");
        }
        boolean toStdout = "-".equals(output);
        PcapngWriter writer = output == null ? null : PcapngWriter.builder().path(Path.of(output)).open();
        try {
            PacketHandler handler;
            PcapngSink sink = null;
            if (writer != null) {
                sink = new PcapngSink(writer, snaplen, filter);
                handler = sink;
            } else {
                handler = quiet ? p -> { } : new PacketPrinter(System.out);
            }
            if (input != null) {
                read(handler, sink);
            } else {
                live(handler, sink, toStdout);
            }
        } catch (RuntimeException | Error e) {
            if (writer != null) {
                writer.close();
                if (!toStdout && writer.packetsWritten() == 0) {
                    Files.deleteIfExists(Path.of(output));
                }
            }
            throw e;
        }
        if (writer != null) {
            writer.close();
            if (!toStdout) {
                err.println("written to " + output);
            }
        }
        return 0;
    }

    private void read(PacketHandler handler, PcapngSink sink) throws Exception {
        try (PcapReader reader = PcapReader.open(input)) {
            Limit limit = new Limit(filter.isEmpty() ? handler : new OfflineFilter(filter, snaplen, handler), count);
            while (!limit.reached() && reader.read(limit, 256) >= 0) {
                // batches until the end or the count
            }
            err.printf("%,d packets read from %s (%s)%n", limit.seen, input, reader.format());
        }
    }

    private void live(PacketHandler handler, PcapngSink sink, boolean pcapToStdout) throws Exception {
        Limit limit = new Limit(handler, count);
        TargetOptions.Targets live = targets.open(CaptureGroup.builder().device(iface).filter(filter)
                .snaplen(snaplen).bufferSize(bufferSize).ringSize(ringSize).immediate(immediate).handler(limit));
        CaptureGroup group = live.group();
        limit.stop = group::stop;
        Thread hook = new Thread(group::stop, "podcap-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        for (CaptureGroup.Member m : group.members()) {
            err.printf("capturing on %s in %s%s, link type %s%n", iface, m.description(),
                    filter.isEmpty() ? "" : " (filter '" + filter + "')", LinkType.name(m.linkType()));
        }
        Status status = Status.stderrIsTerminal() && (pcapToStdout || quiet || output != null)
                ? new Status(err) : null;
        long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
        try (group) {
            while (!group.awaitTermination(Duration.ofMillis(Math.min(1000, remainingMillis(deadline))))) {
                if (System.nanoTime() >= deadline) {
                    group.stop();
                } else {
                    live.refresh();
                }
                if (status != null) {
                    status.refresh(group.stats());
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it only stops the capture, which is what happens here anyway
            }
        }
        if (status != null) {
            status.clear();
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        List<String> failures = new ArrayList<>();
        for (CaptureGroup.Member m : group.members()) {
            if (sink != null) {
                sink.writeStatistics(m.source(), m.stats(), now);
            }
            if (m.failure() != null) {
                failures.add(m.failure());
                err.println("capture in " + m.description() + " ended: " + m.failure());
            }
        }
        err.println(Status.describe(group.stats(), limit.seen));
        if (group.failure() != null) {
            throw new IllegalStateException(Main.message(group.failure()), group.failure());
        }
        if (!failures.isEmpty() && failures.size() == group.members().size()) {
            throw new IllegalStateException(failures.get(0));
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    }

    /** Passes packets on until the count is reached, then stops the capture. */
    private static final class Limit implements PacketHandler {
        private final PacketHandler next;
        private final long max;
        Runnable stop;
        long seen;

        Limit(PacketHandler next, long max) {
            this.next = next;
            this.max = max;
        }

        boolean reached() {
            return max > 0 && seen >= max;
        }

        @Override
        public void onPacket(PacketView p) {
            if (reached()) {
                return;
            }
            seen++;
            next.onPacket(p);
            if (reached() && stop != null) {
                stop.run();
            }
        }

        @Override
        public void onBatchEnd() {
            next.onBatchEnd();
        }
    }
}
