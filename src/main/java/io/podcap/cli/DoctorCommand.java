package io.podcap.cli;

import io.podcap.k8s.NodeRoots;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code podcap doctor}: what this machine allows, one check a line; exit 1 when capture cannot work. */
@Command(name = "doctor", description = "Check capabilities, libpcap, kernel features and where namespaces are.")
final class DoctorCommand implements Callable<Integer> {
    @Mixin
    NodeRootsOptions node;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        NodeRoots roots = node.roots();
        List<NodeChecks.Check> checks = NodeChecks.run(roots);
        out.println("podcap doctor (node root " + roots.root() + ")");
        for (NodeChecks.Check c : checks) {
            out.printf("%-4s  %-17s %s%n", c.status(), c.name(), c.detail());
        }
        List<NodeChecks.Check> blocking = checks.stream().filter(NodeChecks.Check::blocksCapture).toList();
        if (blocking.isEmpty()) {
            out.println("capture can work here");
            return 0;
        }
        out.println("capture cannot work here: " + blocking.stream().map(c -> c.name() + " (" + c.detail() + ")")
                .collect(Collectors.joining("; ")));
        return Main.EXIT_FAILURE;
    }
}
