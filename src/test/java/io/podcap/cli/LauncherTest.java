package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./podcap} launcher: its JVM options apply, and the JVM's own warnings never reach stdout. */
class LauncherTest {
    @TempDir
    Path dir;

    @Test
    void jvmWarningsGoToStderrAndTheSerialCollectorRuns() throws Exception {
        // -XX:+UseLargePages (not transparent ones) without huge pages reserved makes the JVM warn, by default on
        // stdout, where a pcap written with -w - or the JSON lines would be
        boolean noneReserved = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .anyMatch(l -> l.matches("HugePages_Total:\\s+0"));
        if (!noneReserved) {
            String why = "huge pages are reserved here (/proc/meminfo), so -XX:+UseLargePages would not warn";
            assertFalse("true".equals(System.getenv("CI")), why);
            Assumptions.abort(why);
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of("podcap").toAbsolutePath().toString(), "--version");
        pb.environment().put("PODCAP_JAR", jarOfTheTestClasspath().toString());
        pb.environment().put("PODCAP_JAVA_OPTS", "-XX:+UseLargePages -XX:-UseTransparentHugePages -Xlog:gc=info:stderr");
        File out = dir.resolve("out").toFile();
        File err = dir.resolve("err").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish in 60 s");
        String stdout = Files.readString(out.toPath());
        String stderr = Files.readString(err.toPath());
        String both = "--- stdout\n" + stdout + "--- stderr\n" + stderr;
        assertEquals(0, p.exitValue(), both);
        assertTrue(stdout.matches("podcap \\S+\n"), both);
        assertTrue(stderr.contains("UseLargePages"), both);
        assertTrue(stderr.contains("Using Serial"), both);
    }

    /** A jar of only a manifest: the CLI's main class and this test run's classpath (no package step needed). */
    private Path jarOfTheTestClasspath() throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                        .map(e -> Path.of(e).toAbsolutePath().toUri().toString())
                        .collect(Collectors.joining(" ")));
        Path jar = dir.resolve("cli.jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os, m)) {
            j.flush();
        }
        return jar;
    }
}
