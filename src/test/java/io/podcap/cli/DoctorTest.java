package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code podcap doctor} as a process: all green as root, and naming what is missing with capabilities dropped. */
class DoctorTest {
    private static final List<String> CRITICAL = List.of("CAP_NET_RAW", "CAP_SYS_ADMIN", "native library",
            "capture", "setns");

    @TempDir
    Path dir;

    private static String line(Cli.Result r, String check) {
        return r.stdout().lines().filter(l -> l.length() > 6 && l.substring(6).startsWith(check + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no " + check + " line in " + r));
    }

    @Test
    void asRootEveryCaptureCriticalCheckPasses() throws Exception {
        Root.assume();
        Cli.Result r = Cli.run("doctor");
        assertEquals(0, r.exitCode(), r::toString);
        for (String check : CRITICAL) {
            assertTrue(line(r, check).startsWith("OK "), () -> check + ": " + r);
        }
        assertTrue(line(r, "native library").contains("libpcap version"), r::toString);
        assertTrue(r.stdout().strip().endsWith("capture can work here"), r::toString);
    }

    @Test
    void hostRootIsWhereNodeDirectoriesAreLookedFor() throws Exception {
        Root.assume();
        Files.createDirectories(dir.resolve("run/netns"));
        Files.createFile(dir.resolve("run/netns/cni-1234"));
        Files.createDirectories(dir.resolve("var/lib/kubelet/pods"));
        Cli.Result r = Cli.run("doctor", "--host-root", dir.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(line(r, "/run/netns").startsWith("OK ") && line(r, "/run/netns").contains("1 named namespace in "),
                r::toString);
        assertTrue(line(r, "kubelet").startsWith("OK ") && line(r, "kubelet").contains(dir.toString()), r::toString);
        assertTrue(line(r, "containerd").startsWith("WARN") && line(r, "CRI-O").startsWith("WARN"), r::toString);
        assertTrue(line(r, "/proc namespaces").startsWith("WARN"), "no proc under the fake root: " + r);
    }

    @Test
    void withoutNetRawItSaysSoAndExitsNonZero() throws Exception {
        Root.assume();
        Cli.Result r = Cli.runWithout("net_raw", "doctor");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(line(r, "CAP_NET_RAW").startsWith("FAIL"), r::toString);
        assertTrue(line(r, "capture").startsWith("FAIL") && line(r, "capture").contains("CAP_NET_RAW"), r::toString);
        assertTrue(line(r, "CAP_SYS_ADMIN").startsWith("OK "), r::toString);
        String verdict = r.stdout().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(verdict.startsWith("capture cannot work here: CAP_NET_RAW"), r::toString);
    }

    @Test
    void withoutSysAdminItNamesSetns() throws Exception {
        Root.assume();
        Cli.Result r = Cli.runWithout("sys_admin", "doctor");
        assertEquals(1, r.exitCode(), r::toString);
        assertTrue(line(r, "CAP_SYS_ADMIN").startsWith("FAIL"), r::toString);
        assertTrue(line(r, "setns").startsWith("FAIL") && line(r, "setns").contains("CAP_SYS_ADMIN"), r::toString);
        assertTrue(line(r, "capture").startsWith("OK "), "a capture here needs no setns: " + r);
    }
}
