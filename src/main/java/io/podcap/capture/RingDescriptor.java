package io.podcap.capture;

import java.util.Arrays;

/**
 * The layout of the ring shared with the native side (native/src/ring.h), in one place. A power-of-two data
 * area of 8-byte aligned records, then a trailer of control words each in its own 128-byte slot. A record is a 32-byte
 * header and the packet bytes; its length is written last, with release semantics, and a length of 0 means "not yet
 * published". The producer clears the length word after each record before publishing it, so the consumer never
 * writes the data area: it only moves head.
 */
public final class RingDescriptor {
    public static final int ALIGNMENT = 8;

    public static final int RECORD_HEADER = 32;
    public static final int LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int TIMESTAMP_OFFSET = 8;
    public static final int CAPLEN_OFFSET = 16;
    public static final int WIRELEN_OFFSET = 20;
    public static final int IFINDEX_OFFSET = 24;
    public static final int FLAGS_OFFSET = 28;

    public static final int TRAILER_LENGTH = 640;
    /** Trailer offsets, from the end of the data area. */
    public static final int TAIL_OFFSET = 0;
    public static final int HEAD_CACHE_OFFSET = 128;
    public static final int HEAD_OFFSET = 256;
    public static final int DROPPED_OFFSET = 384;
    public static final int PARKED_OFFSET = 512;

    public static final int TYPE_PACKET = 1;
    public static final int TYPE_PAD = 2;
    public static final int TYPE_EVENT = 3;

    public static final int MIN_CAPACITY = 4096;

    private RingDescriptor() {}

    /** Bytes to allocate for a ring whose data area holds capacity bytes. */
    public static int totalLength(int capacity) {
        checkCapacity(capacity);
        return capacity + TRAILER_LENGTH;
    }

    public static void checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || Integer.bitCount(capacity) != 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException(
                    "ring capacity must be a power of two between 4 KiB and 1 GiB, not " + capacity);
        }
    }

    /** Space a record of caplen packet bytes takes in the ring. */
    public static int alignedLength(int caplen) {
        return (RECORD_HEADER + caplen + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Fails fast when the loaded library was built with another layout than this class describes. */
    static void verify(long[] nativeLayout) {
        long[] expected = {
            RECORD_HEADER, LENGTH_OFFSET, TYPE_OFFSET, TIMESTAMP_OFFSET, CAPLEN_OFFSET, WIRELEN_OFFSET,
            IFINDEX_OFFSET, FLAGS_OFFSET, TRAILER_LENGTH, TAIL_OFFSET, HEAD_CACHE_OFFSET, HEAD_OFFSET,
            DROPPED_OFFSET, PARKED_OFFSET, TYPE_PACKET, TYPE_PAD, TYPE_EVENT,
        };
        if (!Arrays.equals(expected, nativeLayout)) {
            throw new IllegalStateException("libpodcap's ring layout " + Arrays.toString(nativeLayout)
                    + " differs from RingDescriptor " + Arrays.toString(expected) + ": rebuild the native library");
        }
    }
}
