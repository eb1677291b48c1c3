package io.podcap.cli;

import io.netty.util.collection.IntObjectHashMap;
import io.podcap.capture.BpfFilter;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;

/** Applies a BPF filter to packets read from a file: compiled once per link type the file has. */
final class OfflineFilter extends ForwardingHandler {
    private final String expression;
    private final int snaplen;
    private final IntObjectHashMap<BpfFilter> byLinkType = new IntObjectHashMap<>();

    OfflineFilter(String expression, int snaplen, PacketHandler next) {
        super(next);
        this.expression = expression;
        this.snaplen = snaplen;
    }

    @Override
    public void onPacket(PacketView p) {
        BpfFilter filter = byLinkType.get(p.linkType());
        if (filter == null) {
            filter = BpfFilter.compile(expression, p.linkType(), snaplen);
            byLinkType.put(p.linkType(), filter);
        }
        if (filter.matches(p)) {
            next.onPacket(p);
        }
    }
}
