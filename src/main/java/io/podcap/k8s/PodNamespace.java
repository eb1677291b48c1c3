package io.podcap.k8s;

import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.util.List;
import java.util.Optional;

/**
 * One network namespace of the node.
 *
 * @param inode      the namespace's inode: its identity (two files or processes with the same one share it)
 * @param spec       how to name it for podcap ({@code netns:cni-1234}, {@code pid:42}, {@code path:/host/...},
 *                   {@code host}), preferring a file that outlives processes
 * @param host       whether it is the node's own namespace (that of pid 1)
 * @param netnsFiles the files that pin it ({@code /run/netns/NAME}), as seen from here
 * @param processes  the processes in it, by pid (none for the host namespace, which holds nearly all of them)
 * @param pod        the pod it belongs to, when the node's files tell
 * @param interfaces its interfaces, when they were asked for and could be read
 * @param error      why the interfaces could not be read, or null
 */
public record PodNamespace(long inode, String spec, boolean host, List<String> netnsFiles, List<NodeProcess> processes,
                           Optional<PodIdentity> pod, List<NetInterface> interfaces, String error) {
    public PodNamespace {
        netnsFiles = List.copyOf(netnsFiles);
        processes = List.copyOf(processes);
        interfaces = List.copyOf(interfaces);
    }

    /** The spec, parsed; throws IllegalArgumentException when the namespace has gone meanwhile. */
    public NamespaceSpec namespaceSpec() {
        return NamespaceSpec.parse(spec);
    }

    /** How captures describe it: the pod when known, else the spec. */
    public String describe() {
        return pod.map(p -> p.describe() + " (" + spec + ")").orElse(spec);
    }

    PodNamespace withInterfaces(List<NetInterface> list, String why) {
        return new PodNamespace(inode, spec, host, netnsFiles, processes, pod, list, why);
    }
}
