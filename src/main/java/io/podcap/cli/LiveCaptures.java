package io.podcap.cli;

import io.podcap.capture.CaptureGroup;
import io.podcap.capture.PacketHandler;
import io.podcap.metrics.CaptureGroupMetrics;
import io.podcap.metrics.Metric;
import io.podcap.metrics.Metrics;
import io.podcap.metrics.MetricsServer;
import io.podcap.metrics.StatsSnapshot;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * What {@code flows} and {@code probes} do live: one capture group over the targets feeds one handler (serialized
 * by a lock taken once per batch) until the duration ends, the group stops, or the JVM is asked to stop (Ctrl-C,
 * SIGTERM). Once a second (or each {@code --interval}, when shorter) this thread calls {@code tick} with the wall clock
 * under the same lock, and follows pods ({@code --follow}): a tick wakes this thread and may make the reader wait
 * for the lock, so they are few. With {@code --metrics-port} it serves each member's capture counters and the
 * analysis' counters, read from snapshots taken on each tick under the lock (the analyses are not thread-safe).
 */
final class LiveCaptures {
    private final String what;
    private final TargetOptions targets;
    private final PacketOptions packets;
    private final PrintStream err;
    private MetricsOptions metricsOptions;
    private final Metrics metrics = new Metrics();
    private final List<StatsSnapshot<?>> snapshots = new ArrayList<>();
    private long tickNanos = 1_000_000_000L;

    /** {@code what} names what is captured in the "capturing ..." lines on stderr ("flows", "probes"). */
    LiveCaptures(String what, TargetOptions targets, PacketOptions packets, PrintStream err) {
        this.what = what;
        this.targets = targets;
        this.packets = packets;
        this.err = err;
    }

    /** Serves {@code analysis}' metrics, read from {@code snapshots}, next to the captures' with {@code --metrics-port}. */
    LiveCaptures metrics(MetricsOptions options, List<StatsSnapshot<?>> snapshots, List<Metric> analysis) {
        this.metricsOptions = options;
        this.snapshots.addAll(snapshots);
        metrics.addAll(analysis);
        return this;
    }

    /** Ticks at least every {@code seconds} (a command's {@code --interval}; 0: none asked). */
    LiveCaptures ticksEvery(double seconds) {
        if (seconds > 0) {
            tickNanos = Math.min(tickNanos, Math.max((long) (seconds * 1e9), 1_000_000L));
        }
        return this;
    }

    long tickNanos() {
        return tickNanos;
    }

    /**
     * Captures into {@code handler} for {@code duration} seconds (0: until stopped); {@code tick} runs every second
     * (or as {@link #ticksEvery} asks) and {@code finish} once after the last packet, both holding the lock. On
     * stderr: the "capturing" lines and {@code banner} (when not null) once the captures run, at the end each member's
     * counters and {@code summary}'s line. SIGINT or SIGTERM ends it the same way (exit 0); a second one quits at once.
     */
    void run(PacketHandler handler, double duration, String banner, LongConsumer tick, Runnable finish,
             Supplier<String> summary) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        TargetOptions.Targets live = targets.open(packets.configure(CaptureGroup.builder(), targets.several())
                .handler(new BatchLock(handler, lock)));
        CaptureGroup group = live.group();
        CaptureGroupMetrics groupMetrics = new CaptureGroupMetrics(group, packets.iface(), metrics);
        Runnable snapshot = () -> snapshots.forEach(StatsSnapshot::refresh);
        try (StopSignals signals = new StopSignals(err, group::stop);
             MetricsServer server = metricsOptions == null ? null : metricsOptions.start(metrics, err)) {
            for (CaptureGroup.Member m : group.members()) {
                err.printf("capturing %s on %s in %s%s%n", what, packets.iface(), m.description(),
                        packets.filter.isEmpty() ? "" : " (filter '" + packets.filter + "')");
            }
            if (banner != null) {
                err.println(banner);
            }
            loop(live, groupMetrics, lock, duration, tickNanos, tick.andThen(wall -> snapshot.run()));
            group.close(); // the last packets are in the handler now
            locked(lock, () -> {
                finish.run();
                snapshot.run();
            });
            Stdout.check();
            for (CaptureGroup.Member m : group.members()) {
                err.println(m.description() + ": " + Status.describe(m.stats(), m.stats().consumed())
                        + (m.failure() == null ? "" : "; ended: " + m.failure()));
            }
            err.println(summary.get());
        } finally {
            group.close();
        }
        if (group.failure() != null) {
            throw new IllegalStateException(Main.message(group.failure()), group.failure());
        }
    }

    private static void loop(TargetOptions.Targets live, CaptureGroupMetrics groupMetrics, ReentrantLock lock,
                             double duration, long tickNanos, LongConsumer tick)
            throws InterruptedException {
        CaptureGroup group = live.group();
        long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
        long nextRefresh = System.nanoTime() + 1_000_000_000L; // --follow rescans the node once a second
        while (true) {
            long wait = Math.min(deadline - System.nanoTime(), tickNanos);
            if (group.awaitTermination(Duration.ofNanos(Math.max(wait, 1_000_000L)))) {
                return;
            }
            if (System.nanoTime() >= deadline || Stdout.failed()) {
                group.stop();
                continue;
            }
            if (System.nanoTime() >= nextRefresh) {
                live.refresh();
                groupMetrics.refresh();
                nextRefresh += 1_000_000_000L;
            }
            locked(lock, () -> tick.accept(System.currentTimeMillis() * 1_000_000L));
        }
    }

    private static void locked(ReentrantLock lock, Runnable r) {
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
