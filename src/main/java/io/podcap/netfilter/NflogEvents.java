package io.podcap.netfilter;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import io.podcap.decode.IpProtocol;
import io.podcap.decode.NflogDecoder;
import io.podcap.decode.PacketDecoder;
import java.util.function.Consumer;

/**
 * Turns the records of an NFLOG capture (a {@code Capture} on device {@code nflog:N}, or a file of link type NFLOG)
 * into {@link LogEvent}s: prefix, hook, mark, devices and the logged packet's headers. Records without an IP payload
 * are skipped and counted. A record's time is the kernel's when it has one, else the capture's.
 */
public final class NflogEvents implements PacketHandler {
    private final Consumer<? super NetfilterEvent> sink;
    private final PacketDecoder decoder = new PacketDecoder();
    private long events;
    private long skipped;

    public NflogEvents(Consumer<? super NetfilterEvent> sink) {
        this.sink = sink;
    }

    @Override
    public void onPacket(PacketView v) {
        if (!decoder.decode(v) || decoder.nflog().family() < 0) {
            skipped++;
            return;
        }
        NflogDecoder n = decoder.nflog();
        PacketSource source = v.source();
        PacketFields.Builder b = PacketFields.builder();
        b.family = decoder.ipVersion();
        b.src = decoder.ipVersion() == 4 ? PacketDecoder.formatIpv4(decoder.ipv4Src())
                : PacketDecoder.formatIpv6(decoder.ipv6SrcHi(), decoder.ipv6SrcLo());
        b.dst = decoder.ipVersion() == 4 ? PacketDecoder.formatIpv4(decoder.ipv4Dst())
                : PacketDecoder.formatIpv6(decoder.ipv6DstHi(), decoder.ipv6DstLo());
        b.protocol = decoder.protocol();
        boolean icmp = decoder.protocol() == IpProtocol.ICMP || decoder.protocol() == IpProtocol.ICMPV6;
        b.srcPort = icmp ? -1 : decoder.srcPort();
        b.dstPort = icmp ? -1 : decoder.dstPort();
        b.icmpType = decoder.icmpType();
        b.icmpCode = decoder.icmpCode();
        b.icmpId = decoder.icmpId();
        b.icmpSeq = decoder.icmpSeq();
        b.ipId = decoder.ipVersion() == 4 ? decoder.ipId() : -1;
        b.length = decoder.ipVersion() == 4 ? decoder.ipTotalLength() : decoder.ipv6PayloadLength() + 40;
        b.ttl = decoder.ttl();
        b.dontFragment = decoder.dontFragment();
        b.tcpFlags = decoder.tcpFlags();
        b.seq = decoder.tcpSeq();
        b.ack = decoder.tcpAck();
        b.in = device(source, n.indev());
        b.out = device(source, n.outdev());
        b.physIn = n.physIndev() > 0 ? device(source, n.physIndev()) : null;
        b.physOut = n.physOutdev() > 0 ? device(source, n.physOutdev()) : null;
        b.mark = n.mark();
        long time = n.timestampNanos() > 0 ? n.timestampNanos() : v.timestampNanos();
        events++;
        sink.accept(new LogEvent(NetfilterEvent.Source.NFLOG, time, n.prefix(), NflogDecoder.hookName(n.hook()),
                b.build()));
    }

    private static String device(PacketSource source, int ifindex) {
        if (ifindex <= 0) {
            return "";
        }
        return source == null ? "if" + ifindex : source.interfaceName(ifindex);
    }

    public long events() {
        return events;
    }

    /** Records that held no IP packet. */
    public long skipped() {
        return skipped;
    }
}
