package io.podcap.capture;

import io.netty.util.collection.IntObjectHashMap;
import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One native capture, driven by the reader thread of a {@link Capture} or {@link CaptureGroup}: when its fd is
 * readable the reader {@link #pump pumps} it, which copies what the kernel has ready into the reader's ring and hands
 * it to the handler right away. Stats and freeing are safe from any thread.
 */
final class NativeCapture {
    private static final Logger log = LoggerFactory.getLogger(NativeCapture.class);
    private static final int RECHECK_MILLIS = 10;
    private static final long RECHECK_NANOS = RECHECK_MILLIS * 1_000_000L;

    private final NamespaceSpec namespace;
    private final String device;
    private final long handle;
    private final int linkType;
    private final int fd;
    private final PacketSource source;
    private final long[] statsScratch = new long[6];
    private volatile long consumed; // read by stats() on other threads
    private long bytesUnasked; // taken into the ring since bytesTakenSinceAsked() last ran
    private long recheckAt; // System.nanoTime() of the next look at an interface that is down; 0: it is not
    private boolean freed;

    /** Opens the capture; {@code label} is what its packets' source calls the namespace. */
    NativeCapture(NamespaceSpec namespace, String label, CaptureOptions<?> o) {
        Native.ensureLoaded();
        this.namespace = namespace;
        this.device = o.device;
        this.source = new Source(namespace, label); // also proves the namespace is there before any native state
        this.handle = Native.open(namespace.path(), namespace.label(), o.device, o.filter, o.snaplen, o.bufferSize,
                o.promiscuous, o.timeoutMillis, o.immediate);
        this.linkType = Native.linkType(handle);
        this.fd = Native.fd(handle);
    }

    /**
     * Copies what the kernel has ready into the reader's ring and hands it all to the handler; returns how many packets
     * it took from the kernel. Throws {@link CaptureException} when the capture failed, after handing over what it
     * took before: the ring is empty either way, ready for the next capture of a group. Reader thread only.
     */
    int pump(RingReader reader, PacketHandler handler) {
        CaptureException failure = null;
        int taken = 0;
        try {
            taken = Native.dispatch(handle, reader.memory());
            if (taken == Native.RECHECK) {
                taken = 0;
                if (recheckAt == 0) {
                    log.info("{} in {} went down; watching whether it goes away", device, namespace);
                }
                recheckAt = System.nanoTime() + RECHECK_NANOS;
            } else if (taken == 0 && recheckAt != 0) { // packets taken while down say nothing either way
                recheckAt = 0;
                log.info("{} in {} is up again", device, namespace);
            }
        } catch (CaptureException e) {
            failure = e;
        }
        long n = 0;
        long start = reader.position();
        for (int k; (k = reader.poll(handler, linkType, source)) > 0; ) {
            n += k;
        }
        consumed += n;
        bytesUnasked += reader.position() - start;
        if (failure != null) {
            throw failure;
        }
        return taken;
    }

    /** Bytes it took from the kernel since the last call, as the ring holds them: the reader's {@link Pacing}. */
    long bytesTakenSinceAsked() {
        long bytes = bytesUnasked;
        bytesUnasked = 0;
        return bytes;
    }

    /**
     * Pumps until the kernel has nothing ready, however many ring-fulls that takes: a stop loses nothing. Bounded, as
     * traffic that keeps coming would keep it going.
     */
    void drain(RingReader reader, PacketHandler handler) {
        for (int round = 0; round < 4096 && pump(reader, handler) > 0; round++) {
            // each round takes what the ring holds
        }
    }

    /**
     * True when its interface went down and it is time to pump again to learn whether the interface went away: that
     * would not make the fd readable.
     */
    boolean recheckDue() {
        return recheckAt != 0 && System.nanoTime() - recheckAt >= 0;
    }

    /** How long the reader may wait for this capture's fd: shorter while its interface is down. */
    int waitMillis(int idleWaitMillis) {
        return recheckAt != 0 ? Math.min(idleWaitMillis, RECHECK_MILLIS) : idleWaitMillis;
    }

    /** Readable when {@link #pump} has something to take, or when the capture failed. */
    int fd() {
        return fd;
    }

    /** Frees the native side; the last counters stay readable. */
    synchronized void free() {
        if (!freed) {
            Native.stats(handle, statsScratch);
            freed = true;
            Native.free(handle);
        }
    }

    /** Counters so far (the last ones once freed). */
    synchronized CaptureStats stats() {
        if (!freed) {
            Native.stats(handle, statsScratch);
        }
        long[] s = statsScratch;
        return new CaptureStats(s[0], s[1], s[2], s[3], s[4], s[5], consumed);
    }

    NamespaceSpec namespace() { return namespace; }

    String device() { return device; }

    int linkType() { return linkType; }

    PacketSource source() { return source; }

    /** Interface names of the namespace, read once at open. */
    private static final class Source implements PacketSource {
        private final String namespace;
        private final IntObjectHashMap<String> names = new IntObjectHashMap<>();

        Source(NamespaceSpec spec, String label) {
            this.namespace = label;
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
}
