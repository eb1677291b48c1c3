package io.podcap.capture;

import static io.podcap.capture.RingDescriptor.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The consumer side of the shared ring. Single-threaded: one reader per ring. A batch hands out up to
 * {@code views.length} packets, each in its own {@link PacketView} over the ring memory; only after the batch does the
 * reader move head, so every view of the batch stays valid until then. It never writes the data area: the producer
 * clears the length word after each record it publishes, which is where this reader stops. The records' link type
 * and source come with each poll: a capture group's captures take turns in one ring, each drained before the next.
 */
final class RingReader {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final ByteBuffer memory;
    private final int capacity;
    private final int mask;
    private final PacketView[] views;
    private final ByteBuf[] viewBuffers;
    private long head;

    RingReader(ByteBuffer memory, int batchSize) {
        this.memory = memory;
        this.capacity = memory.capacity() - TRAILER_LENGTH;
        checkCapacity(capacity);
        this.mask = capacity - 1;
        ByteBuf data = Unpooled.wrappedBuffer(memory.duplicate().clear().limit(capacity));
        this.views = new PacketView[batchSize];
        this.viewBuffers = new ByteBuf[batchSize];
        for (int i = 0; i < batchSize; i++) {
            views[i] = new PacketView();
            viewBuffers[i] = data.duplicate();
        }
        this.head = (long) LONG.getVolatile(memory, capacity + HEAD_OFFSET);
    }

    /** Zeroed, 128-byte aligned memory for a ring with a data area of capacity bytes. */
    static ByteBuffer allocate(int capacity) {
        int total = totalLength(capacity);
        ByteBuffer raw = ByteBuffer.allocateDirect(total + 128);
        return raw.alignedSlice(128).slice(0, total).order(ByteOrder.nativeOrder());
    }

    ByteBuffer memory() {
        return memory;
    }

    /** Hands up to one batch of packets, of this link type and source, to the handler; returns how many. */
    int poll(PacketHandler handler, int linkType, PacketSource source) {
        long position = head;
        int count = 0;
        // The producer always leaves a cleared length word after its last record, so this stops within a lap.
        while (count < views.length && position - head < capacity) {
            int index = (int) position & mask;
            int length = (int) INT.getAcquire(memory, index + LENGTH_OFFSET);
            if (length <= 0) {
                break;
            }
            int type = (int) INT.get(memory, index + TYPE_OFFSET);
            if (type == TYPE_PAD) {
                position += length;
                continue;
            }
            position += alignedLength(length - RECORD_HEADER);
            if (type == TYPE_PACKET) {
                PacketView view = views[count];
                view.wrap(viewBuffers[count], index + RECORD_HEADER,
                        (int) INT.get(memory, index + CAPLEN_OFFSET),
                        (int) INT.get(memory, index + WIRELEN_OFFSET),
                        (long) LONG.get(memory, index + TIMESTAMP_OFFSET),
                        (int) INT.get(memory, index + IFINDEX_OFFSET),
                        linkType, source);
                count++;
                handler.onPacket(view);
            }
        }
        if (position != head) {
            if (count > 0) {
                handler.onBatchEnd();
            }
            LONG.setRelease(memory, capacity + HEAD_OFFSET, position);
            head = position;
        }
        return count;
    }

    /** Bytes of records read since the ring began, padding included. */
    long position() {
        return head;
    }

    /** Whether a record is published at head. */
    boolean available() {
        return (int) INT.getVolatile(memory, ((int) head & mask) + LENGTH_OFFSET) > 0;
    }

    /**
     * Raises the parked flag for the producer, then looks once more: either the producer sees the flag after its
     * next publication and signals, or this look sees that publication (both sides fence between store and load).
     * Returns true when there is no need to sleep.
     */
    boolean park() {
        INT.setVolatile(memory, capacity + PARKED_OFFSET, 1);
        return available();
    }

    /** Packets the producer dropped because the ring was full. */
    long dropped() {
        return (long) LONG.getVolatile(memory, capacity + DROPPED_OFFSET);
    }
}
