package io.podcap.probe;

import java.util.Locale;

/** Why one probe connection failed. */
public enum ProbeFailure {
    /** HTTP status 400 or above (the kubelet counts 200-399 as success). */
    HTTP_STATUS,
    /** gRPC: the health service answered something other than SERVING, or a non-zero grpc-status. */
    GRPC_STATUS,
    /** No answer within the probe timeout: the SYN, or the request, stayed unanswered. */
    TIMEOUT,
    /** The pod answered the SYN with RST: nothing listens on the port. */
    REFUSED,
    /** The server reset the connection after accepting it, before a complete answer. */
    RESET,
    /** The server closed the connection without answering the request. */
    NO_RESPONSE;

    private final String label = name().toLowerCase(Locale.ROOT);

    private static final ProbeFailure[] VALUES = values();

    public String label() {
        return label;
    }

    static ProbeFailure of(int ordinal) {
        return VALUES[ordinal];
    }
}
