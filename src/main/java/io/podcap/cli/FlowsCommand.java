package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import io.podcap.flow.FlowListener;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowTable;
import io.podcap.flow.FlowTableStats;
import io.podcap.metrics.FlowMetrics;
import io.podcap.metrics.StatsSnapshot;
import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import io.podcap.probe.AddressRoles;
import io.podcap.probe.ProbeDetector;
import io.podcap.probe.ProbeFlags;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podcap flows}: the conversations in namespaces (live) or a file, with what went wrong in each. */
@Command(name = "flows", description = "Flows with TCP analysis and named problems, live or from a file.")
final class FlowsCommand implements Callable<Integer> {
    @Mixin
    PacketOptions packets = new PacketOptions();

    @Mixin
    TargetOptions targets;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds.")
    double duration;

    @Option(names = "--interval", paramLabel = "S", description = "Also print the live flows every S seconds.")
    double interval;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE",
            description = "Read a pcap or pcapng file instead (- for standard input).")
    Path input;

    @Option(names = "--json", description = "One JSON object per flow and line.")
    boolean json;

    @Option(names = "--capacity", defaultValue = "65536", description = "Most flows kept at once (default 65536).")
    int capacity;

    @Option(names = "--exclude-probes", description = "Leave out the kubelet's probe connections.")
    boolean excludeProbes;

    @Mixin
    AddressOptions addresses;

    @Mixin
    MetricsOptions metrics;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (duration < 0 || interval < 0) {
            throw new IllegalArgumentException("--duration and --interval must not be negative");
        }
        targets.checkNoneWith(input);
        if (input != null) {
            FileReads.liveOnly(duration > 0 || interval > 0, "--duration and --interval");
            packets.checkForRead();
        }
        // stdout without autoflush: flows go out in large writes (live: at least every second, not one per flow)
        PrintStream stdout = Stdout.stream(1 << 16, false);
        int batch = input == null ? FlowPrintThread.LIVE_BATCH : FlowPrintThread.FILE_BATCH;
        if (input == null) {
            try (FlowPrintThread nowhere = new FlowPrintThread(new FlowPrinter(WarmUp.NOWHERE, json), batch)) {
                WarmUp.run(pipeline(nowhere, WarmUp.ROLES));
            }
        }
        try (FlowPrintThread printer = new FlowPrintThread(new FlowPrinter(stdout, json), batch)) {
            FlowTable table = pipeline(printer, addresses.roles(input == null, targets));
            if (input != null) {
                read(table, printer);
            } else {
                live(table, printer);
            }
        }
        return 0;
    }

    /** The table, its probe detector and the printing of ended flows. */
    private FlowTable pipeline(FlowPrintThread printer, AddressRoles roles) {
        FlowTable table = FlowTable.builder().capacity(capacity).build();
        // first, so that a flow's probe mark and client role are set before it is printed
        ProbeDetector.builder().roles(roles).build(table);
        table.addListener(new FlowListener() {
            @Override
            public void onFlowEnd(int slot, FlowRecord r) {
                if (shown(r.flags())) {
                    printer.print(r);
                }
            }
        });
        return table;
    }

    private void read(FlowTable table, FlowPrintThread printer) throws Exception {
        try (PcapReader reader = FileReads.open(input, printer::flush)) {
            PacketHandler handler = Stdout.checked(packets.filtered(table.batched()));
            PcapFormatException damage = FileReads.untilDamaged(() -> reader.readAll(handler));
            table.endAll();
            printer.close(); // the flows out before the summary
            Stdout.check();
            err.printf(Locale.ROOT, "%,d packets read from %s (%s); %s%n", reader.packetsRead(), input,
                    reader.format(), describe(table.stats()));
            FileReads.fail(damage);
        }
    }

    private void live(FlowTable table, FlowPrintThread printer) throws Exception {
        long every = interval > 0 ? (long) (interval * 1e9) : Long.MAX_VALUE;
        long[] next = {interval > 0 ? System.currentTimeMillis() * 1_000_000L + every : Long.MAX_VALUE};
        StatsSnapshot<FlowTableStats> stats = new StatsSnapshot<>(table::stats);
        LiveCaptures captures = new LiveCaptures("flows", targets, packets, err)
                .metrics(metrics, List.of(stats), FlowMetrics.of(stats, Map.of())).ticksEvery(interval);
        captures.run(handingOver(table.batched(), printer), duration, null, wall -> {
            printer.flush();
            if (wall >= next[0]) {
                table.expire(wall);
                printer.snapshot(table.snapshot().stream().filter(r -> shown(r.flags())).toList(), wall);
                next[0] += every;
            }
        }, () -> {
            table.endAll();
            printer.close();
        }, () -> describe(table.stats()));
    }

    /** {@code table}, and the ended flows handed to the printer's thread each time the reader has caught up. */
    private static PacketHandler handingOver(PacketHandler table, FlowPrintThread printer) {
        return new ForwardingHandler(table) {
            @Override
            public void onCaughtUp() {
                printer.handOver();
            }
        };
    }

    private boolean shown(int flags) {
        return !(excludeProbes && ProbeFlags.isProbe(flags));
    }

    static String describe(FlowTableStats s) {
        return String.format(Locale.ROOT, "%,d flows (%,d expired, %,d evicted), %,d packets in no flow, "
                + "%,d packets outside TCP analysis", s.flows(), s.expired(), s.evicted(), s.unattributed(), s.partial());
    }
}
