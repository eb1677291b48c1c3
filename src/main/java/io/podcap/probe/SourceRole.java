package io.podcap.probe;

import java.util.Locale;

/** Who a connection's client is, as seen from the pod (see {@link AddressRoles}). */
public enum SourceRole {
    /** Probe traffic: the kubelet, from the node's namespace. */
    KUBELET,
    /** Another address of the node's own namespace (bridge gateway, node IP, tunnel or ipvs address). */
    NODE,
    /** A pod on this node (including the captured pod itself, for its own outbound connections). */
    POD_LOCAL,
    /** Inside the cluster CIDR, not on this node. */
    POD_REMOTE,
    /** Outside the cluster CIDR. */
    EXTERNAL,
    /** Neither a node nor a local pod address, and no cluster CIDR is known to tell remote pods from the outside. */
    UNKNOWN;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    private static final SourceRole[] VALUES = values();

    public String label() {
        return label;
    }

    static SourceRole of(int ordinal) {
        return VALUES[ordinal];
    }
}
