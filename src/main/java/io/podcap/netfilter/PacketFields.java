package io.podcap.netfilter;

/**
 * What a log or trace line says about a packet. Numbers a line does not carry are -1, strings null (interfaces a line
 * shows empty, like LOG's {@code IN=} on output, are ""). Addresses are in canonical text form (RFC 5952 for IPv6).
 */
public record PacketFields(int family, String src, String dst, int protocol, int srcPort, int dstPort, long ipId,
                           int length, int ttl, boolean dontFragment, int tcpFlags, long seq, long ack,
                           int icmpType, int icmpCode, int icmpId, int icmpSeq,
                           String in, String out, String physIn, String physOut, String mac, long mark) {
    /** The packet's tuple; for ICMP echo the identifier stands in for both ports, as conntrack does. */
    public Tuple tuple() {
        return new Tuple(protocol, src, srcPort, dst, dstPort);
    }

    public boolean hasAddresses() {
        return src != null && dst != null;
    }

    static Builder builder() {
        return new Builder();
    }

    /** Filled token by token by the parsers. */
    static final class Builder {
        int family = -1;
        String src;
        String dst;
        int protocol = -1;
        int srcPort = -1;
        int dstPort = -1;
        long ipId = -1;
        int length = -1;
        int ttl = -1;
        boolean dontFragment;
        int tcpFlags;
        long seq = -1;
        long ack = -1;
        int icmpType = -1;
        int icmpCode = -1;
        int icmpId = -1;
        int icmpSeq = -1;
        String in;
        String out;
        String physIn;
        String physOut;
        String mac;
        long mark = -1;

        PacketFields build() {
            if (family < 0 && src != null) {
                family = src.indexOf(':') >= 0 ? 6 : 4;
            }
            if (protocol < 0) { // xtables-monitor names no protocol: ports with TCP flags are TCP, without UDP
                protocol = srcPort >= 0 ? (tcpFlags != 0 ? 6 : 17) : icmpType >= 0 ? (family == 6 ? 58 : 1) : -1;
            }
            if (protocol == 1 || protocol == 58) {
                if (icmpId >= 0 && srcPort < 0) { // conntrack keys echo by identifier
                    srcPort = icmpId;
                    dstPort = icmpId;
                }
            }
            return new PacketFields(family, src, dst, protocol, srcPort, dstPort, ipId, length, ttl, dontFragment,
                    tcpFlags, seq, ack, icmpType, icmpCode, icmpId, icmpSeq, in, out, physIn, physOut, mac, mark);
        }
    }
}
