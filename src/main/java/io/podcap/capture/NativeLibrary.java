package io.podcap.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Loads libpodcap: from {@code -Dpodcap.native.lib=FILE} when set (builds and tests), else extracted from the jar's
 * {@code META-INF/native/linux-ARCH/} into {@code -Dpodcap.native.dir} (default: the temp directory), as Netty does.
 */
final class NativeLibrary {
    private static final String NAME = "libpodcap.so";

    private NativeLibrary() {}

    static void load() {
        String explicit = System.getProperty("podcap.native.lib");
        Path file = explicit != null ? Paths.get(explicit) : extract();
        try {
            System.load(file.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError("cannot load " + file + ": " + e.getMessage()
                    + (explicit == null ? " (if the directory is mounted noexec, set -Dpodcap.native.dir)" : ""));
        }
        RingDescriptor.verify(Native.ringLayout());
    }

    private static Path extract() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String resource = "/META-INF/native/linux-" + arch + "/" + NAME;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("podcap has no native library for linux-" + arch + " (" + resource + ")");
            }
            Path dir = Paths.get(System.getProperty("podcap.native.dir", System.getProperty("java.io.tmpdir")));
            Path file = Files.createTempFile(dir, "libpodcap-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("cannot extract " + resource + ": " + e);
        }
    }
}
