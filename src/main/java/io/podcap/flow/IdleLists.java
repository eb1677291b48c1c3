package io.podcap.flow;

import java.util.Arrays;

/**
 * Live flows in doubly linked lists, one per idle-timeout class, each in the order the flows last saw a packet. Since
 * every flow of a list has the same timeout, only a list's head can be the next to expire, and the oldest idle flow of
 * the table is one of the heads. The links (previous and next slot) live in the table's shared slot array, beside the
 * slot's key and last timestamp.
 */
final class IdleLists {
    static final int TCP_OPENING = 0;
    static final int TCP_OPEN = 1;
    static final int TCP_ENDED = 2;
    static final int UDP = 3;
    static final int OTHER = 4;
    static final int COUNT = 5;

    private final long[] slots; // word FlowKeys.LINKS of a slot: prev << 32 | next (as unsigned int)
    private final byte[] list;
    private final int[] head = new int[COUNT];
    private final int[] tail = new int[COUNT];

    IdleLists(long[] slots, int capacity) {
        this.slots = slots;
        list = new byte[capacity];
        Arrays.fill(head, -1);
        Arrays.fill(tail, -1);
    }

    private int prev(int slot) {
        return (int) (slots[slot * FlowKeys.STRIDE + FlowKeys.LINKS] >> 32);
    }

    private void setPrev(int slot, int prev) {
        int i = slot * FlowKeys.STRIDE + FlowKeys.LINKS;
        slots[i] = (long) prev << 32 | (slots[i] & 0xffffffffL);
    }

    private void setNext(int slot, int next) {
        int i = slot * FlowKeys.STRIDE + FlowKeys.LINKS;
        slots[i] = (slots[i] & 0xffffffff00000000L) | (next & 0xffffffffL);
    }

    int head(int l) {
        return head[l];
    }

    int next(int slot) {
        return (int) slots[slot * FlowKeys.STRIDE + FlowKeys.LINKS];
    }

    /** Appends a slot that is in no list. */
    void add(int slot, int l) {
        list[slot] = (byte) l;
        int t = tail[l];
        slots[slot * FlowKeys.STRIDE + FlowKeys.LINKS] = (long) t << 32 | 0xffffffffL; // next -1
        if (t >= 0) {
            setNext(t, slot);
        } else {
            head[l] = slot;
        }
        tail[l] = slot;
    }

    void remove(int slot) {
        int l = list[slot];
        int p = prev(slot);
        int n = next(slot);
        if (p >= 0) {
            setNext(p, n);
        } else {
            head[l] = n;
        }
        if (n >= 0) {
            setPrev(n, p);
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
