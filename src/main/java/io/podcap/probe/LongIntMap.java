package io.podcap.probe;

/** A fixed-capacity open-addressing map from long keys to non-negative ints; no allocation after construction. */
final class LongIntMap {
    private final long[] keys;
    private final int[] values; // -1: empty
    private final int mask;

    LongIntMap(int maxEntries) {
        int n = Integer.highestOneBit(Math.max(4, maxEntries) * 2 - 1) << 1;
        keys = new long[n];
        values = new int[n];
        java.util.Arrays.fill(values, -1);
        mask = n - 1;
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32) & mask;
    }

    int get(long key) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            if (values[i] < 0) {
                return -1;
            }
            if (keys[i] == key) {
                return values[i];
            }
        }
    }

    void put(long key, int value) {
        for (int i = home(key); ; i = (i + 1) & mask) {
            if (values[i] < 0 || keys[i] == key) {
                keys[i] = key;
                values[i] = value;
                return;
            }
        }
    }

    /** Removes {@code key} when it maps to {@code value}; later entries of its probe run shift back. */
    void remove(long key, int value) {
        int i = home(key);
        while (values[i] >= 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] < 0 || values[i] != value) {
            return;
        }
        values[i] = -1;
        for (int j = (i + 1) & mask; values[j] >= 0; j = (j + 1) & mask) {
            int h = home(keys[j]);
            // move j back into the hole when its home is not in (i, j]
            if (i <= j ? h <= i || h > j : h <= i && h > j) {
                keys[i] = keys[j];
                values[i] = values[j];
                values[j] = -1;
                i = j;
            }
        }
    }

    /** A 64-bit fingerprint of several longs. */
    static long mix(long h, long v) {
        h ^= v;
        h *= 0xff51afd7ed558ccdL;
        return h ^ h >>> 33;
    }
}
