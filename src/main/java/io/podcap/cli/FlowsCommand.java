package io.podcap.cli;

import io.podcap.capture.CaptureGroup;
import io.podcap.capture.PacketHandler;
import io.podcap.flow.FlowTable;
import io.podcap.flow.FlowTableStats;
import io.podcap.pcap.PcapReader;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podcap flows}: the conversations in namespaces (live) or a file, with what went wrong in each. */
@Command(name = "flows", description = "Flows with TCP analysis and named problems, live or from a file.")
final class FlowsCommand implements Callable<Integer> {
    @Mixin
    TargetOptions targets;

    @Option(names = {"-i", "--iface"}, defaultValue = "any", description = "Interface in the namespace (default any).")
    String iface;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "Capture filter, tcpdump syntax.")
    String filter = "";

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds.")
    double duration;

    @Option(names = "--interval", paramLabel = "S", description = "Also print the live flows every S seconds.")
    double interval;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE", description = "Read a pcap or pcapng file instead.")
    Path input;

    @Option(names = "--json", description = "One JSON object per flow and line.")
    boolean json;

    @Option(names = "--capacity", defaultValue = "65536", description = "Most flows kept at once (default 65536).")
    int capacity;

    @Option(names = {"-s", "--snaplen"}, defaultValue = "262144", description = "Bytes kept per packet.")
    int snaplen;

    private final PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (duration < 0 || interval < 0) {
            throw new IllegalArgumentException("--duration and --interval must not be negative");
        }
        if (input != null && (!targets.specs.isEmpty() || targets.allPods || targets.follow)) {
            throw new IllegalArgumentException("--read excludes --netns, --all-pods and --follow");
        }
        // stdout without autoflush: offline, thousands of flows go out in large writes; live, each as it ends
        PrintStream stdout = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                1 << 16), false, StandardCharsets.UTF_8);
        FlowPrinter printer = new FlowPrinter(stdout, json, input == null);
        FlowTable table = FlowTable.builder().capacity(capacity).onFlowEnd(printer::print).build();
        try {
            if (input != null) {
                read(table, printer);
            } else {
                live(table, printer);
            }
        } finally {
            printer.flush();
        }
        return 0;
    }

    private void read(FlowTable table, FlowPrinter printer) throws Exception {
        try (PcapReader reader = PcapReader.open(input)) {
            PacketHandler handler = filter.isEmpty() ? table : new OfflineFilter(filter, snaplen, table);
            long packets = reader.readAll(handler);
            table.endAll();
            printer.flush();
            err.printf(Locale.ROOT, "%,d packets read from %s (%s); %s%n", packets, input, reader.format(),
                    describe(table.stats()));
        }
    }

    private void live(FlowTable table, FlowPrinter printer) throws Exception {
        // the group's reader feeds the table (and expires idle flows when the capture is quiet); this thread prints
        // the snapshots in between
        ReentrantLock lock = new ReentrantLock();
        TargetOptions.Targets live = targets.open(CaptureGroup.builder().device(iface).filter(filter).snaplen(snaplen)
                .handler(new BatchLock(table, lock)));
        CaptureGroup group = live.group();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            group.stop();
            try {
                done.await(10, TimeUnit.SECONDS); // let the rest be printed before the JVM exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "podcap-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (CaptureGroup.Member m : group.members()) {
                err.printf("capturing flows on %s in %s%s%n", iface, m.description(),
                        filter.isEmpty() ? "" : " (filter '" + filter + "')");
            }
            run(table, printer, lock, live);
            group.close(); // the last packets are in the table now
            table.endAll();
            printer.flush();
            for (CaptureGroup.Member m : group.members()) {
                err.println(m.description() + ": " + Status.describe(m.stats(), m.stats().consumed())
                        + (m.failure() == null ? "" : "; ended: " + m.failure()));
            }
            err.println(describe(table.stats()));
        } finally {
            group.close();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waited for `done`
            }
        }
        if (group.failure() != null) {
            throw new IllegalStateException(Main.message(group.failure()), group.failure());
        }
    }

    /** Until the duration ends or the group stops: prints snapshots, follows pods. */
    private void run(FlowTable table, FlowPrinter printer, ReentrantLock lock, TargetOptions.Targets live)
            throws InterruptedException {
        CaptureGroup group = live.group();
        long start = System.nanoTime();
        long deadline = duration > 0 ? start + (long) (duration * 1e9) : Long.MAX_VALUE;
        long every = interval > 0 ? (long) (interval * 1e9) : Long.MAX_VALUE;
        long nextSnapshot = interval > 0 ? start + every : Long.MAX_VALUE;
        long nextRefresh = start + 1_000_000_000L; // --follow rescans the node once a second, as capture does
        while (true) {
            long wait = Math.min(Math.min(deadline, nextSnapshot) - System.nanoTime(), 200_000_000L);
            if (group.awaitTermination(Duration.ofNanos(Math.max(wait, 1_000_000L)))) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                group.stop();
                continue;
            }
            if (System.nanoTime() >= nextRefresh) {
                live.refresh();
                nextRefresh += 1_000_000_000L;
            }
            if (System.nanoTime() >= nextSnapshot) {
                lock.lock();
                try {
                    long wall = System.currentTimeMillis() * 1_000_000L;
                    table.expire(wall);
                    printer.snapshot(table.snapshot(), wall);
                } finally {
                    lock.unlock();
                }
                nextSnapshot += every;
            }
        }
    }

    static String describe(FlowTableStats s) {
        return String.format(Locale.ROOT, "%,d flows (%,d expired, %,d evicted), %,d packets in no flow, "
                + "%,d packets outside TCP analysis", s.flows(), s.expired(), s.evicted(), s.unattributed(), s.partial());
    }
}
