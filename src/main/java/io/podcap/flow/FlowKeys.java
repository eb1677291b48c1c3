package io.podcap.flow;

/**
 * The keys of the flow table's slots and an open-addressing index over them (linear probing, backward-shift
 * deletion, so no tombstones). A key is bidirectional: its two endpoints are stored in a canonical order (A before B),
 * so both directions of a conversation find the same slot. Primitive arrays only; nothing is allocated after
 * construction.
 */
final class FlowKeys {
    private final long[] aHi;
    private final long[] aLo;
    private final long[] bHi;
    private final long[] bLo;
    private final int[] ports; // portA << 16 | portB
    private final long[] meta; // see meta()
    private final int[] hashes;
    private final int[] index; // slot + 1, 0 = empty
    private final int mask;
    private final int[] free;
    private int freeCount;

    // the key of the packet being looked up, set by prepare()
    private long kaHi;
    private long kaLo;
    private long kbHi;
    private long kbLo;
    private int kPorts;
    private long kMeta;
    private int kHash;
    private boolean kFromA;

    FlowKeys(int capacity) {
        aHi = new long[capacity];
        aLo = new long[capacity];
        bHi = new long[capacity];
        bLo = new long[capacity];
        ports = new int[capacity];
        meta = new long[capacity];
        hashes = new int[capacity];
        int size = Integer.highestOneBit(Math.max(capacity, 2) * 2 - 1) << 1; // load factor at most 1/2
        index = new int[size];
        mask = size - 1;
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i; // slot 0 is handed out first
        }
        freeCount = capacity;
    }

    /** Packs what identifies a flow besides its endpoints: where it was seen and which protocol. */
    static long meta(int sourceId, int ifindex, int protocol, int ipVersion) {
        return (long) sourceId << 48 | (long) (protocol & 0xff) << 40 | (long) (ipVersion & 0xf) << 32
                | (ifindex & 0xffffffffL);
    }

    /** Sets the key to look up or insert; the endpoints may come in either direction. */
    void prepare(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort, long meta) {
        boolean srcFirst = srcHi != dstHi ? Long.compareUnsigned(srcHi, dstHi) < 0
                : srcLo != dstLo ? Long.compareUnsigned(srcLo, dstLo) < 0 : srcPort <= dstPort;
        if (srcFirst) {
            set(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort);
        } else {
            set(dstHi, dstLo, dstPort, srcHi, srcLo, srcPort);
        }
        kFromA = srcFirst;
        kMeta = meta;
        long h = mix(kaHi ^ mix(kaLo ^ mix(kbHi ^ mix(kbLo ^ mix(meta ^ ((long) kPorts << 7))))));
        kHash = (int) (h ^ (h >>> 32));
    }

    private void set(long hi1, long lo1, int port1, long hi2, long lo2, int port2) {
        kaHi = hi1;
        kaLo = lo1;
        kbHi = hi2;
        kbLo = lo2;
        kPorts = (port1 & 0xffff) << 16 | (port2 & 0xffff);
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        return (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
    }

    /** Whether the prepared key's source is endpoint A. */
    boolean fromA() {
        return kFromA;
    }

    /** The slot holding the prepared key, or -1. */
    int find() {
        int pos = kHash & mask;
        int e;
        while ((e = index[pos]) != 0) {
            int s = e - 1;
            if (hashes[s] == kHash && ports[s] == kPorts && meta[s] == kMeta && aLo[s] == kaLo && bLo[s] == kbLo
                    && aHi[s] == kaHi && bHi[s] == kbHi) {
                return s;
            }
            pos = (pos + 1) & mask;
        }
        return -1;
    }

    boolean full() {
        return freeCount == 0;
    }

    /** Inserts the prepared key (not present; a slot must be free) and returns its slot. */
    int insert() {
        int s = free[--freeCount];
        aHi[s] = kaHi;
        aLo[s] = kaLo;
        bHi[s] = kbHi;
        bLo[s] = kbLo;
        ports[s] = kPorts;
        meta[s] = kMeta;
        hashes[s] = kHash;
        int pos = kHash & mask;
        while (index[pos] != 0) {
            pos = (pos + 1) & mask;
        }
        index[pos] = s + 1;
        return s;
    }

    /** Removes a slot's key and frees the slot. */
    void remove(int slot) {
        int i = hashes[slot] & mask;
        while (index[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        // backward shift: pull up later entries of the run whose home is not between the hole and themselves
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int e = index[j];
            if (e == 0) {
                break;
            }
            int home = hashes[e - 1] & mask;
            boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!stays) {
                index[i] = e;
                i = j;
            }
        }
        index[i] = 0;
        free[freeCount++] = slot;
    }

    long hi(int slot, boolean a) { return a ? aHi[slot] : bHi[slot]; }

    long lo(int slot, boolean a) { return a ? aLo[slot] : bLo[slot]; }

    int port(int slot, boolean a) { return a ? ports[slot] >>> 16 : ports[slot] & 0xffff; }

    int sourceId(int slot) { return (int) (meta[slot] >>> 48); }

    int protocol(int slot) { return (int) (meta[slot] >>> 40) & 0xff; }

    int ipVersion(int slot) { return (int) (meta[slot] >>> 32) & 0xf; }

    int ifindex(int slot) { return (int) meta[slot]; }
}
