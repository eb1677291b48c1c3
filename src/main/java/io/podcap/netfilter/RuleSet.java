package io.podcap.netfilter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code iptables-save} (or {@code ip6tables-save}) dump: rules by table and chain, numbered as legacy TRACE numbers
 * them, with their comments and targets. Lines that are not rules, chains or tables are skipped and counted.
 */
public final class RuleSet {
    private final Map<String, List<Rule>> chains = new HashMap<>(); // "table:chain" -> rules in order
    private final List<Rule> all = new ArrayList<>();
    private long skipped;

    private RuleSet() {
    }

    public static RuleSet parse(String text) {
        RuleSet set = new RuleSet();
        String table = null;
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#") || "COMMIT".equals(s)) {
                    continue;
                }
                if (s.startsWith("*")) {
                    table = s.substring(1);
                } else if (s.startsWith(":") && table != null) {
                    int space = s.indexOf(' ');
                    set.chains.putIfAbsent(table + ":" + s.substring(1, space < 0 ? s.length() : space),
                            new ArrayList<>());
                } else if (s.startsWith("-A ") && table != null) {
                    String chain = s.split(" +")[1];
                    List<Rule> rules = set.chains.computeIfAbsent(table + ":" + chain, k -> new ArrayList<>());
                    Rule rule = new Rule(table, chain, rules.size() + 1, s, option(s, "--comment"), option(s, "-j"));
                    rules.add(rule);
                    set.all.add(rule);
                } else {
                    set.skipped++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
        return set;
    }

    /**
     * The legacy tables of a namespace ({@code iptables-legacy-save} run inside it): what legacy TRACE numbers.
     * Throws IllegalStateException when the tool fails.
     */
    public static RuleSet readLegacy(io.podcap.ns.NamespaceSpec namespace) {
        return parse(NamespaceCommand.run(NamespaceCommand.inside(namespace, "iptables-legacy-save")));
    }

    /** The rule a legacy TRACE line names ({@code nat:KUBE-SERVICES:rule:25}). */
    public Optional<Rule> rule(String table, String chain, int number) {
        List<Rule> rules = chains.get(table + ":" + chain);
        return rules == null || number < 1 || number > rules.size() ? Optional.empty()
                : Optional.of(rules.get(number - 1));
    }

    public List<Rule> rules() {
        return List.copyOf(all);
    }

    /** Marks set by MARK rules ({@code KUBE-MARK-MASQ}: 0x4000). */
    public List<Rule> markRules() {
        return all.stream().filter(r -> r.markSet() > 0).toList();
    }

    /** Whether the nat table has a MASQUERADE or SNAT rule at all. */
    public boolean hasSourceNat() {
        return all.stream().anyMatch(r -> "nat".equals(r.table()) && r.isSourceNat());
    }

    /** Lines that were neither table, chain, rule nor COMMIT. */
    public long skipped() {
        return skipped;
    }

    /** Adds the rule text to a legacy TRACE hop, which names the rule by its number only. */
    public TraceHop annotate(TraceHop hop) {
        if (hop.ruleText() != null || !"rule".equals(hop.kind()) || hop.rule() == null) {
            return hop;
        }
        try {
            return rule(hop.table(), hop.chain(), Integer.parseInt(hop.rule()))
                    .map(r -> hop.withRuleText(r.text())).orElse(hop);
        } catch (NumberFormatException handle) {
            return hop;
        }
    }

    /** The value after {@code name} in a rule: the next word, or a double-quoted string without its quotes. */
    static String option(String rule, String name) {
        int i = (" " + rule + " ").indexOf(" " + name + " ");
        if (i < 0) {
            return null;
        }
        int start = i + name.length() + 1;
        if (start >= rule.length()) {
            return null;
        }
        if (rule.charAt(start) == '"') {
            int end = rule.indexOf('"', start + 1);
            return rule.substring(start + 1, end < 0 ? rule.length() : end);
        }
        int end = rule.indexOf(' ', start);
        return rule.substring(start, end < 0 ? rule.length() : end);
    }
}
