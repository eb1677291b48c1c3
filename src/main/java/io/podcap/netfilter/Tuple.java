package io.podcap.netfilter;

import io.podcap.decode.IpProtocol;

/** A connection's addresses and ports in one direction; ports are -1 for protocols without them. */
public record Tuple(int protocol, String src, int srcPort, String dst, int dstPort) {
    public Tuple reversed() {
        return new Tuple(protocol, dst, dstPort, src, srcPort);
    }

    public Tuple withDst(String address, int port) {
        return new Tuple(protocol, src, srcPort, address, port);
    }

    public Tuple withSrc(String address, int port) {
        return new Tuple(protocol, address, port, dst, dstPort);
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

    static String protocolName(int protocol) {
        return IpProtocol.name(protocol).toLowerCase(java.util.Locale.ROOT);
    }
}
