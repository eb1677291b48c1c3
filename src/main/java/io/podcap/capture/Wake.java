package io.podcap.capture;

/**
 * A reader thread's doorbell: an eventfd that other threads ring (stop, add, remove) and that the reader waits on
 * together with its captures' fds. Ringing after close is a no-op, never a write to a recycled descriptor.
 */
final class Wake {
    private final int fd = Native.wakeOpen();
    private boolean closed; // guarded by this

    synchronized void signal() {
        if (!closed) {
            Native.wakeSignal(fd);
        }
    }

    /**
     * Waits up to timeoutMillis for a signal or for one of the first count fds to become readable (ready[i] nonzero);
     * false on timeout. Reader thread only.
     */
    boolean poll(int[] fds, int count, int timeoutMillis, int[] ready) {
        return Native.wakePoll(fd, fds, count, timeoutMillis, ready);
    }

    /** Waits up to timeoutMillis for a signal only. Reader thread only. */
    void await(int timeoutMillis) {
        Native.wakeWait(fd, timeoutMillis);
    }

    synchronized void close() {
        if (!closed) {
            closed = true;
            Native.closeFd(fd);
        }
    }
}
