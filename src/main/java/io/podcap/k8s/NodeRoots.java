package io.podcap.k8s;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the node's files are: {@code /proc}, {@code /run}, the kubelet's directory, and the root everything else
 * (e.g. {@code /var/run/netns}, CRI-O's {@code /var/lib/containers/storage}) is found under. On the node itself all are
 * the defaults; from a DaemonSet with the host mounted at {@code /host} use {@link #under(Path)}.
 */
public record NodeRoots(Path root, Path proc, Path run, Path kubelet) {
    /** Environment variable naming the host root for {@link #fromEnvironment()}. */
    public static final String HOST_ROOT_ENV = "PODCAP_HOST_ROOT";

    public NodeRoots {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(proc, "proc");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(kubelet, "kubelet");
    }

    /** The node this process runs on, seen directly. */
    public static NodeRoots host() {
        return under(Path.of("/"));
    }

    /** A node whose root file system is mounted at {@code root}: {@code root/proc}, {@code root/run}, ... */
    public static NodeRoots under(Path root) {
        return new NodeRoots(root, root.resolve("proc"), root.resolve("run"), root.resolve("var/lib/kubelet"));
    }

    /** {@link #under} the directory named by {@code PODCAP_HOST_ROOT} (or {@code -Dpodcap.host.root}), else host. */
    public static NodeRoots fromEnvironment() {
        String root = System.getProperty("podcap.host.root", System.getenv(HOST_ROOT_ENV));
        return root == null || root.isBlank() ? host() : under(Path.of(root));
    }

    public NodeRoots withProc(Path proc) {
        return new NodeRoots(root, proc, run, kubelet);
    }

    public NodeRoots withRun(Path run) {
        return new NodeRoots(root, proc, run, kubelet);
    }

    public NodeRoots withKubelet(Path kubelet) {
        return new NodeRoots(root, proc, run, kubelet);
    }

    /**
     * A path as the node names it (in runtime metadata, e.g. {@code /var/run/netns/cni-1} or {@code /proc/42/ns/net})
     * as seen from here. {@code /var/run} is {@code /run} on every current distribution.
     */
    public Path resolve(String nodePath) {
        String p = nodePath.startsWith("/var/run/") ? nodePath.substring("/var".length()) : nodePath;
        if (p.startsWith("/proc/")) {
            return proc.resolve(p.substring("/proc/".length()));
        }
        if (p.startsWith("/run/")) {
            return run.resolve(p.substring("/run/".length()));
        }
        return root.resolve(p.startsWith("/") ? p.substring(1) : p);
    }
}
