package io.podcap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** For tests that change the host's network state: they need root and iproute2. */
public final class Root {
    private Root() {}

    /**
     * Returns when the test can run as root with ip(8). Otherwise skips the test with the reason, except in CI
     * (CI=true), where a missing prerequisite is a failure: there the namespace tests must run, not vanish.
     */
    public static void assume() {
        String missing = missing();
        if (missing == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(missing + " (CI=true, so this fails instead of skipping)");
        }
        Assumptions.abort(missing + "; skipped outside CI");
    }

    private static String missing() {
        try {
            // /proc/self belongs to the process's effective uid
            if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                return "needs root to create network namespaces";
            }
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot tell whether this runs as root (" + e + ")";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip")) && !Files.isExecutable(Path.of("/bin/ip"))) {
            return "needs ip(8) from iproute2";
        }
        return null;
    }
}
