package io.podcap.pcap;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/** Opens capture outputs: regular files owner-only (0600), devices and pipes as they are, {@code -} as stdout. */
final class OutputFiles {
    static final Set<PosixFilePermission> OWNER_RW =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_RW_ATTR =
            PosixFilePermissions.asFileAttribute(OWNER_RW);

    private OutputFiles() {
    }

    /** stdout is spelled {@code -}, as in tcpdump. */
    static boolean isStdout(Path path) {
        return path.toString().equals("-");
    }

    /** Whether the path is something other than a regular file that already exists (a device, a FIFO). */
    static boolean isSpecial(Path path) {
        return isStdout(path) || (Files.exists(path) && !Files.isRegularFile(path));
    }

    static FileChannel open(Path path) throws IOException {
        if (isStdout(path)) {
            return new FileOutputStream(FileDescriptor.out).getChannel();
        }
        if (isSpecial(path)) {
            // /dev/null, a FIFO: no truncation, no chmod
            return FileChannel.open(path, StandardOpenOption.WRITE);
        }
        boolean existed = Files.exists(path);
        // mode 0600 from the start, so the capture is never readable by others, not even briefly
        FileChannel ch = FileChannel.open(path, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), OWNER_RW_ATTR);
        if (existed) {
            try {
                Files.setPosixFilePermissions(path, OWNER_RW);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }
        return ch;
    }
}
