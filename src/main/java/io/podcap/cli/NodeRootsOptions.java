package io.podcap.cli;

import io.podcap.k8s.NodeRoots;
import io.podcap.k8s.PodSpecResolver;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the node's files are, for commands that discover pods: {@code --host-root} or each root on its own. */
final class NodeRootsOptions {
    @Option(names = "--host-root", paramLabel = "DIR",
            description = "The node's root file system, e.g. /host in a DaemonSet (default: $PODCAP_HOST_ROOT or /).")
    Path hostRoot;

    @Option(names = "--proc", paramLabel = "DIR", description = "The node's /proc (default: HOST_ROOT/proc).")
    Path proc;

    @Option(names = "--run", paramLabel = "DIR", description = "The node's /run (default: HOST_ROOT/run).")
    Path run;

    @Option(names = "--kubelet-root", paramLabel = "DIR",
            description = "The kubelet's directory (default: HOST_ROOT/var/lib/kubelet).")
    Path kubelet;

    NodeRoots roots() {
        NodeRoots roots = hostRoot != null ? NodeRoots.under(hostRoot) : NodeRoots.fromEnvironment();
        if (proc != null) {
            roots = roots.withProc(proc);
        }
        if (run != null) {
            roots = roots.withRun(run);
        }
        if (kubelet != null) {
            roots = roots.withKubelet(kubelet);
        }
        return roots;
    }

    /** Parses a --netns value, resolving pod: and ip: under these roots. */
    PodSpecResolver resolver() {
        return new PodSpecResolver(roots());
    }
}
