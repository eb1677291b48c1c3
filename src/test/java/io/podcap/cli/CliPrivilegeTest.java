package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import org.junit.jupiter.api.Test;

/** With a capability really dropped (setpriv), the CLI says in one line which one it needs, and exits 2. */
class CliPrivilegeTest {
    private static void assertNames(Cli.Result r, String capability) {
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(1, r.stderr().strip().lines().count(), r::toString);
        assertTrue(r.stderr().contains(capability), () -> "expected " + capability + " in: " + r);
    }

    @Test
    void captureWithoutNetRawNamesIt() throws Exception {
        Root.assume();
        assertNames(Cli.runWithout("net_raw", "capture", "--netns", "host", "-c", "1", "--duration", "1"),
                "CAP_NET_RAW");
    }

    @Test
    void enteringANamespaceWithoutSysAdminNamesIt() throws Exception {
        Root.assume();
        try (TestNetns ns = TestNetns.create("caps")) {
            assertNames(Cli.runWithout("sys_admin", "capture", "--netns", ns.spec(), "-c", "1", "--duration", "1"),
                    "CAP_SYS_ADMIN");
            assertNames(Cli.runWithout("sys_admin", "ifaces", "--netns", ns.spec()), "CAP_SYS_ADMIN");
        }
    }
}
