package io.podcap.capture;

import java.time.Duration;
import java.util.Objects;

/**
 * What every native capture is opened with: interface, filter, sizes, timing. Shared by {@link Capture.Builder} and
 * {@link CaptureGroup.Builder}, where each namespace of a group gets its own native capture with these settings.
 */
public abstract class CaptureOptions<B extends CaptureOptions<B>> {
    String device = "any";
    String filter = "";
    int snaplen = 262_144;
    int bufferSize = 32 << 20;
    boolean promiscuous;
    int timeoutMillis = 100;
    boolean immediate;
    int ringSize = 1 << 20;
    int batchSize = 256;
    int wakeIntervalMillis = -1; // -1: adapting, from the buffer size
    PacketHandler handler;

    CaptureOptions() {}

    /** The reader's ring, checked to hold a packet of the snap length. */
    RingReader newRing() {
        if (RingDescriptor.alignedLength(snaplen) + RingDescriptor.ALIGNMENT > ringSize) {
            throw new IllegalArgumentException("snaplen " + snaplen + " does not fit a ring of " + ringSize + " bytes");
        }
        return new RingReader(RingReader.allocate(ringSize), batchSize);
    }

    /** How long a reader with nothing to read waits before it tells its handler it is idle. */
    int idleWaitMillis() {
        return Math.min(timeoutMillis, 100);
    }

    /** The reader's pacing: the interval given, none when {@link #immediate}, else adapting from the buffer's. */
    Pacing newPacing() {
        return wakeIntervalMillis < 0 && !immediate ? Pacing.adaptive(wakeIntervalMillis(), bufferSize)
                : Pacing.fixed(wakeIntervalMillis());
    }

    /** The wake interval in ms: none when {@link #immediate}; by default the buffer's, where adapting starts. */
    int wakeIntervalMillis() {
        if (immediate) {
            return 0;
        }
        return wakeIntervalMillis >= 0 ? wakeIntervalMillis : (int) Math.min(50, bufferSize / 200_000L); // 200 MB/s
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Interface inside the namespace, or {@code any} (default) for all of them. */
    public B device(String device) {
        this.device = Objects.requireNonNull(device, "device");
        return self();
    }

    /** A BPF expression (tcpdump syntax), compiled by libpcap for the interface's link type. */
    public B filter(String filter) {
        this.filter = filter == null ? "" : filter;
        return self();
    }

    /** Bytes kept of each packet (default 262144: all of it). */
    public B snaplen(int snaplen) {
        this.snaplen = positive(snaplen, "snaplen");
        return self();
    }

    /**
     * The kernel's capture buffer in bytes (default 32 MiB): what waits there while the reader is busy (a slow handler,
     * a GC pause) before the kernel drops.
     */
    public B bufferSize(int bytes) {
        this.bufferSize = positive(bytes, "buffer size");
        return self();
    }

    public B promiscuous(boolean promiscuous) {
        this.promiscuous = promiscuous;
        return self();
    }

    /** How long the kernel may hold packets to fill a block (default 100 ms); see {@link #immediate}. */
    public B timeout(Duration timeout) {
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, positive(timeout.toMillis(), "timeout"));
        return self();
    }

    /** Deliver each packet as soon as it arrives, at some cost in CPU per packet. */
    public B immediate(boolean immediate) {
        this.immediate = immediate;
        return self();
    }

    /**
     * Bytes of the reader's ring, a power of two that holds a packet of the snap length (default 1 MiB). The reader
     * copies what the kernel has ready into it and hands it to the handler at once, so it stays in the CPU's cache; a
     * capture group's members share one.
     */
    public B ringSize(int bytes) {
        RingDescriptor.checkCapacity(bytes);
        this.ringSize = bytes;
        return self();
    }

    /**
     * While packets flow, the reader looks at the kernel's buffer at most once per this interval (0 to 1000 ms; none
     * with {@link #immediate}): having caught up, it waits out the rest of the interval, so that its next look takes
     * several kernel blocks. What a handler touches goes cold in the CPU's caches while the reader sleeps, so fewer,
     * larger wake-ups cost less CPU per packet. Packets reach the handler up to this much later, and the kernel's
     * buffer holds up to an interval's traffic more; a reader busy for a whole interval does not wait. Stopping (and
     * adding or removing group members) cuts a wait short.
     *
     * <p>Not given, it adapts to the traffic: it starts at the time 200 MB/s takes to fill the {@link #bufferSize}, at
     * most 50 ms (50 ms for 32 MiB, 20 ms for 4 MiB), and then each round is the time the fullest buffer would take to
     * fill a quarter at the rate it has been filling, so that the traffic can grow fourfold during a wait without a
     * drop; at most twice the round before and at most 200 ms, and back to the start after an idle spell.
     */
    public B wakeInterval(Duration interval) {
        long millis = interval.toMillis();
        if (millis < 0 || millis > 1000) {
            throw new IllegalArgumentException("wake interval must be 0 to 1000 ms, not " + millis + " ms");
        }
        this.wakeIntervalMillis = (int) millis;
        return self();
    }

    /** Most packets per batch handed to the handler (default 256). */
    public B batchSize(int packets) {
        this.batchSize = positive(packets, "batch size");
        return self();
    }

    /** Receives the packets, on the reader thread. */
    public B handler(PacketHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        return self();
    }

    /** These options into another builder, so that changing this one later does not reach what was opened. */
    void copyTo(CaptureOptions<?> o) {
        o.device = device;
        o.filter = filter;
        o.snaplen = snaplen;
        o.bufferSize = bufferSize;
        o.promiscuous = promiscuous;
        o.timeoutMillis = timeoutMillis;
        o.immediate = immediate;
        o.ringSize = ringSize;
        o.batchSize = batchSize;
        o.wakeIntervalMillis = wakeIntervalMillis;
        o.handler = handler;
    }

    void requireHandler(String what) {
        if (handler == null) {
            throw new IllegalStateException(what + " needs a handler");
        }
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
