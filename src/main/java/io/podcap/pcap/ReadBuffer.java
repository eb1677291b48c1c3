package io.podcap.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;

/**
 * One large reusable buffer over a file. Decoders parse at {@link #pos} with absolute getters in the file's byte
 * order; {@link #fill} compacts (moving the unparsed tail to the front), reads more, and grows only for a record
 * bigger than the buffer. Packet views get {@link #viewBuf()}, a duplicate made once per allocation.
 *
 * <p>Filling moves bytes, so the reader only fills between batches, never while a handler may still look at a packet.
 */
final class ReadBuffer {
    static final int DEFAULT_CAPACITY = 4 << 20;

    private final ReadableByteChannel channel;
    private ByteBuffer nio;      // limit is always the capacity; positions are only used while reading
    private ByteBuf viewBuf;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private long startOffset;    // file offset of index 0
    private boolean eof;

    /** Next unparsed byte. */
    int pos;
    /** End of the valid bytes. */
    int limit;

    ReadBuffer(ReadableByteChannel channel, int capacity) {
        this.channel = channel;
        allocate(capacity);
    }

    /** Makes at least {@code n} bytes available from {@link #pos}; false if the file ends first. */
    boolean fill(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (n > nio.capacity()) {
            grow(n);
        } else if (pos > 0) {
            compact();
        }
        while (limit - pos < n && !eof) {
            nio.limit(nio.capacity()).position(limit);
            int r = channel.read(nio);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return limit - pos >= n;
    }

    int available() {
        return limit - pos;
    }

    /** The bytes not parsed yet, then the rest of the channel (to read it through a decompressor). */
    InputStream unparsed() {
        return new SequenceInputStream(new ByteArrayInputStream(bytes(pos, limit - pos)),
                Channels.newInputStream(channel));
    }

    /** File offset of buffer index {@code i}. */
    long fileOffset(int i) {
        return startOffset + i;
    }

    void order(ByteOrder order) {
        this.order = order;
        nio.order(order);
    }

    int getInt(int i) {
        return nio.getInt(i);
    }

    long getUnsignedInt(int i) {
        return nio.getInt(i) & 0xFFFFFFFFL;
    }

    int getUnsignedShort(int i) {
        return nio.getShort(i) & 0xFFFF;
    }

    long getLong(int i) {
        return nio.getLong(i);
    }

    int getUnsignedByte(int i) {
        return nio.get(i) & 0xFF;
    }

    /** Always little-endian, for magic numbers. */
    int getIntLE(int i) {
        int v = nio.getInt(i);
        return order == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    byte[] bytes(int i, int len) {
        byte[] b = new byte[len];
        nio.get(i, b);
        return b;
    }

    /** Buffer for {@link io.podcap.capture.PacketView#wrap}; its indexes belong to the view. */
    ByteBuf viewBuf() {
        return viewBuf;
    }

    private void compact() {
        nio.limit(limit).position(pos);
        nio.compact();
        startOffset += pos;
        limit -= pos;
        pos = 0;
    }

    private void grow(int n) {
        int cap = Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8, nio.capacity() * 2L));
        ByteBuffer old = nio;
        int len = limit - pos;
        allocate(cap);
        nio.put(0, old, pos, len);
        startOffset += pos;
        limit = len;
        pos = 0;
    }

    private void allocate(int capacity) {
        nio = ByteBuffer.allocateDirect(capacity).order(order);
        viewBuf = Unpooled.wrappedBuffer(nio).duplicate();
    }
}
