package io.podcap.cli;

import io.podcap.capture.Capture;
import io.podcap.capture.PacketHandler;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Runs one capture per namespace into one shared handler (serialized by a lock taken once per batch) until the
 * duration ends, every capture stopped, or the JVM is asked to stop (Ctrl-C, SIGTERM): what {@code flows} and
 * {@code probes} do live. A timer calls {@code tick} with the wall clock under the same lock every 200 ms.
 */
final class LiveCaptures {
    private final List<String> specs;
    private final String iface;
    private final String filter;
    private final int snaplen;
    private final PrintStream err;
    private final String what;

    /** {@code what} names what is captured in the "capturing ..." lines on stderr ("flows", "probes"). */
    LiveCaptures(String what, List<String> specs, String iface, String filter, int snaplen, PrintStream err) {
        this.specs = specs.isEmpty() ? List.of("host") : specs;
        this.iface = iface;
        this.filter = filter;
        this.snaplen = snaplen;
        this.err = err;
        this.what = what;
    }

    /**
     * Captures into {@code handler} for {@code duration} seconds (0: until stopped); {@code tick} runs every 200 ms,
     * {@code finish} once after the last packet, both holding the lock. Prints each capture's counters to stderr.
     */
    void run(PacketHandler handler, double duration, LongConsumer tick, Runnable finish) throws Exception {
        ReentrantLock lock = new ReentrantLock();
        List<Capture> captures = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            captures.forEach(Capture::stop);
            try {
                done.await(10, TimeUnit.SECONDS); // let the rest be printed before the JVM exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "podcap-stop");
        try {
            for (String spec : specs) {
                captures.add(Capture.builder().namespace(spec).device(iface).filter(filter).snaplen(snaplen)
                        .handler(new BatchLock(handler, lock)).open());
                err.printf("capturing %s on %s in %s%s%n", what, iface, spec,
                        filter.isEmpty() ? "" : " (filter '" + filter + "')");
            }
            Runtime.getRuntime().addShutdownHook(hook);
            loop(captures, lock, duration, tick);
            captures.forEach(Capture::close); // the last packets are in the handler now
            finish.run();
            for (Capture c : captures) {
                err.println(c.namespace().label() + ": " + Status.describe(c.stats(), c.stats().consumed()));
            }
        } finally {
            captures.forEach(Capture::close);
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException | IllegalArgumentException shuttingDownOrNotAdded) {
                // the hook is running (it waited for `done`) or was never added
            }
        }
        for (Capture c : captures) {
            if (c.failure() != null) {
                throw new IllegalStateException(Main.message(c.failure()), c.failure());
            }
        }
    }

    private static void loop(List<Capture> captures, ReentrantLock lock, double duration, LongConsumer tick)
            throws InterruptedException {
        long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
        while (captures.stream().anyMatch(Capture::isRunning)) {
            long now = System.nanoTime();
            if (now >= deadline) {
                captures.forEach(Capture::stop);
                break;
            }
            Thread.sleep(Math.max(Math.min(deadline - now, 200_000_000L) / 1_000_000L, 1));
            lock.lock();
            try {
                tick.accept(System.currentTimeMillis() * 1_000_000L);
            } finally {
                lock.unlock();
            }
        }
    }
}
