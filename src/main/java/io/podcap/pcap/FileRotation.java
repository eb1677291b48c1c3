package io.podcap.pcap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * When to start a new capture file, what to call it, and which old ones to delete. Rotated files are named
 * {@code <stem>-<yyyyMMdd'T'HHmmss>-<seq>.pcapng} (UTC, 5-digit sequence from 00001) next to the given path.
 * Only files this rotation created are ever deleted.
 */
final class FileRotation {
    private static final Logger log = LoggerFactory.getLogger(FileRotation.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path base;
    private final long sizeBytes;
    private final long millis;
    private final int keep;
    private final ArrayDeque<Path> created = new ArrayDeque<>();
    private int seq;

    /** @param sizeBytes 0 for no size limit; @param seconds 0 for no time limit; @param keep 0 to keep all */
    FileRotation(Path base, long sizeBytes, long seconds, int keep) {
        if (sizeBytes < 0 || seconds < 0 || keep < 0) {
            throw new IllegalArgumentException("rotation limits must not be negative");
        }
        this.base = base;
        this.sizeBytes = sizeBytes;
        this.millis = Math.multiplyExact(seconds, 1000L);
        this.keep = keep;
    }

    boolean enabled() {
        return sizeBytes > 0 || millis > 0;
    }

    boolean bySize() {
        return sizeBytes > 0;
    }

    boolean byTime() {
        return millis > 0;
    }

    /** Whether a block of {@code blockLen} bytes would push a file that already holds packets over the size limit. */
    boolean sizeExceeded(long fileBytes, int blockLen) {
        return fileBytes + blockLen > sizeBytes;
    }

    boolean timeExceeded(long fileOpenedMillis, long nowMillis) {
        return nowMillis - fileOpenedMillis >= millis;
    }

    /** The name of the next file; the same as the base when rotation is off. */
    Path nextPath(long nowMillis) {
        if (!enabled()) {
            return base;
        }
        String name = base.getFileName().toString();
        String stem = name.endsWith(".pcapng") ? name.substring(0, name.length() - 7)
                : name.endsWith(".pcap") ? name.substring(0, name.length() - 5) : name;
        String file = String.format(Locale.ROOT, "%s-%s-%05d.pcapng",
                stem, STAMP.format(Instant.ofEpochMilli(nowMillis)), ++seq);
        return base.resolveSibling(file);
    }

    /** Records a newly created file and deletes the oldest ones beyond {@code keep} (the new one counts). */
    void created(Path file) {
        if (!enabled() || keep == 0) {
            return;
        }
        created.addLast(file);
        while (created.size() > keep) {
            Path old = created.removeFirst();
            try {
                Files.deleteIfExists(old);
                log.debug("deleted rotated capture file {}", old);
            } catch (IOException e) {
                log.warn("could not delete old capture file {}: {}", old, e.toString());
            }
        }
    }
}
