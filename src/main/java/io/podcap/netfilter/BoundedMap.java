package io.podcap.netfilter;

import java.util.LinkedHashMap;
import java.util.Map;

/** An insertion-ordered map that drops its oldest entry beyond a cap, counting what it drops. */
final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
    private final int cap;
    private long evicted;

    BoundedMap(int cap) {
        super(16, 0.75f, false);
        this.cap = cap;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() > cap) {
            evicted++;
            return true;
        }
        return false;
    }

    long evicted() {
        return evicted;
    }
}
