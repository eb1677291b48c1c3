package io.podcap.probe;

/**
 * The role of a client address: what {@link AddressRoles} knows, plus node addresses learned from traffic (the
 * kubelet only sends from the node's namespace, so the source of a kube-probe request is a node address). Bounded;
 * lookups allocate nothing.
 */
final class ClientRoles {
    private static final int LEARNED_MAX = 64;

    private final AddressRoles roles;
    private final long[] learned = new long[2 * LEARNED_MAX]; // pairs hi, lo
    private int learnedCount;

    ClientRoles(AddressRoles roles) {
        this.roles = roles;
    }

    SourceRole of(long hi, long lo) {
        SourceRole r = roles.role(hi, lo);
        return r != SourceRole.NODE && r != SourceRole.POD_LOCAL && isLearned(hi, lo) ? SourceRole.NODE : r;
    }

    /** Later flows from this address are {@link SourceRole#NODE} (once {@link #LEARNED_MAX} are known, no more). */
    void learnNode(long hi, long lo) {
        if (learnedCount < LEARNED_MAX && roles.role(hi, lo) != SourceRole.NODE && !isLearned(hi, lo)) {
            learned[2 * learnedCount] = hi;
            learned[2 * learnedCount + 1] = lo;
            learnedCount++;
        }
    }

    private boolean isLearned(long hi, long lo) {
        for (int i = 0; i < learnedCount; i++) {
            if (learned[2 * i] == hi && learned[2 * i + 1] == lo) {
                return true;
            }
        }
        return false;
    }
}
