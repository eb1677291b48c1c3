package io.podcap.netfilter;

/**
 * One step of a packet through the ruleset, from a trace: the table and chain, what matched ({@code rule},
 * {@code policy} or {@code return}), the rule's number (legacy TRACE: position in the chain) or handle
 * (xtables-monitor, nft), the verdict when the source gives one ({@code ACCEPT}, {@code DROP}, {@code CONTINUE},
 * upper case), the rule text when known, and the packet as it was at that hook.
 *
 * @param traceId the id that joins a trace's lines (xtables-monitor, nft), null for legacy TRACE
 */
public record TraceHop(Source source, long timeNanos, String traceId, String family, String table, String chain,
                       String kind, String rule, String verdict, String ruleText, PacketFields packet)
        implements NetfilterEvent {

    /** Whether the packet was dropped or rejected here: by the verdict, or when there is none, by the rule text. */
    public boolean isDrop() {
        if (verdict != null) {
            return verdict.equals("DROP") || verdict.equals("REJECT");
        }
        return ruleText != null && (ruleText.contains("-j DROP") || ruleText.contains("-j REJECT")
                || ruleText.endsWith(" drop") || ruleText.contains(" reject"));
    }

    /** The rule's comment (kube-proxy names the service there: {@code default/kubernetes:https}), or null. */
    public String comment() {
        if (ruleText == null) {
            return null;
        }
        String c = RuleSet.option(ruleText, "--comment"); // iptables
        return c != null ? c : RuleSet.option(ruleText, "comment"); // nft
    }

    /** {@code nat:OUTPUT rule 2 ACCEPT}, as the human output shows a hop. */
    public String label() {
        StringBuilder sb = new StringBuilder().append(table).append(':').append(chain).append(' ').append(kind);
        if (rule != null) {
            sb.append(' ').append(rule);
        }
        if (verdict != null) {
            sb.append(' ').append(verdict);
        }
        return sb.toString();
    }

    TraceHop withRuleText(String text) {
        return new TraceHop(source, timeNanos, traceId, family, table, chain, kind, rule, verdict, text, packet);
    }
}
