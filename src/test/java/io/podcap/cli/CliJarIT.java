package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The CLI jar as the package phase leaves it (failsafe, after package): picocli's classes in it are the ones rebuilt
 * for this release, which the JVM's AOT cache can hold (see the pom), none missing, and the jar runs.
 */
class CliJarIT {
    private static final Path JAR = Path.of(Objects.requireNonNull(System.getProperty("podcap.cli.jar"),
            "podcap.cli.jar: the CLI jar, set by the pom's failsafe configuration"));

    @Test
    void picocliIsRebuiltForThisReleaseClassForClass() throws IOException {
        Set<String> shipped = new TreeSet<>();
        try (JarFile cli = new JarFile(JAR.toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) cli.stream()::iterator) {
                if (e.getName().startsWith("picocli/") && e.getName().endsWith(".class")) {
                    shipped.add(e.getName());
                    try (InputStream in = cli.getInputStream(e)) {
                        assertTrue(majorVersion(in) >= 61, e.getName() + " is not a Java 17 class file");
                    }
                }
            }
        }
        Set<String> original = new TreeSet<>();
        Path picocliJar = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        try (JarFile jar = new JarFile(picocliJar.toFile())) {
            jar.stream().map(JarEntry::getName).filter(n -> n.startsWith("picocli/") && n.endsWith(".class"))
                    .forEach(original::add);
        }
        assertTrue(original.size() > 100, "picocli's own jar: " + picocliJar);
        assertEquals(original, shipped);
    }

    @Test
    void theJarRunsItsCommands() throws Exception {
        assertEquals("podcap 0.1.0", run("--version").strip());
        assertTrue(run("flows", "--help").contains("--read=FILE"), "flows --help");
    }

    private static int majorVersion(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        assertEquals(0xCAFEBABE, in.readInt());
        in.readUnsignedShort(); // minor
        return in.readUnsignedShort();
    }

    private static String run(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("podcap-cli", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "podcap " + String.join(" ", args) + " did not end");
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
