package io.podcap.cli;

import io.podcap.pcap.PcapFormatException;
import java.io.IOException;

/**
 * A command's read of a capture file that breaks off (cut short, a malformed record): the reader has delivered every
 * packet before the damage, so the command reports on those first and fails with the file's error after.
 */
final class FileReads {
    interface Read {
        void run() throws IOException;
    }

    private FileReads() {}

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
