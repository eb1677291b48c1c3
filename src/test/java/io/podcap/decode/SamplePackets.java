package io.podcap.decode;

import static io.podcap.decode.Packets.ethernet;
import static io.podcap.decode.Packets.icmp;
import static io.podcap.decode.Packets.ipv4;
import static io.podcap.decode.Packets.ipv6;
import static io.podcap.decode.Packets.options;
import static io.podcap.decode.Packets.padded;
import static io.podcap.decode.Packets.payload;
import static io.podcap.decode.Packets.tcp;
import static io.podcap.decode.Packets.udp;

import io.podcap.capture.LinkType;
import java.util.List;

/** Well-formed packets of every kind the decoder knows, shared by the truncation, fuzz, allocation and tshark tests. */
final class SamplePackets {
    record Sample(String name, int linkType, byte[] bytes) {
        @Override
        public String toString() { return name; }
    }

    private SamplePackets() {
    }

    static byte[] tcpV4Vlan() {
        return ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").ttl(63).id(0xabcd).tos(0x10)
                        .options(new byte[] {1, 1, 1, 0})
                        .wrap(IpProtocol.TCP, tcp(43210, 80, 0xF0000001L, 0, TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR,
                                64240, options().mss(1460).sackPermitted().timestamps(3_000_000_000L, 0).nop().wscale(7)
                                        .build(), new byte[0])),
                EtherType.QINQ, 0x2064, EtherType.VLAN, 0xa0c8);
    }

    static byte[] tcpV4Data() {
        return ethernet(EtherType.IPV4, ipv4("192.168.1.1", "192.168.1.2").fragment(true, false, 0)
                .wrap(IpProtocol.TCP, tcp(8080, 50000, 4294967000L, 77, TcpFlags.PSH | TcpFlags.ACK, 502,
                        options().nop().nop().timestamps(5, 6).nop().nop().sack(1000, 2000, 3000, 4000).build(),
                        payload(100))), EtherType.VLAN, 7);
    }

    static byte[] udpV6Ext() {
        return ethernet(EtherType.IPV6, ipv6("fe80::1", "2001:db8::53").hopLimit(255).trafficClass(0x2e)
                .flowLabel(0xabcde).ext(IpProtocol.HOPOPT, 0).ext(IpProtocol.IPV6_DSTOPTS, 1)
                .ext(IpProtocol.IPV6_ROUTING, 0).fragment(0, false, 0x89abcdefL).ah(3)
                .wrap(IpProtocol.UDP, udp(5353, 53, payload(30))));
    }

    static byte[] icmpEcho() {
        return ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.ICMP, icmp(8, 0, 7, 1, payload(56))));
    }

    static byte[] icmpUnreachable() {
        byte[] inner = ipv4("10.0.0.2", "10.0.0.1").wrap(IpProtocol.UDP, udp(40000, 33434, new byte[0]));
        return ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.ICMP, icmp(3, 3, 0, 0, inner)));
    }

    static byte[] tcpV6Vlan() {
        return ethernet(EtherType.IPV6, ipv6("2001:db8:0:1::10", "2001:db8:0:2::20").flowLabel(0x12345)
                .wrap(IpProtocol.TCP, tcp(443, 61000, 1, 2, TcpFlags.SYN | TcpFlags.ACK, 65535,
                        options().mss(1440).sackPermitted().timestamps(10, 20).nop().wscale(9).build(), new byte[0])),
                EtherType.VLAN, 42);
    }

    static byte[] udpV4Padded() {
        return padded(ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.UDP, udp(5353, 53, payload(2)))));
    }

    static byte[] fragmentV4Later() {
        return ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").id(4660).fragment(false, true, 1480)
                .wrap(IpProtocol.TCP, payload(100)));
    }

    static byte[] fragmentV6Later() {
        return ethernet(EtherType.IPV6, ipv6("2001:db8::1", "2001:db8::2").fragment(1448, true, 0xfedcba98L)
                .wrap(IpProtocol.UDP, payload(64)));
    }

    static byte[] arp() {
        return padded(ethernet(EtherType.ARP, payload(28)));
    }

    static byte[] icmp6EchoReply() {
        return ipv6("2001:db8::2", "2001:db8::1").wrap(IpProtocol.ICMPV6, icmp(129, 0, 0xbeef, 9, payload(8)));
    }

    static byte[] tcpRst() {
        return ipv4("10.0.0.9", "10.0.0.8").wrap(IpProtocol.TCP,
                tcp(1, 2, 3, 4, TcpFlags.RST | TcpFlags.ACK, 0, new byte[0], new byte[0]));
    }

    static byte[] udpV6() {
        return ipv6("fd00::1", "fd00::2").ext(IpProtocol.HOPOPT, 0).wrap(IpProtocol.UDP, udp(9999, 8888, payload(12)));
    }

    static byte[] nflogTcp4() {
        return Packets.nflog(2, 5, 3, "nf-out", 0x4000, 3, tcpRst(), true);
    }

    static List<Sample> all() {
        return List.of(
                new Sample("tcp4-vlan", LinkType.ETHERNET, tcpV4Vlan()),
                new Sample("tcp4-data", LinkType.ETHERNET, tcpV4Data()),
                new Sample("udp6-ext", LinkType.ETHERNET, udpV6Ext()),
                new Sample("icmp-echo", LinkType.ETHERNET, icmpEcho()),
                new Sample("icmp-unreach", LinkType.ETHERNET, icmpUnreachable()),
                new Sample("tcp6-vlan", LinkType.ETHERNET, tcpV6Vlan()),
                new Sample("udp4-padded", LinkType.ETHERNET, udpV4Padded()),
                new Sample("frag4", LinkType.ETHERNET, fragmentV4Later()),
                new Sample("frag6", LinkType.ETHERNET, fragmentV6Later()),
                new Sample("arp", LinkType.ETHERNET, arp()),
                new Sample("sll-icmp6", LinkType.LINUX_SLL, Packets.sll(4, EtherType.IPV6, icmp6EchoReply())),
                new Sample("sll2-tcp4", LinkType.LINUX_SLL2, Packets.sll2(7, 0, EtherType.IPV4, tcpRst())),
                new Sample("sll2-udp6", LinkType.LINUX_SLL2, Packets.sll2(0x7fffffff, 1, EtherType.IPV6, udpV6())),
                new Sample("raw-udp6", LinkType.RAW, udpV6()),
                new Sample("ipv4-tcp", LinkType.IPV4, tcpRst()),
                new Sample("null-icmp6", LinkType.NULL, new Packets.Bytes().u32(0x1e000000L).bytes(icmp6EchoReply()).array()),
                new Sample("raw-gre", LinkType.RAW, ipv4("10.0.0.1", "10.0.0.2").wrap(47, payload(24))),
                new Sample("raw-nonxt", LinkType.RAW, ipv6("::1", "::2").ext(IpProtocol.IPV6_DSTOPTS, 0)
                        .wrap(IpProtocol.IPV6_NONXT, new byte[0])),
                new Sample("nflog-tcp4", LinkType.NFLOG, nflogTcp4()),
                new Sample("nflog-udp6-be", LinkType.NFLOG, Packets.nflog(10, 5, 1, "in6", 0, 0, udpV6(), false)),
                new Sample("unknown-link", 147, payload(40)));
    }
}
