package io.podcap.netfilter;

/**
 * The address translation a packet got: its tuple before and after, and which kinds ({@code DNAT} changes the
 * destination, {@code SNAT}/MASQUERADE the source).
 *
 * @param evidence where it was seen: {@code conntrack} or {@code trace}
 */
public record Nat(Tuple before, Tuple after, boolean dnat, boolean snat, String evidence) {
    static Nat of(Tuple before, Tuple after, String evidence) {
        if (before.equals(after)) {
            return null;
        }
        return new Nat(before, after, !before.sameDestination(after), !before.sameSource(after), evidence);
    }

    public String kind() {
        return dnat && snat ? "DNAT+SNAT" : dnat ? "DNAT" : "SNAT";
    }

    @Override
    public String toString() {
        return before + "  ->  " + after + " (" + kind() + ", " + evidence + ")";
    }
}
