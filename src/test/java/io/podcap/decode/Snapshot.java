package io.podcap.decode;

/** Every decoded field as text, with offsets relative to the packet start, to compare two decodes. */
final class Snapshot {
    private Snapshot() {
    }

    static String headers(PacketDecoder d) {
        int base = d.packetOffset();
        StringBuilder sb = new StringBuilder(400);
        sb.append("layers=").append(d.layers()).append(" status=").append(d.status())
                .append(" ether=").append(d.etherType()).append(" macs=").append(d.ethSrc()).append('/').append(d.ethDst())
                .append(" vlan=").append(d.vlanCount()).append('/').append(d.vlanId())
                .append(" sll=").append(d.sllPacketType()).append('/').append(d.sllHatype()).append('/').append(d.sll2Ifindex())
                .append(" ip=").append(d.ipVersion()).append(" net=").append(rel(d.networkOffset(), base))
                .append(" proto=").append(d.protocol()).append(" hl=").append(d.ipHeaderLength())
                .append(" len=").append(d.ipTotalLength()).append('/').append(d.ipv6PayloadLength())
                .append(" ttl=").append(d.ttl()).append(" tc=").append(d.trafficClass()).append(" flow=").append(d.flowLabel())
                .append(" id=").append(d.ipId()).append(" frag=").append(d.dontFragment()).append(d.moreFragments())
                .append(d.fragmentOffset()).append(d.hasIpv6FragmentHeader())
                .append(" a=").append(d.ipv4Src()).append('>').append(d.ipv4Dst())
                .append(" a6=").append(d.ipv6SrcHi()).append(',').append(d.ipv6SrcLo()).append('>')
                .append(d.ipv6DstHi()).append(',').append(d.ipv6DstLo())
                .append(" l4=").append(rel(d.transportOffset(), base)).append('/').append(d.transportHeaderLength())
                .append(" ports=").append(d.srcPort()).append('>').append(d.dstPort())
                .append(" tcp=").append(d.tcpSeq()).append(',').append(d.tcpAck()).append(',').append(d.tcpFlags())
                .append(',').append(d.tcpWindow()).append(',').append(d.tcpUrgentPointer()).append(',').append(d.tcpDataOffset())
                .append(" opts=").append(d.mss()).append(',').append(d.windowScale()).append(',').append(d.sackPermitted())
                .append(',').append(d.tsval()).append(',').append(d.tsecr()).append(',').append(d.sackBlockCount())
                .append(" udp=").append(d.udpLength())
                .append(" icmp=").append(d.icmpType()).append(',').append(d.icmpCode()).append(',').append(d.icmpId())
                .append(',').append(d.icmpSeq());
        for (int i = 0; i < d.sackBlockCount(); i++) {
            sb.append(" sack=").append(d.sackLeft(i)).append(':').append(d.sackRight(i));
        }
        return sb.toString();
    }

    static String all(PacketDecoder d) {
        return headers(d) + " payload=" + rel(d.payloadOffset(), d.packetOffset()) + "/" + d.payloadLength() + "/"
                + d.payloadWireLength() + " cap=" + d.captureLength() + "/" + d.wireLength();
    }

    private static int rel(int offset, int base) {
        return offset < 0 ? offset : offset - base;
    }
}
