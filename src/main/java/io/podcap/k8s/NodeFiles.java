package io.podcap.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading a node's files that may vanish or be unreadable at any moment: never an exception, an empty answer. */
final class NodeFiles {
    private static final Logger log = LoggerFactory.getLogger(NodeFiles.class);
    private static final long MAX_TEXT_BYTES = 1 << 20;

    private NodeFiles() {}

    /** The entries of a directory, sorted; none when it is missing or unreadable. */
    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        } catch (IOException | RuntimeException e) {
            log.debug("cannot list {}: {}", dir, e.toString());
        }
        out.sort(null);
        return out;
    }

    /** A small text file (procfs reports size 0, so the cap applies to what is read), or null. */
    static String read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= MAX_TEXT_BYTES ? text : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
