package io.podcap.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the podcap CLI as a separate process, as a user would, with this test run's classpath and native library. */
public final class Cli {
    private Cli() {}

    /** What a run printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }

        /** Bad input: exit status 2 and one line on stderr, {@code podcap: ...} containing {@code expected}. */
        public void assertUsageError(String expected) {
            org.junit.jupiter.api.Assertions.assertEquals(2, exitCode, this::toString);
            String err = stderr.strip();
            org.junit.jupiter.api.Assertions.assertTrue(!err.contains("\n") && err.startsWith("podcap: ")
                    && err.contains(expected), this::toString);
        }
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(), null, args);
    }

    /** Runs the CLI with {@code input} written into its standard input through a pipe, then the pipe closed. */
    public static Result runPiped(byte[] input, String... args) throws IOException, InterruptedException {
        return run(List.of(), input, args);
    }

    /** Runs the CLI without one capability (e.g. {@code net_raw}), dropped from its bounding set by setpriv(1). */
    public static Result runWithout(String capability, String... args) throws IOException, InterruptedException {
        Tools.require("setpriv");
        return run(List.of("setpriv", "--inh-caps=-" + capability, "--bounding-set=-" + capability, "--"), null,
                args);
    }

    /**
     * Starts the CLI in the background, its stdout and stderr going to the given files; the caller ends it (and
     * must, also when the test fails).
     */
    public static Process start(Path stdout, Path stderr, String... args) throws IOException {
        return new ProcessBuilder(command(List.of(), args)).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).start();
    }

    private static List<String> command(List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dpodcap.native.lib=" + System.getProperty("podcap.native.lib"),
                "io.podcap.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private static Result run(List<String> prefix, byte[] input, String... args)
            throws IOException, InterruptedException {
        List<String> command = command(prefix, args);
        File out = File.createTempFile("podcap-cli", ".out");
        File err = File.createTempFile("podcap-cli", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            try (var stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input); // stdout and stderr go to files: the CLI reads this while it runs
                }
            } catch (IOException closedEarly) {
                // the CLI stopped reading (e.g. it failed): its exit status and stderr tell
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("podcap " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** Starts the CLI without waiting, for tests that signal it; the caller reads its streams and ends it. */
    public static Process start(String... args) throws IOException {
        return new ProcessBuilder(command(List.of(), args)).start();
    }
}
