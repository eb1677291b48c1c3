package io.podcap.cli;

import io.podcap.capture.CaptureGroup;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.metrics.CaptureGroupMetrics;
import io.podcap.metrics.Metrics;
import io.podcap.metrics.MetricsServer;
import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    PacketOptions packets = new PacketOptions();

    @Mixin
    TargetOptions targets;

    @Option(names = {"-c", "--count"}, description = "Stop after N packets.")
    long count;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds.")
    double duration;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE", description = "Write pcapng (mode 0600); - for stdout.")
    String output;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE",
            description = "Read a pcap or pcapng file instead (- for standard input).")
    Path input;

    @Option(names = "--immediate", description = "Deliver each packet at once (more CPU per packet).")
    boolean immediate;

    @Option(names = {"-q", "--quiet"}, description = "No per-packet lines.")
    boolean quiet;

    @Mixin
    PcapOptions pcap;

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--json-stats", paramLabel = "S",
            description = "Print the counters as a JSON line on stdout every S seconds and at the end.")
    double jsonStats;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (count < 0 || duration < 0) {
            throw new IllegalArgumentException("--count and --duration must not be negative");
        }
        pcap.check(output);
        if (jsonStats < 0 || jsonStats > 0 && (output == null && !quiet || "-".equals(output) || input != null)) {
            throw new IllegalArgumentException("--json-stats needs a live capture whose packets do not go to stdout"
                    + " (-w FILE or -q)");
        }
        if (input != null) {
            FileReads.liveOnly(duration > 0, "--duration");
            packets.checkForRead();
        }
        boolean toStdout = "-".equals(output);
        PcapOutput out = output == null ? null : new PcapOutput(output, pcap, packets.snaplen, packets.filter);
        PcapFormatException damage = null;
        try {
            PacketHandler handler = out != null ? out : quiet ? p -> { } : new PacketPrinter(System.out);
            if (input != null) {
                damage = read(handler);
            } else {
                live(handler, out, toStdout);
            }
        } catch (Exception | Error e) {
            if (out != null) {
                out.close();
                Path written = out.writer().currentPath();
                // no empty capture left behind; but never remove /dev/null, a FIFO or what a link points to
                if (!toStdout && out.writer().packetsWritten() == 0
                        && Files.isRegularFile(written, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(written);
                }
            }
            throw e;
        }
        if (out != null) {
            out.close();
            if (!toStdout) {
                int files = out.writer().filesWritten();
                err.println("written to " + out.writer().currentPath() + (files > 1 ? " (" + files + " files)" : ""));
            }
        }
        FileReads.fail(damage); // after the packets before it are written out
        return 0;
    }

    /** The file's error if it broke off, after every packet before it was handled. */
    private PcapFormatException read(PacketHandler handler) throws Exception {
        try (PcapReader reader = FileReads.open(input, handler::onIdle)) { // -w's file flushed while stdin is quiet
            Limit limit = new Limit(Stdout.checked(packets.filtered(handler)), count);
            PcapFormatException damage = FileReads.untilDamaged(() -> {
                while (!limit.reached() && reader.read(limit, 256) >= 0) {
                    // batches until the end or the count
                }
            });
            err.printf("%,d packets read from %s (%s)%n", limit.seen, input, reader.format());
            return damage;
        }
    }

    private void live(PacketHandler handler, PcapOutput out, boolean pcapToStdout) throws Exception {
        Limit limit = new Limit(handler, count);
        boolean several = targets.several();
        TargetOptions.Targets live = targets.open(packets.configure(CaptureGroup.builder(), several)
                .immediate(immediate).handler(limit));
        CaptureGroup group = live.group();
        limit.stop = group::stop;
        if (out != null) {
            out.statisticsOf(group);
        }
        Metrics registry = new Metrics();
        CaptureGroupMetrics groupMetrics = new CaptureGroupMetrics(group, packets.iface(), registry);
        Thread hook = new Thread(group::stop, "podcap-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        for (CaptureGroup.Member m : group.members()) {
            err.printf("capturing on %s in %s%s, link type %s, kernel buffer %s%n", packets.iface(),
                    m.description(), packets.filter.isEmpty() ? "" : " (filter '" + packets.filter + "')",
                    LinkType.name(m.linkType()), Status.bytes(packets.bufferSize(several)));
        }
        Status status = Status.stderrIsTerminal() && (pcapToStdout || quiet || output != null)
                ? new Status(err) : null;
        StatsJson json = jsonStats > 0 ? new StatsJson(System.out, jsonStats, packets.iface(), out) : null;
        long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
        try (group; StopSignals signals = new StopSignals(err, group::stop);
             MetricsServer server = metrics.start(registry, err)) {
            while (!group.awaitTermination(Duration.ofMillis(Math.min(1000, remainingMillis(deadline))))) {
                if (System.nanoTime() >= deadline || Stdout.failed()) {
                    group.stop();
                } else {
                    live.refresh();
                    groupMetrics.refresh();
                }
                if (status != null) {
                    status.refresh(group.stats());
                }
                if (json != null) {
                    json.maybePrint(group);
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
        Stdout.check();
        List<String> failures = new ArrayList<>();
        for (CaptureGroup.Member m : group.members()) {
            if (m.failure() != null) {
                failures.add(m.failure());
                err.println("capture in " + m.description() + " ended: " + m.failure());
            }
        }
        err.println(Status.describe(group.stats(), limit.seen));
        if (json != null) {
            json.print(group, true);
        }
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
    private static final class Limit extends ForwardingHandler {
        private final long max;
        Runnable stop;
        long seen;

        Limit(PacketHandler next, long max) {
            super(next);
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
    }
}
