package io.podcap.pcap;

import java.io.IOException;
import java.nio.file.Path;

/** A capture file that is not pcap/pcapng, or is truncated or malformed. The message is one line naming the file. */
public final class PcapFormatException extends IOException {
    private final transient Path file;
    private final long byteOffset;

    PcapFormatException(Path file, long byteOffset, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.byteOffset = byteOffset;
    }

    public Path file() {
        return file;
    }

    /** Where in the file the problem is, or -1 when it is not about one place. */
    public long byteOffset() {
        return byteOffset;
    }
}
