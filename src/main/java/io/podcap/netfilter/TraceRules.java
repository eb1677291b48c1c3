package io.podcap.netfilter;

import io.podcap.ns.NamespaceSpec;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TRACE (and optionally NFLOG) rules that podcap adds to a namespace for the time of a trace and removes again:
 * {@code raw PREROUTING} and {@code raw OUTPUT} get {@code -j TRACE} for each match, tagged with a comment naming this
 * process; with an NFLOG group, {@code mangle POSTROUTING} and {@code mangle INPUT} also log to it. {@link #close()}
 * removes every rule that was added, also after a partial failure; call it from a shutdown hook too (it is
 * idempotent).
 */
public final class TraceRules implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraceRules.class);

    private final NamespaceSpec namespace;
    private final List<List<String>> added = new ArrayList<>(); // TABLE CHAIN match... target..., for -D
    private boolean closed;

    private TraceRules(NamespaceSpec namespace) {
        this.namespace = namespace;
    }

    /**
     * Adds the rules. {@code matches} are iptables match arguments, one list per rule ({@link BpfSelector} makes
     * them from a simple BPF filter); {@code nflogGroup} &lt; 0 adds no NFLOG rules.
     */
    public static TraceRules arm(NamespaceSpec namespace, List<List<String>> matches, int nflogGroup) {
        TraceRules rules = new TraceRules(namespace);
        String comment = "podcap-trace-" + ProcessHandle.current().pid();
        try {
            for (List<String> match : matches) {
                for (String chain : List.of("PREROUTING", "OUTPUT")) {
                    rules.insert("raw", chain, match, comment, List.of("-j", "TRACE"));
                }
                if (nflogGroup >= 0) {
                    for (String chain : List.of("INPUT", "POSTROUTING")) {
                        rules.insert("mangle", chain, match, comment, List.of("-j", "NFLOG", "--nflog-group",
                                Integer.toString(nflogGroup), "--nflog-prefix", "podcap " + chain));
                    }
                }
            }
        } catch (RuntimeException e) {
            rules.close();
            throw e;
        }
        return rules;
    }

    private void insert(String table, String chain, List<String> match, String comment, List<String> target) {
        List<String> spec = new ArrayList<>(List.of(table, chain));
        spec.addAll(match);
        spec.addAll(List.of("-m", "comment", "--comment", comment));
        spec.addAll(target);
        NamespaceCommand.run(NamespaceCommand.inside(namespace, command("-I", spec)));
        synchronized (this) {
            added.add(spec);
        }
        log.debug("armed in {}: iptables {}", namespace, String.join(" ", command("-I", spec)));
    }

    /** {@code iptables -w 5 -t TABLE OP CHAIN rest...} for a spec of {@code TABLE CHAIN rest...}. */
    private static String[] command(String op, List<String> spec) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "5", "-t", spec.get(0), op, spec.get(1)));
        cmd.addAll(spec.subList(2, spec.size()));
        return cmd.toArray(String[]::new);
    }

    /** The rules currently added, as {@code -t TABLE -I CHAIN match... -j TARGET}. */
    public synchronized List<String> rules() {
        return added.stream().map(s -> {
            List<String> cmd = List.of(command("-I", s));
            return String.join(" ", cmd.subList(3, cmd.size())); // without "iptables -w 5"
        }).toList();
    }

    /** Removes every added rule; failures are logged and the rest still removed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = added.size() - 1; i >= 0; i--) {
            try {
                NamespaceCommand.run(NamespaceCommand.inside(namespace, command("-D", added.get(i))));
            } catch (RuntimeException e) {
                log.warn("could not remove a trace rule in {}: {}", namespace, e.getMessage());
            }
        }
        added.clear();
    }
}
