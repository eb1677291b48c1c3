package io.podcap.flow;

/**
 * The keys of the flow table's slots and an open-addressing index over them (linear probing, backward-shift
 * deletion, so no tombstones). A key is bidirectional: its two endpoints are stored in a canonical order (A before B),
 * so both directions of a conversation find the same slot. Keys live in the table's shared slot array ({@link #STRIDE}
 * longs per slot, so that a lookup and the per-packet updates touch one or two cache lines); nothing is allocated
 * after construction.
 */
final class FlowKeys {
    /**
     * Longs per slot in the shared array: 0-3 endpoints, 4 meta, 5 ports and hash, then the table's own: 6 last
     * timestamp, 7 idle-list links, 8-15 counters. Two adjacent cache lines hold what a packet updates.
     */
    static final int STRIDE = 16;
    static final int LAST_TS = 6;
    static final int LINKS = 7;
    static final int COUNTERS = 8;
    private static final int A_HI = 0;
    private static final int A_LO = 1;
    private static final int B_HI = 2;
    private static final int B_LO = 3;
    private static final int META = 4;
    private static final int PORTS_HASH = 5; // portA << 48 | portB << 32 | hash

    // An index entry: slot + 1 (0 = empty) in its low bits, the key hash's top bits above, so that a probe passing
    // other keys' entries rarely loads their slots.
    private static final int SLOT_BITS = 27; // slot + 1 up to the maximum capacity, 2^26
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;

    private final long[] slots;
    private final int[] index;
    private final int mask;
    private final int[] free;
    private int freeCount;

    // the key of the packet being looked up, set by prepare()
    private long kaHi;
    private long kaLo;
    private long kbHi;
    private long kbLo;
    private long kMeta;
    private long kPortsHash;
    private int kHash;
    private boolean kFromA;
    private static final int SAVED = 7; // longs per key kept by save()
    private final long[] saved = new long[SAVED * BatchFeeder.GROUP];

    FlowKeys(long[] slots, int capacity) {
        this.slots = slots;
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
        int ports;
        if (srcFirst) {
            kaHi = srcHi;
            kaLo = srcLo;
            kbHi = dstHi;
            kbLo = dstLo;
            ports = (srcPort & 0xffff) << 16 | (dstPort & 0xffff);
        } else {
            kaHi = dstHi;
            kaLo = dstLo;
            kbHi = srcHi;
            kbLo = srcLo;
            ports = (dstPort & 0xffff) << 16 | (srcPort & 0xffff);
        }
        kFromA = srcFirst;
        kMeta = meta;
        long h = mix(kaHi ^ mix(kaLo ^ mix(kbHi ^ mix(kbLo ^ mix(meta ^ ((long) ports << 7))))));
        kHash = (int) (h ^ (h >>> 32));
        kPortsHash = (long) ports << 32 | (kHash & 0xffffffffL);
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        return (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
    }

    /** Keeps the prepared key as entry {@code j} of a batch, to be made the prepared key again by {@link #load}. */
    void save(int j) {
        int i = j * SAVED;
        saved[i] = kaHi;
        saved[i + 1] = kaLo;
        saved[i + 2] = kbHi;
        saved[i + 3] = kbLo;
        saved[i + 4] = kMeta;
        saved[i + 5] = kPortsHash;
        saved[i + 6] = kFromA ? 1 : 0;
    }

    void load(int j) {
        int i = j * SAVED;
        kaHi = saved[i];
        kaLo = saved[i + 1];
        kbHi = saved[i + 2];
        kbLo = saved[i + 3];
        kMeta = saved[i + 4];
        kPortsHash = saved[i + 5];
        kHash = (int) kPortsHash;
        kFromA = saved[i + 6] != 0;
    }

    /** The prepared key's source port (as given to {@link #prepare}). */
    int srcPort() {
        int ports = (int) (kPortsHash >>> 32);
        return kFromA ? ports >>> 16 : ports & 0xffff;
    }

    int dstPort() {
        int ports = (int) (kPortsHash >>> 32);
        return kFromA ? ports & 0xffff : ports >>> 16;
    }

    /** Whether the prepared key's source is endpoint A. */
    boolean fromA() {
        return kFromA;
    }

    /** The index hash of the prepared key. */
    int hash() {
        return kHash;
    }

    /**
     * Loads the index buckets of these hashes, then the key, counters and idle links of the slots whose entries
     * match, then the idle links of those slots' neighbours: in tight loops whose independent cache misses overlap.
     * Leaves in {@code hashes} the slot found for each (or -1) and returns a sum only to keep the loads.
     */
    long prefetch(int[] hashes, int n) {
        long sum = 0;
        for (int j = 0; j < n; j++) {
            sum += index[hashes[j] & mask];
        }
        for (int j = 0; j < n; j++) {
            int h = hashes[j];
            int tag = h >>> SLOT_BITS;
            int pos = h & mask;
            int e;
            while ((e = index[pos]) != 0 && e >>> SLOT_BITS != tag) {
                pos = (pos + 1) & mask;
            }
            int slot = (e & SLOT_MASK) - 1;
            hashes[j] = slot;
            if (slot >= 0) {
                // words 0, 7 and 13: one in each cache line the key, links and counters can span
                int b = slot * STRIDE;
                sum += slots[b] + slots[b + LINKS] + slots[b + COUNTERS + 5];
            }
        }
        for (int j = 0; j < n; j++) {
            int slot = hashes[j];
            if (slot >= 0) {
                long links = slots[slot * STRIDE + LINKS];
                int prev = (int) (links >> 32);
                int next = (int) links;
                sum += prev >= 0 ? slots[prev * STRIDE + LINKS] : 0;
                sum += next >= 0 ? slots[next * STRIDE + LINKS] : 0;
            }
        }
        return sum;
    }

    /** The slot holding the prepared key, or -1. */
    int find() {
        long[] k = slots;
        int pos = kHash & mask;
        int tag = kHash >>> SLOT_BITS;
        int e;
        while ((e = index[pos]) != 0) {
            if (e >>> SLOT_BITS == tag) {
                int b = ((e & SLOT_MASK) - 1) * STRIDE;
                if (k[b + PORTS_HASH] == kPortsHash && k[b + A_LO] == kaLo && k[b + B_LO] == kbLo
                        && k[b + META] == kMeta && k[b + A_HI] == kaHi && k[b + B_HI] == kbHi) {
                    return (e & SLOT_MASK) - 1;
                }
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
        int b = s * STRIDE;
        slots[b + A_HI] = kaHi;
        slots[b + A_LO] = kaLo;
        slots[b + B_HI] = kbHi;
        slots[b + B_LO] = kbLo;
        slots[b + META] = kMeta;
        slots[b + PORTS_HASH] = kPortsHash;
        int pos = kHash & mask;
        while (index[pos] != 0) {
            pos = (pos + 1) & mask;
        }
        index[pos] = (s + 1) | (kHash >>> SLOT_BITS) << SLOT_BITS;
        return s;
    }

    private int home(int slot) {
        return (int) slots[slot * STRIDE + PORTS_HASH] & mask;
    }

    /** Removes a slot's key and frees the slot. */
    void remove(int slot) {
        int i = home(slot);
        while ((index[i] & SLOT_MASK) != slot + 1) {
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
            int home = home((e & SLOT_MASK) - 1);
            boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!stays) {
                index[i] = e;
                i = j;
            }
        }
        index[i] = 0;
        free[freeCount++] = slot;
    }

    long hi(int slot, boolean a) { return slots[slot * STRIDE + (a ? A_HI : B_HI)]; }

    long lo(int slot, boolean a) { return slots[slot * STRIDE + (a ? A_LO : B_LO)]; }

    int port(int slot, boolean a) {
        int ports = (int) (slots[slot * STRIDE + PORTS_HASH] >>> 32);
        return a ? ports >>> 16 : ports & 0xffff;
    }

    private long meta(int slot) { return slots[slot * STRIDE + META]; }

    int sourceId(int slot) { return (int) (meta(slot) >>> 48); }

    int protocol(int slot) { return (int) (meta(slot) >>> 40) & 0xff; }

    int ipVersion(int slot) { return (int) (meta(slot) >>> 32) & 0xf; }

    int ifindex(int slot) { return (int) meta(slot); }
}
