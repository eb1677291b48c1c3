package io.podcap.netfilter;

import io.podcap.ns.NamespaceSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands run inside a network namespace with {@code nsenter --net=FILE} (as they are, for the host's). */
final class NamespaceCommand {
    private NamespaceCommand() {
    }

    static List<String> inside(NamespaceSpec ns, String... command) {
        List<String> all = new ArrayList<>();
        if (!ns.isHost()) {
            all.add("nsenter");
            all.add("--net=" + ns.path());
            all.add("--");
        }
        all.addAll(List.of(command));
        return all;
    }

    /** Runs to completion; returns its output, or throws with the command and its output when it fails. */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                        + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
