package io.podcap.flow;

import java.util.Arrays;

/**
 * Live flows in doubly linked lists, one per idle-timeout class, each in the order the flows last saw a packet. Since
 * every flow of a list has the same timeout, only a list's head can be the next to expire, and the oldest idle flow of
 * the table is one of the heads.
 */
final class IdleLists {
    static final int TCP_OPENING = 0;
    static final int TCP_OPEN = 1;
    static final int TCP_ENDED = 2;
    static final int UDP = 3;
    static final int OTHER = 4;
    static final int COUNT = 5;

    private final int[] prev;
    private final int[] next;
    private final byte[] list;
    private final int[] head = new int[COUNT];
    private final int[] tail = new int[COUNT];

    IdleLists(int capacity) {
        prev = new int[capacity];
        next = new int[capacity];
        list = new byte[capacity];
        Arrays.fill(head, -1);
        Arrays.fill(tail, -1);
    }

    int head(int l) {
        return head[l];
    }

    int next(int slot) {
        return next[slot];
    }

    /** Appends a slot that is in no list. */
    void add(int slot, int l) {
        list[slot] = (byte) l;
        prev[slot] = tail[l];
        next[slot] = -1;
        if (tail[l] >= 0) {
            next[tail[l]] = slot;
        } else {
            head[l] = slot;
        }
        tail[l] = slot;
    }

    void remove(int slot) {
        int l = list[slot];
        int p = prev[slot];
        int n = next[slot];
        if (p >= 0) {
            next[p] = n;
        } else {
            head[l] = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail[l] = p;
        }
    }

    /** Moves a slot to the end of list {@code l} (its own or another). */
    void touch(int slot, int l) {
        if (tail[l] == slot) {
            return;
        }
        remove(slot);
        add(slot, l);
    }
}
