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
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dpodcap.native.lib=" + System.getProperty("podcap.native.lib"),
                "io.podcap.cli.Main"));
        command.addAll(List.of(args));
        File out = File.createTempFile("podcap-cli", ".out");
        File err = File.createTempFile("podcap-cli", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
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
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dpodcap.native.lib=" + System.getProperty("podcap.native.lib"),
                "io.podcap.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).start();
    }
}
