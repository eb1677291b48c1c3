package io.podcap.capture;

import io.netty.buffer.ByteBuf;

/**
 * One captured packet, as a reusable flyweight over the bytes where they already are (the shared ring of a live
 * capture, or a read buffer of an offline file). Nothing is copied: a view is only valid while the handler that
 * received it runs; {@link #copyData()} keeps the bytes beyond that.
 */
public final class PacketView {
    private ByteBuf data;
    private int offset;
    private int caplen;
    private int wirelen;
    private long timestampNanos;
    private int ifindex;
    private int linkType;
    private PacketSource source;

    /**
     * Points this view at a packet. {@code buf} must be owned by this view (a duplicate of the shared buffer), since
     * its reader and writer indexes are set to the packet's bounds.
     */
    public PacketView wrap(ByteBuf buf, int offset, int caplen, int wirelen, long timestampNanos, int ifindex,
                           int linkType, PacketSource source) {
        this.data = buf;
        this.offset = offset;
        this.caplen = caplen;
        this.wirelen = wirelen;
        this.timestampNanos = timestampNanos;
        this.ifindex = ifindex;
        this.linkType = linkType;
        this.source = source;
        buf.setIndex(offset, offset + caplen);
        return this;
    }

    /** Capture time in nanoseconds since the epoch. */
    public long timestampNanos() { return timestampNanos; }

    /** Bytes captured (at most the snap length). */
    public int caplen() { return caplen; }

    /** Length of the packet on the wire. */
    public int wirelen() { return wirelen; }

    /** Index of the interface the packet was seen on, inside its namespace (for {@code any}: the real one). */
    public int ifindex() { return ifindex; }

    /** Link-layer header type of the bytes ({@link LinkType}). */
    public int linkType() { return linkType; }

    /** Where the packet came from: capture namespace and interface names, or the file. */
    public PacketSource source() { return source; }

    /** Interface name for {@link #ifindex()}, as its source knows it. */
    public String interfaceName() { return source.interfaceName(ifindex); }

    /**
     * The packet bytes: the buffer's readable region, {@code readerIndex()} to {@code writerIndex()}. Absolute indexes
     * are positions in the shared buffer, so use {@link #offset()} with absolute getters.
     */
    public ByteBuf data() { return data; }

    /** Absolute index of the first packet byte in {@link #data()}. */
    public int offset() { return offset; }

    /** A copy of the packet bytes that outlives the view. */
    public ByteBuf copyData() { return data.copy(offset, caplen); }
}
