package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import org.junit.jupiter.api.Test;

/** The top-level help lists every command; each command has its own --help, although only it is modelled per run. */
class CliHelpTest {
    @Test
    void everyCommandAnswersHelp() throws Exception {
        Cli.Result top = Cli.run("--help");
        assertEquals(0, top.exitCode(), top::toString);
        for (String command : new String[] {"capture", "ifaces", "flows", "probes", "demo", "pods", "doctor",
            "trace"}) {
            assertTrue(top.stdout().contains("  " + command + " "), () -> command + " missing from " + top);
            Cli.Result r = Cli.run(command, "--help");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stdout().startsWith("Usage: podcap " + command), r::toString);
        }
    }
}
