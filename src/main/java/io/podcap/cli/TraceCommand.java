package io.podcap.cli;

import io.podcap.capture.Capture;
import io.podcap.capture.PacketHandler;
import io.podcap.metrics.CaptureMetrics;
import io.podcap.metrics.Metrics;
import io.podcap.metrics.MetricsServer;
import io.podcap.metrics.StatsSnapshot;
import io.podcap.metrics.TraceMetrics;
import io.podcap.netfilter.BpfSelector;
import io.podcap.netfilter.ConntrackParser;
import io.podcap.netfilter.CorrelationReport;
import io.podcap.netfilter.CorrelatorStats;
import io.podcap.netfilter.KernelLogParser;
import io.podcap.netfilter.KmsgSource;
import io.podcap.netfilter.LineParser;
import io.podcap.netfilter.NetfilterEvent;
import io.podcap.netfilter.NflogEvents;
import io.podcap.netfilter.NftTraceParser;
import io.podcap.netfilter.PacketCorrelator;
import io.podcap.netfilter.RuleSet;
import io.podcap.netfilter.ToolSource;
import io.podcap.netfilter.TraceRules;
import io.podcap.netfilter.XtablesMonitorParser;
import io.podcap.ns.NamespaceSpec;
import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podcap trace}: what netfilter did to each captured packet, and what is wrong. */
@Command(name = "trace", description = "Correlate captured packets with netfilter traces, logs and conntrack.")
final class TraceCommand implements Callable<Integer> {
    @Mixin
    PacketOptions packets = new PacketOptions();

    @Option(names = "--netns", paramLabel = "SPEC", defaultValue = "host",
            description = "pid:PID, netns:NAME, pod:NS/NAME, ip:ADDR, path:FILE or host (default).")
    String netns;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE",
            description = "Read packets from a pcap/pcapng file (- for standard input).")
    Path read;

    @Option(names = "--nflog-group", paramLabel = "N", description = "Capture NFLOG group N in the namespace.")
    Integer nflogGroup;

    @Option(names = "--kmsg", description = "Read LOG and legacy TRACE lines from /dev/kmsg.")
    boolean kmsg;

    @Option(names = "--log-file", paramLabel = "FILE", description = "Kernel log lines (dmesg, journalctl -k, syslog).")
    List<Path> logFiles = new ArrayList<>();

    @Option(names = "--xtables-monitor", description = "Run xtables-monitor --trace in the namespace.")
    boolean xtablesMonitor;

    @Option(names = "--nft-monitor", description = "Run nft monitor trace in the namespace.")
    boolean nftMonitor;

    @Option(names = "--trace-file", paramLabel = "FILE",
            description = "Saved xtables-monitor --trace or nft monitor trace output.")
    List<Path> traceFiles = new ArrayList<>();

    @Option(names = "--conntrack", description = "Run conntrack -E in the namespace.")
    boolean conntrack;

    @Option(names = "--conntrack-file", paramLabel = "FILE", description = "Saved conntrack -E or -L output.")
    List<Path> conntrackFiles = new ArrayList<>();

    @Option(names = "--rules", paramLabel = "FILE",
            description = "iptables-legacy-save output, for legacy TRACE rule numbers (default: read live).")
    Path rulesFile;

    @Option(names = "--arm", description = "Add TRACE (and NFLOG) rules for the filter; removed on exit.")
    boolean arm;

    @Option(names = "--arm-match", paramLabel = "ARGS",
            description = "iptables match for --arm instead of the filter's, e.g. '-p tcp --dport 8080' (repeatable).")
    List<String> armMatches = new ArrayList<>();

    @Option(names = "--service-ip", paramLabel = "ADDR", description = "A service VIP (besides kube-ipvs0's).")
    List<String> serviceIps = new ArrayList<>();

    @Option(names = "--node-ip", paramLabel = "ADDR",
            description = "A node address, besides those of the pod's host veth and its bridge (TCP from it is a probe).")
    List<String> nodeIps = new ArrayList<>();

    @Option(names = "--window", paramLabel = "S", defaultValue = "5", description = "Correlation window, seconds.")
    double window;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds (default: Ctrl-C).")
    double duration;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Mixin
    MetricsOptions metrics;

    private final PrintStream err = System.err;
    private final List<Capture> captures = new ArrayList<>();
    /** Counted down once the report is out: Ctrl-C's shutdown hook waits for it. */
    private final CountDownLatch done = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        if (duration < 0 || window <= 0) {
            throw new IllegalArgumentException("--duration must not be negative and --window must be positive");
        }
        if (read != null && (arm || kmsg || xtablesMonitor || nftMonitor || conntrack || nflogGroup != null)) {
            throw new IllegalArgumentException("--read takes saved sources (--log-file, --trace-file, "
                    + "--conntrack-file, --rules); --arm, --kmsg, --xtables-monitor, --nft-monitor, --conntrack and "
                    + "--nflog-group are live");
        }
        if (read != null) {
            FileReads.liveOnly(duration > 0, "--duration");
            packets.checkForRead();
        }
        NamespaceSpec ns = read == null ? NamespaceSpec.parse(netns) : null;
        Set<String> vips = new LinkedHashSet<>(serviceIps);
        Set<String> nodes = new LinkedHashSet<>(nodeIps);
        if (ns != null) {
            vips.addAll(PacketCorrelator.kubeIpvsAddresses(ns));
            if (!ns.isHost()) {
                nodes.addAll(PacketCorrelator.nodeSideAddresses(ns));
            }
        }
        RuleSet rules = rules(ns);
        PacketCorrelator correlator = PacketCorrelator.builder().serviceAddresses(vips).nodeAddresses(nodes)
                .window(Duration.ofMillis((long) (window * 1000))).rules(rules).build();
        Consumer<NetfilterEvent> sink = correlator::onEvent;
        for (Path f : logFiles) {
            feed(f, new KernelLogParser(), sink);
        }
        for (Path f : traceFiles) {
            feed(f, null, sink);
        }
        for (Path f : conntrackFiles) {
            feed(f, new ConntrackParser(), sink);
        }
        TraceOutput output = new TraceOutput(System.out, json);
        Thread hook = new Thread(() -> {
            synchronized (captures) {
                captures.forEach(Capture::stop);
            }
            try {
                done.await(10, TimeUnit.SECONDS); // let the report print and the rules go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "podcap-trace-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            report(ns, correlator, sink, output);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and waits for done, which it has
            }
        }
        return 0;
    }

    private void report(NamespaceSpec ns, PacketCorrelator correlator, Consumer<NetfilterEvent> sink,
                        TraceOutput output) throws Exception {
        PcapFormatException damage = null;
        if (read != null) {
            try (PcapReader reader = FileReads.open(read)) {
                PacketHandler handler = Stdout.checked(packets.filtered(correlator));
                damage = FileReads.untilDamaged(() -> {
                    while (reader.read(handler, 256) >= 0) {
                        output.packets(correlator.drain(correlator.latestPacketTime() + 1));
                    }
                });
            }
        } else {
            live(ns, correlator, sink, output);
        }
        output.packets(correlator.drain(Long.MAX_VALUE));
        CorrelationReport report = correlator.finish();
        output.end(report);
        Stdout.check();
        err.printf("%d packets captured (%d without a netfilter record), %d traced or logged but not captured, "
                        + "%d findings; dropped: %d packets, %d records, %d packets left out of the findings%n",
                report.packets().stream().filter(p -> p.captured()).count(), report.capturedWithoutEvents(),
                report.eventsWithoutPacket(), report.findings().size(), report.packetsDropped(),
                report.eventsDropped(), report.packetsForgotten());
        FileReads.fail(damage);
    }

    private void live(NamespaceSpec ns, PacketCorrelator correlator, Consumer<NetfilterEvent> sink,
                      TraceOutput output) throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        List<Supplier<String>> counters = new ArrayList<>(); // each source's, printed at the end
        Thread disarm = null;
        try {
            if (arm) {
                List<List<String>> matches = armMatches.isEmpty() ? BpfSelector.toIptables(packets.filter)
                        : armMatches.stream().map(m -> List.of(m.trim().split("\\s+"))).toList();
                TraceRules armed = TraceRules.arm(ns, matches, nflogGroup == null ? -1 : nflogGroup);
                open.add(armed);
                disarm = new Thread(armed::close, "podcap-disarm"); // Ctrl-C, SIGTERM
                Runtime.getRuntime().addShutdownHook(disarm);
                armed.rules().forEach(r -> err.println("armed: iptables " + r));
            }
            if (kmsg) {
                if (!ns.isHost() && !KmsgSource.logsAllNamespaces()) {
                    err.println("warning: LOG rules outside the host namespace write nothing unless "
                            + "net.netfilter.nf_log_all_netns=1");
                }
                KmsgSource source = new KmsgSource(sink);
                open.add(source);
                counters.add(() -> "kmsg: " + counts(source.parser()) + ", " + source.old() + " from before the start");
            }
            List<ToolSource> tools = new ArrayList<>();
            if (xtablesMonitor) {
                tools.add(ToolSource.xtablesMonitor(ns, sink));
            }
            if (nftMonitor) {
                tools.add(ToolSource.nftMonitor(ns, sink));
            }
            if (conntrack) {
                tools.add(ToolSource.conntrack(ns, sink));
            }
            open.addAll(tools);
            for (ToolSource t : tools) {
                counters.add(() -> t.command() + ": " + counts(t.parser()));
            }
            Capture main = packets.configure(Capture.builder().namespace(ns), false).handler(correlator).open();
            synchronized (captures) {
                captures.add(main);
            }
            open.add(main);
            if (nflogGroup != null) {
                NflogEvents nflogEvents = new NflogEvents(sink);
                counters.add(() -> "nflog:" + nflogGroup + ": " + nflogEvents.events() + " records, "
                        + nflogEvents.skipped() + " without an IP packet");
                Capture nflog = Capture.builder().namespace(ns).device("nflog:" + nflogGroup)
                        .handler(nflogEvents).immediate(true).open();
                synchronized (captures) {
                    captures.add(nflog);
                }
                open.add(nflog);
            }
            for (ToolSource t : tools) {
                if (!t.awaitReady(Duration.ofSeconds(5))) {
                    throw new IllegalStateException(t.command() + (t.isAlive() ? " did not start listening"
                            : " ended: " + t.lastError()));
                }
            }
            err.printf("tracing in %s on %s%s; %s%n", ns, packets.iface(),
                    packets.filter.isEmpty() ? "" : " (filter '" + packets.filter + "')",
                    duration > 0 ? "for " + duration + " s" : "Ctrl-C to stop");
            // snapshots on this thread, the correlator's consumer side; findings cost a pass: every 5 s
            StatsSnapshot<CorrelatorStats> stats = new StatsSnapshot<>(correlator::stats);
            StatsSnapshot<Map<String, Long>> findings =
                    new StatsSnapshot<>(() -> TraceMetrics.countByName(correlator.findings()));
            Metrics registry = new Metrics();
            registry.addAll(CaptureMetrics.of(main));
            registry.addAll(TraceMetrics.of(stats, findings, Map.of()));
            MetricsServer server = metrics.start(registry, err);
            if (server != null) {
                open.add(server);
            }
            long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
            long hold = (long) (window * 1e9); // trace lines of a packet come soon after it; give them the window
            for (long second = 1; !main.awaitTermination(Duration.ofMillis(1000)); second++) {
                if (System.nanoTime() >= deadline || Stdout.failed()) {
                    main.stop();
                }
                output.packets(correlator.drain(ToolSource.now() - hold));
                stats.refresh();
                if (second % 5 == 0) {
                    findings.refresh();
                }
            }
            Thread.sleep(300); // the last trace and log lines of the last packets
            Stdout.check();
            if (main.failure() != null) {
                throw new IllegalStateException(Main.message(main.failure()), main.failure());
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    err.println("podcap: closing: " + Main.message(e));
                }
            }
            counters.forEach(c -> err.println(c.get()));
            try {
                if (disarm != null) {
                    Runtime.getRuntime().removeShutdownHook(disarm);
                }
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it removes what close() already removed
            }
        }
    }

    private RuleSet rules(NamespaceSpec ns) throws IOException {
        if (rulesFile != null) {
            return RuleSet.parse(Files.readString(rulesFile, StandardCharsets.UTF_8));
        }
        if (ns == null || !(kmsg || !logFiles.isEmpty())) {
            return null; // the monitors print the rule text themselves
        }
        try {
            return RuleSet.readLegacy(ns); // only legacy TRACE names rules by number
        } catch (IllegalStateException e) {
            err.println("warning: no rule text for legacy TRACE hops: " + e.getMessage());
            return null;
        }
    }

    private static String counts(LineParser p) {
        return p.lines() + " lines, " + p.events() + " events, " + p.skipped() + " skipped";
    }

    /** Feeds a file's lines to a parser; a null parser picks xtables-monitor or nft format line by line. */
    private void feed(Path file, LineParser parser, Consumer<NetfilterEvent> sink) throws IOException {
        XtablesMonitorParser xtables = new XtablesMonitorParser();
        NftTraceParser nft = new NftTraceParser();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                LineParser p = parser != null ? parser : line.strip().startsWith("trace id ") ? nft : xtables;
                p.parse(line, sink);
            }
        }
        if (parser != null) {
            err.println(file + ": " + counts(parser));
        } else {
            err.println(file + ": " + (xtables.lines() + nft.lines()) + " lines, " + (xtables.events() + nft.events())
                    + " events, " + (xtables.skipped() + nft.skipped()) + " skipped");
        }
    }
}
