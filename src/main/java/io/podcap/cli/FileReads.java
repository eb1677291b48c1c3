package io.podcap.cli;

import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;

/**
 * A command's read of a capture file: {@code -} is standard input (as for {@code tcpdump -r -}); a file that breaks
 * off (cut short, a malformed record) has had every packet before the damage delivered, so the command reports on
 * those first and fails with the file's error after.
 */
final class FileReads {
    interface Read {
        void run() throws IOException;
    }

    private FileReads() {}

    static PcapReader open(Path input) throws IOException {
        return open(input, () -> { });
    }

    /**
     * As {@link #open(Path)}; reading standard input, {@code beforeWaiting} runs before each read that would wait for
     * the writer, so that what the command has to say about the packets so far goes out while a piped capture is
     * quiet.
     */
    static PcapReader open(Path input, Runnable beforeWaiting) throws IOException {
        return input.toString().equals("-") ? PcapReader.open(new Stdin(beforeWaiting), "stdin")
                : PcapReader.open(input);
    }

    private static final class Stdin implements ReadableByteChannel {
        private final FileInputStream in = new FileInputStream(FileDescriptor.in);
        private final FileChannel channel = in.getChannel();
        private final Runnable beforeWaiting;

        Stdin(Runnable beforeWaiting) {
            this.beforeWaiting = beforeWaiting;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (in.available() == 0) { // FIONREAD: nothing in the pipe yet
                beforeWaiting.run();
            }
            return channel.read(dst);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Options a live capture uses, given with {@code --read}: an error rather than silently ignored. */
    static void liveOnly(boolean given, String options) {
        if (given) {
            throw new IllegalArgumentException("not with --read: " + options + " (a live capture's)");
        }
    }

    /** Runs the read; the file's error if it broke off (not thrown), else null. */
    static PcapFormatException untilDamaged(Read read) throws IOException {
        try {
            read.run();
            return null;
        } catch (PcapFormatException e) {
            return e;
        }
    }

    /** Throws the error untilDamaged returned, if any, once the command's results are out. */
    static void fail(PcapFormatException damage) throws PcapFormatException {
        if (damage != null) {
            throw damage;
        }
    }
}
