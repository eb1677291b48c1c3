package io.podcap.capture;

import java.nio.ByteBuffer;

/**
 * The JNI surface of libpodcap. Internal: public only so the other podcap packages can reach it. Natives are
 * registered by the library's JNI_OnLoad; none of them is called per packet. Errors arrive as
 * IllegalArgumentException (bad input), {@link CapturePermissionException} or {@link CaptureException}.
 */
public final class Native {
    static {
        NativeLibrary.load();
    }

    private Native() {}

    /** Forces the library to load, throwing a clear error when it cannot. */
    public static void ensureLoaded() {}

    /** The C side's ring layout, compared with {@link RingDescriptor} at load. */
    static native long[] ringLayout();

    /**
     * Activates a capture inside the namespace (nsPath null: this process's) and returns its handle; it has no
     * thread of its own: the reader polls {@link #fd} and calls {@link #dispatch}.
     */
    static native long open(String nsPath, String nsLabel, String device, String filter, int snaplen, int bufferSize,
                            boolean promisc, int timeoutMs, boolean immediate);

    static native int linkType(long handle);

    static native int ifindex(long handle);

    /** Readable when the kernel has packets ready for {@link #dispatch}, or when the capture failed. */
    static native int fd(long handle);

    /** What {@link #dispatch} returns when it took nothing and wants to be called again soon (the C side says why). */
    static final int RECHECK = -2;

    /**
     * Copies the packets the kernel has ready into the ring, as many as fit, without waiting; returns how many it
     * took, or {@link #RECHECK}. Throws {@link CaptureException} when the capture failed (its interface went away).
     */
    static native int dispatch(long handle, ByteBuffer ring);

    /** Fills received, kernel dropped, interface dropped (-1 unknown), ring dropped, delivered, bytes. */
    static native void stats(long handle, long[] out);

    static native void free(long handle);

    static native int wakeOpen();

    /** Waits for the eventfd; true when it was signalled, false on timeout. */
    static native boolean wakeWait(int fd, int timeoutMs);

    static native void wakeSignal(int fd);

    /**
     * Waits up to timeoutMs until wakeFd is signalled (consuming the signal) or one of the first count fds is readable;
     * ready[i] is then nonzero for those that are. False on timeout.
     */
    static native boolean wakePoll(int wakeFd, int[] fds, int count, int timeoutMs, int[] ready);

    static native void closeFd(int fd);

    /** A native thread that publishes count numbered records into the ring (tests and benchmarks). */
    static native long seqgenStart(ByteBuffer ring, int wakeFd, long count, int payloadLength, boolean waitWhenFull);

    /** Waits for the generator and returns how many records it published. */
    static native long seqgenJoin(long handle);

    public static native String libpcapVersion();

    /** libpcap's program for a filter expression, packed as code << 48 | jt << 40 | jf << 32 | k per instruction. */
    static native long[] compileFilter(String expression, int linkType, int snaplen);

    /**
     * The interfaces inside a namespace (nsPath null: this process's), read over rtnetlink. One line per interface,
     * fields as io.podcap.ns.NetInterface parses them.
     */
    public static native String[] links(String nsPath, String nsLabel);
}
