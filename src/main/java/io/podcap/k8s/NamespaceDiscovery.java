package io.podcap.k8s;

import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds every network namespace of the node, one entry per namespace inode: the files that pin one
 * ({@code /run/netns/*}, {@code /var/run/netns/*}, where CNI plugins put pod sandboxes) and the processes in one
 * ({@code /proc/*}/ns/net). For each it tells the pod, without asking the API server: the UID from the processes'
 * cgroups, name and namespace from the container runtime's bundles or the kubelet's pod directory. Namespaces and
 * processes that vanish while it looks are left out, never an error.
 */
public final class NamespaceDiscovery {
    private static final Logger log = LoggerFactory.getLogger(NamespaceDiscovery.class);
    private static final Path OWN_NAMESPACE = Path.of("/proc/self/ns/net");
    private static final List<Path> NETNS_DIRS = List.of(Path.of("/run/netns"), Path.of("/var/run/netns"));

    private final NodeRoots roots;

    public NamespaceDiscovery(NodeRoots roots) {
        this.roots = roots;
    }

    public NodeRoots roots() {
        return roots;
    }

    /** Every namespace with its pod, but without interfaces: cheap enough to repeat every second. */
    public List<PodNamespace> scan() {
        Map<Long, Found> found = new TreeMap<>();
        List<Path> dirs = new ArrayList<>(List.of(roots.resolve("/run/netns")));
        // /var/run is a link to /run nearly everywhere; an absolute one under a host root would point at our own /run
        if (!Files.isSymbolicLink(roots.root().resolve("var/run"))) {
            dirs.add(roots.root().resolve("var/run/netns"));
        }
        for (Path dir : dirs) {
            for (Path file : NodeFiles.list(dir)) {
                long inode = inode(file);
                if (inode > 0) {
                    Found f = found.computeIfAbsent(inode, Found::new);
                    if (!f.files.contains(file.toString())) {
                        f.files.add(file.toString());
                    }
                }
            }
        }
        long hostInode = inode(roots.proc().resolve("1/ns/net"));
        for (Path dir : NodeFiles.list(roots.proc())) {
            String name = dir.getFileName().toString();
            if (!name.chars().allMatch(Character::isDigit)) {
                continue;
            }
            long inode = inode(dir.resolve("ns/net"));
            if (inode <= 0) {
                continue; // gone, a kernel thread, or not ours to read
            }
            Found f = found.computeIfAbsent(inode, Found::new);
            if (inode != hostInode) {
                f.pids.add(Integer.parseInt(name));
            }
        }
        Identities identities = new Identities(roots);
        long own = inode(OWN_NAMESPACE);
        List<PodNamespace> out = new ArrayList<>(found.size());
        for (Found f : found.values()) {
            f.pids.sort(null);
            List<NodeProcess> processes = new ArrayList<>();
            List<String> cgroups = new ArrayList<>();
            for (int pid : f.pids) {
                Path dir = roots.proc().resolve(Integer.toString(pid));
                String comm = NodeFiles.read(dir.resolve("comm"));
                if (comm != null) {
                    processes.add(new NodeProcess(pid, comm.trim()));
                    String cgroup = NodeFiles.read(dir.resolve("cgroup"));
                    if (cgroup != null) {
                        cgroups.add(cgroup);
                    }
                }
            }
            boolean host = f.inode == hostInode;
            Optional<PodIdentity> pod = host ? Optional.empty() : identities.of(f.inode, cgroups);
            out.add(new PodNamespace(f.inode, spec(f, processes, host, own), host, f.files, processes, pod,
                    List.of(), null));
        }
        return out;
    }

    /** {@link #scan()} plus each namespace's interfaces (read over rtnetlink inside it) and, by address, pods. */
    public List<PodNamespace> discover() {
        KubeletPods kubelet = KubeletPods.scan(roots);
        List<PodNamespace> out = new ArrayList<>();
        for (PodNamespace ns : scan()) {
            List<NetInterface> interfaces;
            try {
                interfaces = Interfaces.list(NamespaceSpec.parse(ns.spec()));
            } catch (RuntimeException e) {
                log.debug("cannot list the interfaces of {}: {}", ns.spec(), e.getMessage());
                out.add(ns.withInterfaces(List.of(), e.getMessage()));
                continue;
            }
            PodNamespace withIfaces = ns.withInterfaces(interfaces, null);
            out.add(ns.pod().isPresent() || ns.host() ? withIfaces : byAddress(withIfaces, kubelet));
        }
        return out;
    }

    /** A namespace no process or runtime file names may still hold the address a kubelet pod directory lists. */
    private static PodNamespace byAddress(PodNamespace ns, KubeletPods kubelet) {
        for (NetInterface i : ns.interfaces()) {
            for (NetInterface.Address a : i.addresses()) {
                KubeletPods.Pod pod = a.scope() == 0 ? kubelet.byIp(a.inetAddress()) : null;
                if (pod != null) {
                    return new PodNamespace(ns.inode(), ns.spec(), false, ns.netnsFiles(), ns.processes(),
                            Optional.of(pod.identity()), ns.interfaces(), null);
                }
            }
        }
        return ns;
    }

    /** A name that parses back to this namespace: the caller's own is host, a pinned file beats a process. */
    private String spec(Found f, List<NodeProcess> processes, boolean host, long own) {
        if (f.inode == own) {
            return "host";
        }
        for (String file : f.files) {
            Path p = Path.of(file);
            if (NETNS_DIRS.contains(p.getParent())) {
                return "netns:" + p.getFileName();
            }
        }
        if (!f.files.isEmpty()) {
            return "path:" + f.files.get(0);
        }
        int pid = host ? 1 : processes.isEmpty() ? f.pids.get(0) : processes.get(0).pid();
        return roots.proc().equals(Path.of("/proc")) ? "pid:" + pid : "path:" + roots.proc().resolve(pid + "/ns/net");
    }

    /** The inode of a spec's namespace (of this process's for host), or -1 when it cannot be read. */
    public static long inode(NamespaceSpec spec) {
        return inode(spec.isHost() ? OWN_NAMESPACE : Path.of(spec.path()));
    }

    /**
     * The inode of a namespace file or link, or -1 when it cannot be read: from a /proc link's text ({@code net:[N]})
     * when it has one, else by following the link (the test layouts link to real namespace files).
     */
    static long inode(Path file) {
        try {
            if (Files.isSymbolicLink(file)) {
                String target = Files.readSymbolicLink(file).toString();
                if (target.startsWith("net:[") && target.endsWith("]")) {
                    return Long.parseLong(target, 5, target.length() - 1, 10);
                }
            }
            return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return -1;
        }
    }

    private static final class Found {
        final long inode;
        final List<String> files = new ArrayList<>();
        final List<Integer> pids = new ArrayList<>();

        Found(long inode) {
            this.inode = inode;
        }
    }

    /** Pod identities from the cgroups of a namespace's processes, the runtime bundles and the kubelet. */
    private static final class Identities {
        private final RuntimeMetadata runtime;
        private final KubeletPods kubelet;
        private final Map<Long, RuntimeMetadata.Container> byNetns = new LinkedHashMap<>();

        Identities(NodeRoots roots) {
            this.runtime = RuntimeMetadata.scan(roots);
            this.kubelet = KubeletPods.scan(roots);
            for (RuntimeMetadata.Container c : runtime.containers()) {
                if (c.netnsPath() != null && c.podName() != null) {
                    long inode = inode(roots.resolve(c.netnsPath()));
                    if (inode > 0) {
                        byNetns.putIfAbsent(inode, c);
                    }
                }
            }
        }

        Optional<PodIdentity> of(long inode, List<String> cgroups) {
            Set<String> uids = new HashSet<>();
            Set<String> containerIds = new HashSet<>();
            for (String cgroup : cgroups) {
                CgroupPaths.Ids ids = CgroupPaths.parse(cgroup);
                if (ids.podUid() != null) {
                    uids.add(ids.podUid());
                }
                if (ids.containerId() != null) {
                    containerIds.add(ids.containerId());
                }
            }
            if (uids.size() > 1) {
                log.debug("namespace {} holds processes of {} pods: no identity", inode, uids.size());
                return Optional.empty();
            }
            String uid = uids.isEmpty() ? null : uids.iterator().next();
            RuntimeMetadata.Container c = byNetns.get(inode);
            if (c == null) {
                c = runtime.containers().stream()
                        .filter(x -> x.podName() != null)
                        .filter(x -> containerIds.contains(x.id()) || (uid != null && uid.equals(x.podUid())))
                        .findFirst().orElse(null);
            }
            if (c != null && (uid == null || c.podUid() == null || uid.equals(c.podUid()))) {
                PodIdentity p = c.identity();
                return Optional.of(p.uid() != null ? p : new PodIdentity(uid, p.namespace(), p.name(), p.source()));
            }
            KubeletPods.Pod pod = uid != null ? kubelet.byUid(uid) : null;
            if (pod != null) {
                return Optional.of(pod.identity());
            }
            return uid != null ? Optional.of(new PodIdentity(uid, null, null, "cgroup")) : Optional.empty();
        }
    }
}
