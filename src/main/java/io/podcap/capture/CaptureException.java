package io.podcap.capture;

/** A capture could not start or failed while running; the message carries the system's reason (errno text). */
public class CaptureException extends RuntimeException {
    private final int errno;

    public CaptureException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The errno behind the failure, 0 when there was none. */
    public int errno() { return errno; }
}
