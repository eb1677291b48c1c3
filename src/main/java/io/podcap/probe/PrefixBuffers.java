package io.podcap.probe;

import io.netty.buffer.ByteBuf;

/**
 * A fixed pool of buffers that each hold the first bytes of one direction of one connection, placed by TCP sequence
 * number: segments may come split, out of order or repeated. A buffer is taken when a direction's first payload
 * arrives and given back once the detector has looked at it, so the pool bounds memory however many flows there are.
 */
final class PrefixBuffers {
    private final int size;
    private final byte[] data;
    private final long[] filled; // a bit per byte
    private final int[] contiguous;
    private final int[] freeList;
    private int free;

    PrefixBuffers(int count, int size) {
        if (size % 64 != 0) {
            throw new IllegalArgumentException("buffer size must be a multiple of 64");
        }
        this.size = size;
        data = new byte[count * size];
        filled = new long[count * size / 64];
        contiguous = new int[count];
        freeList = new int[count];
        for (int i = 0; i < count; i++) {
            freeList[i] = count - 1 - i;
        }
        free = count;
    }

    /** A cleared buffer, or -1 when all are in use. */
    int acquire() {
        if (free == 0) {
            return -1;
        }
        int b = freeList[--free];
        contiguous[b] = 0;
        int words = size / 64;
        for (int i = b * words; i < (b + 1) * words; i++) {
            filled[i] = 0;
        }
        return b;
    }

    void release(int b) {
        freeList[free++] = b;
    }

    int size() {
        return size;
    }

    int inUse() {
        return freeList.length - free;
    }

    /**
     * Places {@code length} bytes of {@code buf} at {@code offset} at {@code position} of the direction (may be negative:
     * bytes before the start are skipped, as are bytes past the buffer). Returns the contiguous length.
     */
    int put(int b, long position, ByteBuf buf, int offset, int length) {
        int from = (int) Math.max(position, 0);
        int to = (int) Math.min(position + length, size);
        int base = b * size;
        if (from < to) {
            buf.getBytes(offset + (int) (from - position), data, base + from, to - from);
            mark(base + from, base + to);
        }
        int c = contiguous[b];
        while (c < size) {
            long unfilled = ~filled[(base + c) >>> 6] & -1L << (c & 63);
            if (unfilled != 0) {
                c = (c & ~63) + Long.numberOfTrailingZeros(unfilled);
                break;
            }
            c = (c | 63) + 1;
        }
        contiguous[b] = c;
        return c;
    }

    /** Sets the filled bits of bytes {@code from} (inclusive) to {@code to} (exclusive) of the whole pool. */
    private void mark(int from, int to) {
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        long head = -1L << (from & 63);
        long tail = -1L >>> (63 - ((to - 1) & 63));
        if (first == last) {
            filled[first] |= head & tail;
            return;
        }
        filled[first] |= head;
        for (int w = first + 1; w < last; w++) {
            filled[w] = -1L;
        }
        filled[last] |= tail;
    }

    int contiguous(int b) {
        return contiguous[b];
    }

    /** The backing array; buffer {@code b} starts at {@link #offset(int)}. */
    byte[] data() {
        return data;
    }

    int offset(int b) {
        return b * size;
    }
}
