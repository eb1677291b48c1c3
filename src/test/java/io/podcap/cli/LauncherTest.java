package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Tools;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./podcap} launcher: its JVM options apply, the JVM's own warnings never reach stdout, on JDK 25 or later
 * it makes an AOT cache once and starts with it, and a JDK 17 gets neither that nor the later JDKs' options.
 */
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
        pb.environment().put("PODCAP_AOT", "0"); // not about the cache (the test below is)
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

    @Test
    void onJdk25OrLaterMakesAnAotCacheOnceAndRunsWithIt() throws Exception {
        if (!jdk25OrLater()) {
            String why = "no JDK 25 or later in /usr/lib/jvm, so the launcher makes no AOT cache";
            assertFalse("true".equals(System.getenv("CI")), why);
            Assumptions.abort(why);
        }
        Tools.require("tcpdump");
        Path jar = cliJar();
        Path warmUp = dir.resolve("warm-up.pcap");
        Path pcap = dir.resolve("small.pcap");
        TrainCommand.writeClassicPcap(warmUp);
        Tools.run("tcpdump", "-r", warmUp.toString(), "-c", "1000", "-w", pcap.toString()).ok();

        String[] first = launch(jar, "", "--version");
        assertTrue(first[0].matches("podcap \\S+\n"), first[1]);
        assertTrue(first[1].contains("making the JVM's AOT cache"), first[1]);
        List<String> made = besideTheJar(jar);
        assertEquals(1, made.size(), "only the cache, no temporary file or training log: " + made);
        assertTrue(made.get(0).matches("cli\\.jar\\.jdk[0-9.]+\\.aot"), made.toString());

        // AOTMode=on: the JVM refuses to start unless it can use the cache
        String[] second = launch(jar, "-XX:AOTMode=on", "flows", "--read", pcap.toString());
        assertFalse(second[1].contains("making"), second[1]);
        assertTrue(second[1].contains("1,000 packets read"), second[1]);
    }

    @Test
    void onJdk17RunsWithoutTheLaterJdksOptionsOrACache() throws Exception {
        if (Runtime.version().feature() >= 22) {
            String why = "the tests run on JDK " + Runtime.version().feature() + ", not on one before 22";
            assertFalse("true".equals(System.getenv("CI")), why);
            Assumptions.abort(why);
        }
        // JDK 17 refuses JDK 23's --sun-misc-unsafe-memory-access: it starts only if the launcher read its version
        String[] run = launch(jarOfTheTestClasspath(), "", Map.of("PODCAP_JAVA",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()), "--version");
        assertTrue(run[0].matches("podcap \\S+\n"), run[1]);
        assertFalse(run[1].contains("AOT"), run[1]);
        assertEquals(List.of(), besideTheJar(dir.resolve("cli.jar")));
    }

    private String[] launch(Path jar, String javaOpts, String... args) throws Exception {
        return launch(jar, javaOpts, Map.of(), args);
    }

    /**
     * Runs ./podcap with this jar, these JVM options and environment (the JVM of its own choice unless it says);
     * returns stdout and stderr, after checking exit 0.
     */
    private String[] launch(Path jar, String javaOpts, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of("podcap").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PODCAP_JAR", jar.toString());
        pb.environment().put("PODCAP_JAVA_OPTS", javaOpts);
        pb.environment().remove("PODCAP_JAVA");
        pb.environment().remove("PODCAP_AOT");
        pb.environment().putAll(env);
        File out = dir.resolve("out").toFile();
        File err = dir.resolve("err").toFile();
        Process p = pb.redirectOutput(out).redirectError(err).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not finish in 120 s");
        String[] both = {Files.readString(out.toPath()), Files.readString(err.toPath())};
        assertEquals(0, p.exitValue(), () -> "--- stdout\n" + both[0] + "--- stderr\n" + both[1]);
        return both;
    }

    private static boolean jdk25OrLater() throws IOException {
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes.toList()) {
                Path release = home.resolve("release");
                if (Files.isRegularFile(release) && Files.isExecutable(home.resolve("bin/java"))) {
                    for (String line : Files.readAllLines(release)) {
                        if (line.matches("JAVA_VERSION=\"(2[5-9]|[3-9][0-9])[.\"].*")) {
                            return true;
                        }
                    }
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        return false;
    }

    private List<String> besideTheJar(Path jar) throws IOException {
        try (Stream<Path> files = Files.list(jar.getParent())) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("cli.jar.")).sorted().toList();
        }
    }

    /**
     * The CLI's classes and this test run's dependencies in one runnable jar, as the package step makes it (an AOT
     * cache takes jars only, not the class directories of a test run).
     */
    private Path cliJar() throws IOException {
        Manifest m = manifest();
        Path jar = dir.resolve("cli.jar");
        Set<String> added = new HashSet<>();
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os, m)) {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path e = Path.of(entry);
                if (Files.isDirectory(e)) {
                    if (!e.endsWith("test-classes")) {
                        try (Stream<Path> files = Files.walk(e)) {
                            for (Path f : files.filter(Files::isRegularFile).toList()) {
                                add(j, added, e.relativize(f).toString(), Files.newInputStream(f));
                            }
                        }
                    }
                } else if (entry.endsWith(".jar")) {
                    try (JarFile in = new JarFile(e.toFile())) {
                        for (JarEntry je : Collections.list(in.entries())) {
                            if (!je.isDirectory()) {
                                add(j, added, je.getName(), in.getInputStream(je));
                            }
                        }
                    }
                }
            }
        }
        return jar;
    }

    private static void add(JarOutputStream j, Set<String> added, String name, InputStream in) throws IOException {
        try (in) {
            if (name.equals("META-INF/MANIFEST.MF") || name.matches("META-INF/[^/]*\\.(SF|RSA|DSA)")
                    || name.endsWith("module-info.class") || name.startsWith("META-INF/versions/") || !added.add(name)) {
                return;
            }
            j.putNextEntry(new JarEntry(name));
            in.transferTo(j);
            j.closeEntry();
        }
    }

    /** A jar of only a manifest: the CLI's main class and this test run's classpath (no package step needed). */
    private Path jarOfTheTestClasspath() throws IOException {
        Manifest m = manifest();
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

    /** A runnable jar's manifest: the CLI's main class. */
    private static Manifest manifest() {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        return m;
    }
}
