package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The process's standard output for the commands' data, and what became of writing it. A {@link PrintStream} keeps
 * its write errors to itself; this stream under it keeps the first, so that a command whose reader went away
 * ({@code | head}) stops reading and capturing instead of printing into a closed pipe, and ends quietly with status
 * 141, as SIGPIPE ends tcpdump. Other write errors (a full disk) end it with their message.
 */
final class Stdout extends FileOutputStream {
    static final int EXIT_READER_GONE = 128 + 13; // SIGPIPE

    private static volatile IOException failure;

    private Stdout() {
        super(FileDescriptor.out);
    }

    static PrintStream stream(int bufferBytes, boolean autoFlush) {
        return new PrintStream(new BufferedOutputStream(new Stdout(), bufferBytes), autoFlush, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) throws IOException {
        try {
            super.write(b);
        } catch (IOException e) {
            record(e);
            throw e;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            super.write(b, off, len);
        } catch (IOException e) {
            record(e);
            throw e;
        }
    }

    /** Records a failed write to stdout made some other way (a pcap written to {@code -}). */
    static void record(IOException e) {
        if (failure == null) {
            failure = e;
        }
    }

    static boolean failed() {
        return failure != null;
    }

    /** Throws the first error writing stdout met, if any. */
    static void check() {
        IOException e = failure;
        if (e != null) {
            throw new IllegalStateException("cannot write to stdout: " + e.getMessage(), e);
        }
    }

    /** Whether {@code e} or a cause of it is a write into a pipe whose reader went away. */
    static boolean readerGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException && "Broken pipe".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** For a file read: {@code next}, and after each batch {@link #check()}, so that a read stops soon after. */
    static PacketHandler checked(PacketHandler next) {
        return new ForwardingHandler(next) {
            @Override
            public void onBatchEnd() {
                next.onBatchEnd();
                check();
            }
        };
    }
}
