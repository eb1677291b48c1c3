package io.podcap.k8s;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's pod directories, {@code /var/lib/kubelet/pods/<UID>/}: {@code etc-hosts} (the hosts file it mounts into
 * the pod) ends with the pod's own address and hostname, which is the pod's name unless its spec sets another; the
 * service account volume ({@code volumes/kubernetes.io~projected/<name>/namespace}) holds the pod's namespace.
 */
final class KubeletPods {
    private static final Logger log = LoggerFactory.getLogger(KubeletPods.class);
    private static final String HOST_ALIASES = "# Entries added by HostAliases.";

    /** A pod directory: the UID, and what its files say (each null when absent). */
    record Pod(String uid, String ip, String hostname, String namespace) {
        PodIdentity identity() {
            return new PodIdentity(uid, namespace, hostname, "kubelet");
        }
    }

    private final Map<String, Pod> byUid = new HashMap<>();
    private final Map<InetAddress, Pod> byIp = new HashMap<>();

    static KubeletPods scan(NodeRoots roots) {
        KubeletPods pods = new KubeletPods();
        for (Path dir : NodeFiles.list(roots.kubelet().resolve("pods"))) {
            String uid = dir.getFileName().toString();
            String[] own = ownEntry(dir.resolve("etc-hosts"));
            Pod pod = new Pod(uid, own != null ? own[0] : null, own != null ? own[1] : null, namespace(dir));
            pods.byUid.put(uid, pod);
            if (pod.ip != null) {
                try {
                    pods.byIp.put(InetAddress.getByName(pod.ip), pod); // a literal: no name lookup
                } catch (IOException e) {
                    log.debug("{}: '{}' is not an address", dir, pod.ip);
                }
            }
        }
        return pods;
    }

    Pod byUid(String uid) {
        return byUid.get(uid);
    }

    Pod byIp(InetAddress address) {
        return byIp.get(address);
    }

    /** The last entry before the host aliases that is not one of the fixed localhost lines: {ip, hostname}. */
    private static String[] ownEntry(Path etcHosts) {
        String text = NodeFiles.read(etcHosts);
        if (text == null) {
            return null;
        }
        String[] own = null;
        for (String line : text.split("\n")) {
            if (line.startsWith(HOST_ALIASES)) {
                break;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || f[0].startsWith("#") || f[1].startsWith("localhost") || f[1].startsWith("ip6-")) {
                continue;
            }
            own = new String[] {f[0], f[f.length - 1].contains(".") ? f[1].split("\\.")[0] : f[f.length - 1]};
        }
        return own;
    }

    private static String namespace(Path podDir) {
        for (Path volume : NodeFiles.list(podDir.resolve("volumes/kubernetes.io~projected"))) {
            String ns = NodeFiles.read(volume.resolve("namespace"));
            if (ns != null && !ns.isBlank()) {
                return ns.trim();
            }
        }
        return null;
    }
}
