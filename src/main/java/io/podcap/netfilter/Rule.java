package io.podcap.netfilter;

/**
 * One rule of an {@code iptables-save} dump.
 *
 * @param number  position in its chain, from 1, as legacy TRACE reports it
 * @param text    the rule as saved ({@code -A CHAIN ...})
 * @param comment the {@code --comment} (kube-proxy puts the service name there), or null
 * @param target  the {@code -j} target ({@code DNAT}, {@code MASQUERADE}, {@code KUBE-SVC-...}), or null
 */
public record Rule(String table, String chain, int number, String text, String comment, String target) {
    /** Sets the bits of the masquerade mark (kube-proxy: {@code --or-mark 0x4000}, {@code --set-xmark 0x4000/0x4000}). */
    public long markSet() {
        if (!"MARK".equals(target)) {
            return -1;
        }
        String v = RuleSet.option(text, "--or-mark");
        if (v == null) {
            v = RuleSet.option(text, "--set-xmark");
            if (v == null) {
                v = RuleSet.option(text, "--set-mark");
            }
        }
        if (v == null) {
            return -1;
        }
        int slash = v.indexOf('/');
        try {
            return Long.decode(slash < 0 ? v : v.substring(0, slash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public boolean isSourceNat() {
        return "MASQUERADE".equals(target) || "SNAT".equals(target);
    }
}
