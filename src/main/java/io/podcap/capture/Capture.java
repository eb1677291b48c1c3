package io.podcap.capture;

import io.podcap.ns.NamespaceSpec;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live capture inside one network namespace. A short-lived native thread enters the namespace and activates a
 * libpcap handle there; then the capture's reader thread waits on the handle, and for each block of packets the kernel
 * fills it copies them once into an off-heap ring and hands them, in batches of {@link PacketView}s, to the handler.
 * The thread that opens a capture never changes namespace. For several namespaces into one handler, see
 * {@link CaptureGroup}.
 *
 * <pre>{@code
 * try (Capture capture = Capture.builder().namespace("pid:1234").filter("tcp port 80")
 *         .handler(packet -> count++).open()) {
 *     capture.awaitTermination(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class Capture implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Capture.class);

    private final NativeCapture capture;
    private final RingReader ring;
    private final String filter;
    private final int snaplen;
    private final Wake wake;
    private final PacketHandler handler;
    private final Thread thread;
    private final int idleWaitMillis;
    private final Pacing pacing;
    private volatile boolean stopRequested;
    private volatile Throwable failure;

    private Capture(Builder b) {
        this.ring = b.newRing();
        this.wake = new Wake();
        try {
            this.capture = new NativeCapture(b.namespace, b.namespace.label(), b);
        } catch (RuntimeException | Error e) {
            wake.close();
            throw e;
        }
        this.filter = b.filter;
        this.snaplen = b.snaplen;
        this.handler = b.handler;
        this.idleWaitMillis = b.idleWaitMillis();
        this.pacing = b.newPacing();
        this.thread = new Thread(this::run, "podcap-" + b.namespace.label() + "-" + b.device);
        thread.setDaemon(true);
        thread.start();
        log.debug("capturing on {} in {} (link type {}, filter '{}')", b.device, b.namespace,
                LinkType.name(capture.linkType()), filter);
    }

    public static Builder builder() {
        return new Builder();
    }

    private void run() {
        int[] fds = {capture.fd()};
        int[] ready = new int[1];
        try {
            while (!stopRequested) {
                if (capture.pump(ring, handler) > 0) {
                    pacing.tookPackets();
                    continue;
                }
                handler.onCaughtUp();
                if (!pacing.waitOutInterval(wake, capture.bytesTakenSinceAsked())
                        && !wake.poll(fds, 1, capture.waitMillis(pacing.idleWaitMillis(idleWaitMillis)), ready)) {
                    pacing.idle();
                    handler.onIdle();
                }
            }
            capture.drain(ring, handler); // what the kernel had ready when told to stop
        } catch (CaptureException e) {
            failure = e;
            log.error("capture on {} in {} failed: {}", device(), namespace(), e.getMessage());
        } catch (Throwable t) {
            failure = t;
            log.error("packet handler failed; capture on {} in {} stopped", device(), namespace(), t);
        } finally {
            capture.free();
            wake.close();
        }
    }

    /** Stops capturing; what the kernel holds ready is still delivered. Safe from any thread, the handler's too. */
    public void stop() {
        stopRequested = true;
        wake.signal();
    }

    /** Waits until the reader has delivered the last packet; true when it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Stops, delivers what is left, and frees the native side (by the reader thread, as it ends). */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() != thread) {
            joinUninterruptibly(thread);
        }
    }

    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counters so far (the last ones once closed). */
    public CaptureStats stats() {
        return capture.stats();
    }

    /** True until the capture has stopped and its last packet was delivered. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Why the capture ended early (native failure or handler exception), or null. */
    public Throwable failure() {
        return failure;
    }

    public NamespaceSpec namespace() { return capture.namespace(); }

    public String device() { return capture.device(); }

    public String filter() { return filter; }

    public int snaplen() { return snaplen; }

    /** Link-layer type of the packets ({@link LinkType}); {@code any} captures with LINUX_SLL2. */
    public int linkType() { return capture.linkType(); }

    /** Interface names of the capture's namespace, read once at open. */
    public PacketSource source() { return capture.source(); }

    /** Where and how to capture; the setters shared with {@link CaptureGroup} are in {@link CaptureOptions}. */
    public static final class Builder extends CaptureOptions<Builder> {
        private NamespaceSpec namespace = NamespaceSpec.host();

        private Builder() {}

        /** Where to capture: a spec such as {@code pid:1234}, {@code netns:NAME}, {@code path:FILE}, {@code host}. */
        public Builder namespace(String spec) {
            return namespace(NamespaceSpec.parse(spec));
        }

        public Builder namespace(NamespaceSpec spec) {
            this.namespace = Objects.requireNonNull(spec, "namespace");
            return this;
        }

        /**
         * Starts capturing. Throws IllegalArgumentException for a bad namespace, interface or filter,
         * {@link CapturePermissionException} naming the missing capability, {@link CaptureException} otherwise.
         */
        public Capture open() {
            requireHandler("a capture");
            return new Capture(this);
        }
    }
}
