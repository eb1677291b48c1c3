package io.podcap.cli;

import picocli.CommandLine.Option;

/** How capture files are cut and trimmed: rotation, how many to keep, how much payload to keep. */
final class PcapOptions {
    @Option(names = "--rotate-size", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Start a new file before packets would grow one past SIZE (e.g. 100M, 1G);"
                    + " its statistics blocks come on top.")
    long rotateSize;

    @Option(names = "--rotate-seconds", paramLabel = "S", description = "Start a new file every S seconds.")
    long rotateSeconds;

    @Option(names = "--keep", paramLabel = "N", description = "Keep the newest N rotated files, deleting older ones.")
    int keep;

    @Option(names = "--payload-bytes", paramLabel = "N", defaultValue = "-1",
            description = "Write at most N bytes of each packet after its headers (headers are always kept).")
    int payloadBytes;

    boolean rotating() {
        return rotateSize > 0 || rotateSeconds > 0;
    }

    /** Throws for options that make no sense together, before anything is opened. */
    void check(String output) {
        if (rotateSize < 0 || rotateSeconds < 0 || keep < 0 || payloadBytes < -1) {
            throw new IllegalArgumentException("--rotate-size, --rotate-seconds, --keep and --payload-bytes"
                    + " must not be negative");
        }
        boolean any = rotating() || keep > 0 || payloadBytes >= 0;
        if (any && (output == null || "-".equals(output))) {
            throw new IllegalArgumentException("--rotate-*, --keep and --payload-bytes need -w FILE");
        }
        if (keep > 0 && !rotating()) {
            throw new IllegalArgumentException("--keep needs --rotate-size or --rotate-seconds");
        }
    }
}
