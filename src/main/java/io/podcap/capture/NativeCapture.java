package io.podcap.capture;

import io.netty.util.collection.IntObjectHashMap;
import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.nio.ByteBuffer;

/**
 * One native capture thread and the Java side of its ring, without a reader thread of its own: {@link Capture} and
 * {@link CaptureGroup} drive {@link #poll} from theirs. Stats and freeing are safe from any thread.
 */
final class NativeCapture {
    private final NamespaceSpec namespace;
    private final String device;
    private final long handle;
    private final int linkType;
    private final RingReader reader;
    private final long[] statsScratch = new long[6];
    private boolean freed;

    /**
     * Opens the capture; {@code label} is what its packets' source calls the namespace, {@code sharedWakeFd} an
     * eventfd to signal instead of an own one (-1: own).
     */
    NativeCapture(NamespaceSpec namespace, String label, CaptureOptions<?> o, int sharedWakeFd) {
        Native.ensureLoaded();
        this.namespace = namespace;
        this.device = o.device;
        Source source = new Source(namespace, label); // also proves the namespace is there before any native state
        ByteBuffer ring = RingReader.allocate(o.ringSize);
        this.handle = Native.open(namespace.path(), namespace.label(), o.device, o.filter, o.snaplen, o.bufferSize,
                o.promiscuous, o.timeoutMillis, o.immediate, ring, sharedWakeFd);
        this.linkType = Native.linkType(handle);
        this.reader = new RingReader(ring, o.batchSize, linkType, source);
    }

    /** Hands up to one batch to the handler; returns how many packets. Reader thread only. */
    int poll(PacketHandler handler) {
        return reader.poll(handler);
    }

    /** Whether a packet waits in the ring. Reader thread only. */
    boolean available() {
        return reader.available();
    }

    /** Asks for a signal on the next publication; true when something is there already. Reader thread only. */
    boolean park() {
        return reader.park();
    }

    /** False once the native thread has ended (stopped or failed); what it published is visible by then. */
    boolean running() {
        return Native.running(handle);
    }

    /** Why the native thread failed, or null. */
    String failure() {
        return Native.failure(handle);
    }

    int wakeFd() {
        return Native.wakeFd(handle);
    }

    synchronized void stop() {
        if (!freed) {
            Native.stop(handle);
        }
    }

    /** Stops if needed and frees the native side; the last counters stay readable. */
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
        return new CaptureStats(s[0], s[1], s[2], s[3], s[4], s[5], reader.consumed());
    }

    NamespaceSpec namespace() { return namespace; }

    String device() { return device; }

    int linkType() { return linkType; }

    PacketSource source() { return reader.source(); }

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
