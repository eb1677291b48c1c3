package io.podcap.netfilter;

import java.util.List;

/**
 * A named diagnosis with what shows it and what to do.
 *
 * @param name     {@code source-is-service-ip}, {@code unanswered-syn}, {@code masq-mark-not-masqueraded},
 *                 {@code dropped-by-rule}, {@code probe-blocked}
 * @param subject  the connection it is about ({@code 10.96.0.10:42230 > 10.96.0.10:80}, as first seen)
 * @param evidence packets, hops, conntrack entries and rules that show it, one per line
 * @param hint     one line on the likely cause or fix
 */
public record Finding(String name, Tuple subject, List<String> evidence, String hint) {
    /** Every name a finding can have. */
    public static final List<String> NAMES = List.of("source-is-service-ip", "unanswered-syn",
            "masq-mark-not-masqueraded", "dropped-by-rule", "probe-blocked");

    public Finding {
        evidence = List.copyOf(evidence);
    }
}
