package io.podcap.probe;

import java.util.Locale;

/** How a probe talks to its target. */
public enum ProbeKind {
    /** HTTP/1.x {@code GET} with a {@code kube-probe/X.Y} User-Agent. */
    HTTP,
    /** TLS to a port, from a node address at a steady period (what the request was is encrypted). */
    HTTPS,
    /** Connect and close without data, from a node address at a steady period. */
    TCP,
    /** HTTP/2 prior knowledge, {@code /grpc.health.v1.Health/Check} with a {@code kube-probe/X.Y} user-agent. */
    GRPC;

    private final String label = name().toLowerCase(Locale.ROOT);

    private static final ProbeKind[] VALUES = values();

    static ProbeKind of(int ordinal) {
        return VALUES[ordinal];
    }

    public String label() {
        return label;
    }
}
