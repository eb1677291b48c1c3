package io.podcap.cli;

import io.podcap.pcap.PcapFormatException;
import io.podcap.pcap.PcapReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
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
        return input.toString().equals("-")
                ? PcapReader.open(new FileInputStream(FileDescriptor.in).getChannel(), "stdin")
                : PcapReader.open(input);
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
