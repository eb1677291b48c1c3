package io.podcap.capture;

import io.netty.util.collection.IntObjectHashMap;
import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live capture inside one network namespace. A native thread enters the namespace, captures with libpcap and copies
 * each packet once into a shared off-heap ring; a Java thread reads the ring and hands batches of {@link PacketView}s
 * to the handler. The thread that opens a capture never changes namespace.
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
    private static final int IDLE_WAIT_MS = 100;
    private static final int SPINS = 200;

    private final NamespaceSpec namespace;
    private final String device;
    private final int snaplen;
    private final String filter;
    private final int linkType;
    private final long handle;
    private final int wakeFd;
    private final RingReader reader;
    private final PacketHandler handler;
    private final Thread thread;
    private final long[] statsScratch = new long[6];
    private volatile Throwable failure;
    private boolean freed;

    private Capture(Builder b) {
        Native.ensureLoaded();
        this.namespace = b.namespace;
        this.device = b.device;
        this.snaplen = b.snaplen;
        this.filter = b.filter;
        this.handler = b.handler;
        Source source = new Source(namespace); // also proves the namespace is there before any native state exists
        ByteBuffer ring = RingReader.allocate(b.ringSize);
        this.handle = Native.open(namespace.path(), namespace.label(), device, filter, snaplen, b.bufferSize,
                b.promiscuous, b.timeoutMillis, b.immediate, ring);
        this.linkType = Native.linkType(handle);
        this.wakeFd = Native.wakeFd(handle);
        this.reader = new RingReader(ring, b.batchSize, linkType, source);
        this.thread = new Thread(this::run, "podcap-" + namespace.label() + "-" + device);
        thread.setDaemon(true);
        thread.start();
        log.debug("capturing on {} in {} (link type {}, filter '{}')", device, namespace, LinkType.name(linkType),
                filter);
    }

    public static Builder builder() {
        return new Builder();
    }

    private void run() {
        try {
            while (true) {
                if (reader.poll(handler) > 0 || spinUntilAvailable()) {
                    continue;
                }
                if (!Native.running(handle)) {
                    // The native thread has ended; whatever it published is already visible.
                    while (reader.poll(handler) > 0) {
                        // drain
                    }
                    String why = Native.failure(handle);
                    if (why != null) {
                        failure = new CaptureException(why, 0);
                        log.error("capture on {} in {} failed: {}", device, namespace, why);
                    }
                    return;
                }
                if (!reader.park() && !Native.wakeWait(wakeFd, IDLE_WAIT_MS)) {
                    handler.onIdle();
                }
            }
        } catch (Throwable t) {
            failure = t;
            log.error("packet handler failed; capture on {} in {} stopped", device, namespace, t);
            Native.stop(handle);
        }
    }

    /** A short spin first: a signal through the eventfd costs two system calls. */
    private boolean spinUntilAvailable() {
        for (int i = 0; i < SPINS; i++) {
            if (reader.available()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Stops capturing; packets already in the ring are still delivered. Safe from any thread, the handler's too. */
    public void stop() {
        synchronized (this) {
            if (!freed) {
                Native.stop(handle);
            }
        }
    }

    /** Waits until the reader has delivered the last packet; true when it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Stops, delivers what is left, and frees the native side. */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() != thread) {
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
            free();
        }
    }

    private synchronized void free() {
        if (!freed) {
            Native.stats(handle, statsScratch); // the last counters, kept for stats()
            freed = true;
            Native.free(handle);
        }
    }

    /** Counters so far (the last ones once closed). */
    public synchronized CaptureStats stats() {
        if (!freed) {
            Native.stats(handle, statsScratch);
        }
        long[] s = statsScratch;
        return new CaptureStats(s[0], s[1], s[2], s[3], s[4], s[5], reader.consumed());
    }

    /** True until the capture has stopped and its last packet was delivered. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Why the capture ended early (native failure or handler exception), or null. */
    public Throwable failure() {
        return failure;
    }

    public NamespaceSpec namespace() { return namespace; }

    public String device() { return device; }

    public String filter() { return filter; }

    public int snaplen() { return snaplen; }

    /** Link-layer type of the packets ({@link LinkType}); {@code any} captures with LINUX_SLL2. */
    public int linkType() { return linkType; }

    /** Interface names of the capture's namespace, read once at open. */
    public PacketSource source() { return reader.source(); }

    private static final class Source implements PacketSource {
        private final String namespace;
        private final IntObjectHashMap<String> names = new IntObjectHashMap<>();

        Source(NamespaceSpec spec) {
            this.namespace = spec.label();
            for (NetInterface i : Interfaces.list(spec)) {
                names.put(i.ifindex(), i.name());
            }
        }

        @Override
        public String namespace() { return namespace; }

        @Override
        public String interfaceName(int ifindex) {
            String name = names.get(ifindex);
            return name != null ? name : "if" + ifindex;
        }
    }

    public static final class Builder {
        private NamespaceSpec namespace = NamespaceSpec.parse("host");
        private String device = "any";
        private String filter = "";
        private int snaplen = 262_144;
        private int bufferSize = 8 << 20;
        private boolean promiscuous;
        private int timeoutMillis = 100;
        private boolean immediate;
        private int ringSize = 32 << 20;
        private int batchSize = 256;
        private PacketHandler handler;

        private Builder() {}

        /** Where to capture: a spec such as {@code pid:1234}, {@code netns:NAME}, {@code path:FILE}, {@code host}. */
        public Builder namespace(String spec) {
            return namespace(NamespaceSpec.parse(spec));
        }

        public Builder namespace(NamespaceSpec spec) {
            this.namespace = Objects.requireNonNull(spec, "namespace");
            return this;
        }

        /** Interface inside the namespace, or {@code any} (default) for all of them. */
        public Builder device(String device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** A BPF expression (tcpdump syntax), compiled by libpcap for the interface's link type. */
        public Builder filter(String filter) {
            this.filter = filter == null ? "" : filter;
            return this;
        }

        /** Bytes kept of each packet (default 262144: all of it). */
        public Builder snaplen(int snaplen) {
            this.snaplen = positive(snaplen, "snaplen");
            return this;
        }

        /** The kernel's capture buffer in bytes (default 8 MiB). */
        public Builder bufferSize(int bytes) {
            this.bufferSize = positive(bytes, "buffer size");
            return this;
        }

        public Builder promiscuous(boolean promiscuous) {
            this.promiscuous = promiscuous;
            return this;
        }

        /** How long the kernel may hold packets to fill a block (default 100 ms); see {@link #immediate}. */
        public Builder timeout(Duration timeout) {
            this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, positive(timeout.toMillis(), "timeout"));
            return this;
        }

        /** Deliver each packet as soon as it arrives, at some cost in CPU per packet. */
        public Builder immediate(boolean immediate) {
            this.immediate = immediate;
            return this;
        }

        /** Bytes of the shared ring between the native thread and Java; a power of two (default 32 MiB). */
        public Builder ringSize(int bytes) {
            RingDescriptor.checkCapacity(bytes);
            this.ringSize = bytes;
            return this;
        }

        /** Most packets per batch handed to the handler (default 256). */
        public Builder batchSize(int packets) {
            this.batchSize = positive(packets, "batch size");
            return this;
        }

        /** Receives the packets, on the capture's reader thread. */
        public Builder handler(PacketHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Starts capturing. Throws IllegalArgumentException for a bad namespace, interface or filter,
         * {@link CapturePermissionException} naming the missing capability, {@link CaptureException} otherwise.
         */
        public Capture open() {
            if (handler == null) {
                throw new IllegalStateException("a capture needs a handler");
            }
            return new Capture(this);
        }

        private static long positive(long value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive, not " + value);
            }
            return value;
        }

        private static int positive(int value, String what) {
            return (int) positive((long) value, what);
        }
    }
}
