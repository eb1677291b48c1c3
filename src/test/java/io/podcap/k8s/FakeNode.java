package io.podcap.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A node's file layout under a temporary root, as a DaemonSet sees the host under {@code /host}: {@code proc/PID}
 * entries, {@code run/netns} files, containerd and CRI-O bundles, kubelet pod directories. Namespace files are
 * symbolic links to real namespaces (of real processes or {@code ip netns} files), so what is found here can be
 * captured in.
 */
final class FakeNode {
    private static final JsonFactory JSON = new JsonFactory();
    final Path root;

    FakeNode(Path root) throws IOException {
        this.root = root;
        // pid 1, the node's own namespace: this test's
        process(1, "systemd", "0::/init.scope\n", Path.of("/proc/" + ProcessHandle.current().pid() + "/ns/net"));
    }

    NodeRoots roots() {
        return NodeRoots.under(root);
    }

    /** proc/PID with comm, cgroup and ns/net pointing at a real namespace file. */
    void process(long pid, String comm, String cgroup, Path netns) throws IOException {
        Path dir = Files.createDirectories(root.resolve("proc/" + pid + "/ns"));
        Files.writeString(dir.resolveSibling("comm"), comm + "\n");
        Files.writeString(dir.resolveSibling("cgroup"), cgroup);
        Files.createSymbolicLink(dir.resolve("net"), netns);
    }

    void removeProcess(long pid) throws IOException {
        deleteTree(root.resolve("proc/" + pid));
    }

    /** run/netns/NAME, as a CNI plugin pins a sandbox's namespace. */
    Path netnsFile(String name, Path target) throws IOException {
        Path file = Files.createDirectories(root.resolve("run/netns")).resolve(name);
        return Files.createSymbolicLink(file, target);
    }

    /** A containerd task bundle with annotations and the network namespace path it joined (null: none). */
    void containerd(String id, Map<String, String> annotations, String netnsPath) throws IOException {
        bundle(root.resolve("run/containerd/io.containerd.runtime.v2.task/k8s.io/" + id + "/config.json"),
                annotations, netnsPath);
    }

    /** A CRI-O container's userdata/config.json, where CRI-O keeps the bundle. */
    void crio(String id, Map<String, String> annotations, String netnsPath) throws IOException {
        bundle(root.resolve("var/lib/containers/storage/overlay-containers/" + id + "/userdata/config.json"),
                annotations, netnsPath);
    }

    /** A kubelet pod directory: etc-hosts with the pod's own entry, and the service account's namespace file. */
    void kubeletPod(String uid, String ip, String hostname, String namespace) throws IOException {
        Path dir = Files.createDirectories(root.resolve("var/lib/kubelet/pods/" + uid));
        Files.writeString(dir.resolve("etc-hosts"), "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::1\tip6-allnodes\n"
                + ip + "\t" + hostname + "\n");
        Path sa = Files.createDirectories(dir.resolve("volumes/kubernetes.io~projected/kube-api-access-x7k2q"));
        Files.writeString(sa.resolve("namespace"), namespace);
    }

    private static void bundle(Path config, Map<String, String> annotations, String netnsPath) throws IOException {
        Files.createDirectories(config.getParent());
        try (OutputStream out = Files.newOutputStream(config); JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ociVersion", "1.1.0");
            g.writeObjectFieldStart("process");
            g.writeArrayFieldStart("args");
            g.writeString("/pause");
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("annotations");
            for (Map.Entry<String, String> a : annotations.entrySet()) {
                g.writeStringField(a.getKey(), a.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("linux");
            g.writeObjectFieldStart("resources");
            g.writeNumberField("cpuShares", 2);
            g.writeEndObject();
            g.writeArrayFieldStart("namespaces");
            for (String type : new String[] {"pid", "ipc", "uts", "mount", "network"}) {
                g.writeStartObject();
                g.writeStringField("type", type);
                if (type.equals("network") && netnsPath != null) {
                    g.writeStringField("path", netnsPath);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
