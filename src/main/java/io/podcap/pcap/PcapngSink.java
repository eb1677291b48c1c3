package io.podcap.pcap;

import io.netty.util.collection.IntObjectHashMap;
import io.podcap.capture.CaptureStats;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes packets into a {@link PcapngWriter}, one interface block per (source, interface) the first time a packet of
 * it arrives, named after the interface and described with its namespace ({@code eth0 in pid:1234}). Not thread-safe:
 * one capture (or reader) feeds it.
 */
public final class PcapngSink implements PacketHandler {
    private final PcapngWriter writer;
    private final int snaplen;
    private final String filter;
    private final Map<PacketSource, IntObjectHashMap<Iface>> bySource = new IdentityHashMap<>();
    private final List<Iface> interfaces = new ArrayList<>();
    private PacketSource lastSource;
    private IntObjectHashMap<Iface> lastMap;

    /** A written interface and how many packets went to it. */
    private static final class Iface {
        final int id;
        final PacketSource source;
        long packets;

        Iface(int id, PacketSource source) {
            this.id = id;
            this.source = source;
        }
    }

    public PcapngSink(PcapngWriter writer, int snaplen, String filter) {
        this.writer = writer;
        this.snaplen = snaplen;
        this.filter = filter == null || filter.isEmpty() ? null : filter;
    }

    @Override
    public void onPacket(PacketView p) {
        write(p, p.caplen());
    }

    /** Writes the first {@code caplen} bytes of the packet (at most its own caplen); the wire length stays. */
    public void write(PacketView p, int caplen) {
        Iface iface = ifaceOf(p);
        try {
            writer.writePacket(iface.id, p.timestampNanos(), p.data(), p.offset(), Math.min(caplen, p.caplen()),
                    p.wirelen());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + writer.currentPath() + ": " + e.getMessage(), e);
        }
        iface.packets++;
    }

    private Iface ifaceOf(PacketView p) {
        if (p.source() != lastSource) {
            lastSource = p.source();
            lastMap = bySource.computeIfAbsent(lastSource, s -> new IntObjectHashMap<>());
        }
        Iface iface = lastMap.get(p.ifindex());
        if (iface == null) {
            iface = add(p);
        }
        return iface;
    }

    private Iface add(PacketView p) {
        String name = p.interfaceName();
        // a file read back keeps its blocks' descriptions (their namespaces and the kernel's ifindex)
        String read = p.source() instanceof FileSource f ? f.description(p.ifindex()) : null;
        String description = read != null ? read
                : name + " in " + p.source().namespace() + " (ifindex " + p.ifindex() + ")";
        try {
            Iface iface = new Iface(writer.addInterface(name, description, p.linkType(), snaplen, filter), p.source());
            lastMap.put(p.ifindex(), iface);
            interfaces.add(iface);
            return iface;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes an Interface Statistics Block per interface of this source: the packets written to it, and on the first
     * one the capture's own counters (the kernel counts per socket, not per interface, when capturing on "any").
     */
    public void writeStatistics(PacketSource source, CaptureStats stats, long tsNanos) {
        boolean first = true;
        for (Iface iface : interfaces) {
            if (iface.source != source) {
                continue;
            }
            if (first) {
                writer.writeInterfaceStatistics(iface.id, tsNanos, stats.received(), stats.kernelDropped(),
                        stats.interfaceDropped(), stats.ringDropped(), iface.packets);
                first = false;
            } else {
                writer.writeInterfaceStatistics(iface.id, tsNanos, -1, -1, -1, -1, iface.packets);
            }
        }
    }

    public PcapngWriter writer() {
        return writer;
    }
}
