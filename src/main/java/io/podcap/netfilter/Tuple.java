package io.podcap.netfilter;

/**
 * A connection's addresses and ports in one direction. ICMP echo has its identifier in both ports, as conntrack keys it;
 * other protocols without ports have -1.
 */
public record Tuple(int protocol, String src, int srcPort, String dst, int dstPort) {
    public Tuple reversed() {
        return new Tuple(protocol, dst, dstPort, src, srcPort);
    }

    public boolean sameSource(Tuple o) {
        return src.equals(o.src) && srcPort == o.srcPort;
    }

    public boolean sameDestination(Tuple o) {
        return dst.equals(o.dst) && dstPort == o.dstPort;
    }

    /** {@code 10.20.0.1:44662 > 10.19.9.120:6443} ({@code [v6]:port} for IPv6). */
    @Override
    public String toString() {
        return endpoint(src, srcPort) + " > " + endpoint(dst, dstPort);
    }

    static String endpoint(String address, int port) {
        if (port < 0) {
            return address;
        }
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
