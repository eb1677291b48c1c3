package io.podcap.flow;

import java.util.Locale;

/** Which end of a flow did something. */
public enum Side {
    CLIENT,
    SERVER,
    BOTH;

    private final String label = name().toLowerCase(Locale.ROOT);

    static final int CLIENT_BIT = 1;
    static final int SERVER_BIT = 2;

    /** From a bit set of {@link #CLIENT_BIT} and {@link #SERVER_BIT}; null for none. */
    static Side of(int bits) {
        return switch (bits) {
            case CLIENT_BIT -> CLIENT;
            case SERVER_BIT -> SERVER;
            case CLIENT_BIT | SERVER_BIT -> BOTH;
            default -> null;
        };
    }

    public String label() {
        return label;
    }
}
