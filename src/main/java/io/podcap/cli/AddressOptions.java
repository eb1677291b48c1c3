package io.podcap.cli;

import io.podcap.k8s.NamespaceDiscovery;
import io.podcap.ns.NamespaceSpec;
import io.podcap.probe.AddressRoles;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options that say who is who ({@code flows} and {@code probes}): the node, its pods, the cluster's pod networks. */
final class AddressOptions {
    @Option(names = "--node-netns", paramLabel = "SPEC", defaultValue = "host",
            description = "The node's own namespace, whose addresses are the node's (default host).")
    String nodeNetns;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR",
            description = "A pod network of the cluster (repeatable); default: the node's routes via CNI devices.")
    List<String> clusterCidrs = new ArrayList<>();

    @Option(names = "--node-address", paramLabel = "IP", description = "Also a node address (repeatable).")
    List<String> nodeAddresses = new ArrayList<>();

    @Option(names = "--pod", paramLabel = "IP=NAME", description = "A pod on this node and its name (repeatable).")
    List<String> pods = new ArrayList<>();

    /** Live: what the node (as {@code targets} find its files) shows plus the options; offline: the options alone. */
    AddressRoles roles(boolean live, TargetOptions targets) {
        return live ? NodeAddresses.live(NamespaceSpec.parse(nodeNetns), new NamespaceDiscovery(targets.roots.roots()),
                clusterCidrs, nodeAddresses, pods) : NodeAddresses.offline(clusterCidrs, nodeAddresses, pods);
    }
}
