package io.podcap.cli;

import io.podcap.k8s.NamespaceDiscovery;
import io.podcap.k8s.PodIdentity;
import io.podcap.k8s.PodNamespace;
import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import io.podcap.probe.AddressRoles;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the CLI knows about addresses for {@link AddressRoles}: the node's own addresses (every address of its
 * namespace: node IP, bridge gateway, weave, cilium_host, kube-ipvs0), the pods on the node with their names (from
 * namespace discovery), the cluster CIDRs from the node's routes through CNI devices, and what the user gave.
 */
final class NodeAddresses {
    private static final Logger log = LoggerFactory.getLogger(NodeAddresses.class);
    /** Devices CNIs route pod networks through. */
    private static final Pattern CNI_DEVICE = Pattern.compile(
            "cni\\d*|cbr0|flannel\\..*|weave|cilium_.*|vxlan\\.calico|tunl0|cali.*|lxc.*|kube-bridge|antrea-.*"
                    + "|genev_sys.*|ovn-k8s-.*");

    private NodeAddresses() {
    }

    /**
     * Roles for a live capture on the node whose namespace is {@code node} (normally the host); its other namespaces
     * are its pods, named as discovery finds them. {@code clusterCidrs} given by the user replace those read from the
     * routes; {@code nodeAddresses} and {@code pods} ({@code IP=NAME}) add to what the node shows.
     */
    static AddressRoles live(NamespaceSpec node, NamespaceDiscovery discovery, List<String> clusterCidrs,
                             List<String> nodeAddresses, List<String> pods) {
        AddressRoles.Builder b = AddressRoles.builder();
        for (NetInterface i : Interfaces.list(node)) {
            if (!i.isLoopback()) {
                i.addresses().forEach(a -> b.nodeAddress(a.ip()));
            }
        }
        long nodeInode = NamespaceDiscovery.inode(node);
        for (PodNamespace ns : discovery.discover()) {
            if (ns.host() || ns.inode() == nodeInode) {
                continue;
            }
            String name = ns.pod().map(PodIdentity::qualifiedName).orElse(ns.spec());
            for (NetInterface i : ns.interfaces()) {
                i.addresses().stream().filter(a -> a.scope() == 0).forEach(a -> b.localPod(a.ip(), name));
            }
        }
        List<String> cidrs = !clusterCidrs.isEmpty() ? clusterCidrs : node.isHost() ? routedPodNetworks() : List.of();
        cidrs.forEach(b::clusterCidr);
        return given(b, List.of(), nodeAddresses, pods).build();
    }

    /** Roles for reading a file: only what the user gave (the file's node is not this one). */
    static AddressRoles offline(List<String> clusterCidrs, List<String> nodeAddresses, List<String> pods) {
        return given(AddressRoles.builder(), clusterCidrs, nodeAddresses, pods).build();
    }

    private static AddressRoles.Builder given(AddressRoles.Builder b, List<String> clusterCidrs,
                                              List<String> nodeAddresses, List<String> pods) {
        clusterCidrs.forEach(b::clusterCidr);
        nodeAddresses.forEach(b::nodeAddress);
        for (String p : pods) {
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("--pod wants IP=NAME, not '" + p + "'");
            }
            b.localPod(p.substring(0, eq), p.substring(eq + 1));
        }
        return b;
    }

    /**
     * Prefixes the node routes through CNI devices (pod subnets of this and other nodes), host routes left out; none
     * when ip(8) cannot tell (the roles then say {@code unknown} rather than the command failing).
     */
    static List<String> routedPodNetworks() {
        String routes;
        try {
            routes = Shell.run("ip", "-4", "-o", "route", "show") + "\n" + Shell.run("ip", "-6", "-o", "route", "show");
        } catch (IllegalStateException e) {
            log.warn("cannot read the node's routes for the cluster CIDR ({}); give --cluster-cidr", e.getMessage());
            return List.of();
        }
        return podNetworks(routes);
    }

    /**
     * The prefixes routed through CNI devices in {@code ip -o route} output, and Calico's own block (a blackhole
     * route its BGP daemon installs).
     */
    static List<String> podNetworks(String routes) {
        return routes.lines().map(String::trim).map(l -> l.split("\\s+"))
                .map(f -> f[0].contains("/") && CNI_DEVICE.matcher(device(f)).matches() ? f[0]
                        : f[0].equals("blackhole") && f.length > 3 && f[1].contains("/") && f[3].equals("bird") ? f[1]
                        : null)
                .filter(java.util.Objects::nonNull).distinct().toList();
    }

    private static String device(String[] fields) {
        for (int i = 0; i + 1 < fields.length; i++) {
            if (fields[i].equals("dev")) {
                return fields[i + 1];
            }
        }
        return "";
    }
}
