package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import io.podcap.flow.FlowTable;
import io.podcap.flow.FlowTableStats;
import io.podcap.metrics.FlowMetrics;
import io.podcap.metrics.Metric;
import io.podcap.metrics.ProbeMetrics;
import io.podcap.metrics.StatsSnapshot;
import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import io.podcap.probe.AddressRoles;
import io.podcap.probe.ProbeDetector;
import io.podcap.probe.ProbeDetectorStats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podcap probes}: the kubelet's probes of pods (live or from a file), their periods, outcomes and alerts. */
@Command(name = "probes", description = "Kubelet probes: who sends them, how often, and whether they pass.")
final class ProbesCommand implements Callable<Integer> {
    @Mixin
    PacketOptions packets = new PacketOptions("tcp");

    @Mixin
    TargetOptions targets;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds.")
    double duration;

    @Option(names = "--interval", paramLabel = "S", description = "Also print the streams every S seconds.")
    double interval;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE",
            description = "Read a pcap or pcapng file instead (- for standard input).")
    Path input;

    @Option(names = "--json", description = "One JSON object per stream or alert and line.")
    boolean json;

    @Option(names = "--alert-after", defaultValue = "3", paramLabel = "N",
            description = "Consecutive failures that raise an alert (default 3).")
    int alertAfter;

    @Option(names = "--probe-timeout", defaultValue = "1", paramLabel = "S",
            description = "Seconds a probe may stay unanswered before it counts as a timeout (default 1).")
    double probeTimeout;

    @Option(names = "--max-streams", defaultValue = "1024", description = "Most probe streams kept (default 1024).")
    int maxStreams;

    @Option(names = "--capacity", defaultValue = "65536", description = "Most flows kept at once (default 65536).")
    int capacity;

    @Mixin
    AddressOptions addresses;

    @Mixin
    MetricsOptions metrics;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (duration < 0 || interval < 0 || probeTimeout <= 0) {
            throw new IllegalArgumentException("--duration and --interval must not be negative, --probe-timeout "
                    + "must be positive");
        }
        targets.checkNoneWith(input);
        if (input != null) {
            FileReads.liveOnly(duration > 0 || interval > 0, "--duration and --interval");
            packets.checkForRead();
        }
        ProbePrinter printer = new ProbePrinter(System.out, json);
        AddressRoles roles = addresses.roles(input == null, targets);
        FlowTable table = FlowTable.builder().capacity(capacity).httpBytes(0).build();
        ProbeDetector detector = detector(roles, printer).build(table);
        if (input != null) {
            try (PcapReader reader = FileReads.open(input)) {
                PacketHandler handler = packets.filtered(table.batched());
                PcapFormatException damage = FileReads.untilDamaged(() -> reader.readAll(handler));
                table.endAll();
                printer.streams(detector.streams());
                Stdout.check();
                err.printf(Locale.ROOT, "%,d packets read from %s (%s); %s; %s%n", reader.packetsRead(), input,
                        reader.format(), FlowsCommand.describe(table.stats()), describe(detector.stats()));
                FileReads.fail(damage);
            }
            return 0;
        }
        FlowTable warmUp = FlowTable.builder().capacity(capacity).httpBytes(0).build();
        detector(WarmUp.ROLES, new ProbePrinter(WarmUp.NOWHERE, json)).build(warmUp);
        WarmUp.run(warmUp);
        long every = interval > 0 ? (long) (interval * 1e9) : Long.MAX_VALUE;
        long[] next = {interval > 0 ? System.currentTimeMillis() * 1_000_000L + every : Long.MAX_VALUE};
        LongConsumer tick = wall -> {
            table.expire(wall);
            detector.expire(wall);
            if (wall >= next[0]) {
                printer.streams(detector.streams());
                next[0] += every;
            }
        };
        Runnable finish = () -> {
            detector.expire(System.currentTimeMillis() * 1_000_000L);
            table.endAll();
            printer.streams(detector.streams());
        };
        StatsSnapshot<FlowTableStats> flowStats = new StatsSnapshot<>(table::stats);
        StatsSnapshot<ProbeDetectorStats> probeStats = new StatsSnapshot<>(detector::stats);
        List<Metric> analysis = new ArrayList<>(FlowMetrics.of(flowStats, Map.of()));
        analysis.addAll(ProbeMetrics.of(probeStats, Map.of()));
        LiveCaptures captures = new LiveCaptures("probes", targets, packets, err)
                .metrics(metrics, List.of(flowStats, probeStats), analysis).ticksEvery(interval);
        captures.run(table.batched(), duration, "who is who: " + roles,
                tick, finish, () -> FlowsCommand.describe(table.stats()) + "; " + describe(detector.stats()));
        return 0;
    }

    private ProbeDetector.Builder detector(AddressRoles roles, ProbePrinter printer) {
        return ProbeDetector.builder().roles(roles).maxStreams(maxStreams).alertAfter(alertAfter)
                .probeTimeout(Duration.ofNanos((long) (probeTimeout * 1e9))).onAlert(printer::alert);
    }

    static String describe(ProbeDetectorStats s) {
        return String.format(Locale.ROOT, "%,d probe streams (%,d evicted), %,d probe connections "
                + "(%,d failed, %,d alerts), %,d not inspected (buffers full), %,d unparsed", s.streams(), s.evicted(),
                s.probes(), s.failures(), s.alerts(), s.uninspected(), s.unparsed());
    }
}
