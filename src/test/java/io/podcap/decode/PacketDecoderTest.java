package io.podcap.decode;

import static io.podcap.decode.Packets.addr;
import static io.podcap.decode.Packets.ethernet;
import static io.podcap.decode.Packets.icmp;
import static io.podcap.decode.Packets.ipv4;
import static io.podcap.decode.Packets.ipv6;
import static io.podcap.decode.Packets.options;
import static io.podcap.decode.Packets.padded;
import static io.podcap.decode.Packets.payload;
import static io.podcap.decode.Packets.sll;
import static io.podcap.decode.Packets.tcp;
import static io.podcap.decode.Packets.udp;
import static io.podcap.decode.PacketDecoder.LINK;
import static io.podcap.decode.PacketDecoder.MALFORMED;
import static io.podcap.decode.PacketDecoder.NETWORK;
import static io.podcap.decode.PacketDecoder.OK;
import static io.podcap.decode.PacketDecoder.TRANSPORT;
import static io.podcap.decode.PacketDecoder.TRUNCATED;
import static io.podcap.decode.PacketDecoder.UNSUPPORTED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketView;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PacketDecoderTest {
    private final PacketDecoder d = new PacketDecoder();

    private boolean decode(byte[] packet, int linkType) {
        return d.decode(Unpooled.wrappedBuffer(packet), 0, packet.length, linkType);
    }

    private static int v4(String a) { return ByteBuffer.wrap(addr(a)).getInt(); }

    private static long hi(String a) { return ByteBuffer.wrap(addr(a)).getLong(0); }

    private static long lo(String a) { return ByteBuffer.wrap(addr(a)).getLong(8); }

    private void assertLayers(int layers, int status) {
        assertEquals(layers, d.layers(), "layers");
        assertEquals(PacketDecoder.statusName(status), PacketDecoder.statusName(d.status()), "status");
    }

    @Test
    void tcpSynOverStackedVlansWithIpOptions() {
        byte[] opts = options().mss(1460).sackPermitted().timestamps(3_000_000_000L, 0).nop().wscale(7).build();
        byte[] l4 = tcp(43210, 80, 0xF0000001L, 0, TcpFlags.SYN, 64240, opts, new byte[0]);
        byte[] ip = ipv4("10.0.0.1", "10.0.0.2").ttl(63).id(0xabcd).tos(0xb8).options(new byte[] {1, 1, 1, 0})
                .wrap(IpProtocol.TCP, l4);
        byte[] frame = ethernet(EtherType.IPV4, ip, EtherType.QINQ, 0x2064, EtherType.VLAN, 200);

        assertTrue(decode(frame, LinkType.ETHERNET));
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(0x02000000000bL, d.ethDst());
        assertEquals(0x02000000000aL, d.ethSrc());
        assertEquals(2, d.vlanCount());
        assertEquals(100, d.vlanId());
        assertEquals(EtherType.IPV4, d.etherType());
        assertEquals(-1, d.sllPacketType());

        assertEquals(4, d.ipVersion());
        assertEquals(22, d.networkOffset());
        assertEquals(24, d.ipHeaderLength());
        assertEquals(ip.length, d.ipTotalLength());
        assertEquals(63, d.ttl());
        assertEquals(0xb8, d.trafficClass());
        assertEquals(0xabcd, d.ipId());
        assertTrue(d.dontFragment());
        assertFalse(d.moreFragments());
        assertFalse(d.isFragment());
        assertEquals(0, d.fragmentOffset());
        assertEquals(v4("10.0.0.1"), d.ipv4Src());
        assertEquals(v4("10.0.0.2"), d.ipv4Dst());
        assertEquals(IpProtocol.TCP, d.protocol());

        assertEquals(46, d.transportOffset());
        assertEquals(43210, d.srcPort());
        assertEquals(80, d.dstPort());
        assertEquals(0xF0000001L, d.tcpSeq());
        assertEquals(0, d.tcpAck());
        assertEquals(TcpFlags.SYN, d.tcpFlags());
        assertEquals(64240, d.tcpWindow());
        assertEquals(10, d.tcpDataOffset());
        assertEquals(40, d.transportHeaderLength());
        assertTrue(d.hasMss());
        assertEquals(1460, d.mss());
        assertTrue(d.hasWindowScale());
        assertEquals(7, d.windowScale());
        assertTrue(d.sackPermitted());
        assertTrue(d.hasTimestamps());
        assertEquals(3_000_000_000L, d.tsval());
        assertEquals(0, d.tsecr());
        assertEquals(0, d.sackBlockCount());
        assertEquals(frame.length, d.payloadOffset());
        assertEquals(0, d.payloadLength());
        assertEquals(0, d.payloadWireLength());
        assertEquals("10.0.0.1.43210 > 10.0.0.2.80: Flags [S], seq 4026531841, win 64240, "
                + "options [mss 1460,sackOK,TS val 3000000000 ecr 0,wscale 7], length 0", d.summary());
    }

    @Test
    void tcpDataWithSackBlocks() {
        byte[] opts = options().nop().nop().timestamps(5, 6).nop().nop().sack(1000, 2000, 3000, 4000).build();
        byte[] l4 = tcp(8080, 50000, 4294967000L, 77, TcpFlags.PSH | TcpFlags.ACK | TcpFlags.ECE | TcpFlags.CWR,
                502, opts, payload(100));
        byte[] frame = ethernet(EtherType.IPV4, ipv4("192.168.1.1", "192.168.1.2").wrap(IpProtocol.TCP, l4));
        decode(frame, LinkType.ETHERNET);

        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(0, d.vlanCount());
        assertEquals(-1, d.vlanId());
        assertEquals(TcpFlags.PSH | TcpFlags.ACK | TcpFlags.ECE | TcpFlags.CWR, d.tcpFlags());
        assertTrue(d.hasTcpFlags(TcpFlags.PSH | TcpFlags.ACK));
        assertFalse(d.hasTcpFlags(TcpFlags.SYN));
        assertEquals(77, d.tcpAck());
        assertFalse(d.hasMss());
        assertEquals(-1, d.mss());
        assertFalse(d.hasWindowScale());
        assertFalse(d.sackPermitted());
        assertEquals(2, d.sackBlockCount());
        assertEquals(1000, d.sackLeft(0));
        assertEquals(2000, d.sackRight(0));
        assertEquals(3000, d.sackLeft(1));
        assertEquals(4000, d.sackRight(1));
        assertEquals(5, d.tsval());
        assertEquals(6, d.tsecr());
        assertEquals(14 + 20 + 20 + opts.length, d.payloadOffset());
        assertEquals(100, d.payloadLength());
        assertEquals(100, d.payloadWireLength());
        assertEquals('a', Unpooled.wrappedBuffer(frame).getByte(d.payloadOffset()));
        // the end sequence number wraps around 2^32, as tcpdump prints it
        assertEquals("192.168.1.1.8080 > 192.168.1.2.50000: Flags [P.EW], seq 4294967000:4294967100, ack 77, "
                + "win 502, options [TS val 5 ecr 6,sack 2 {1000:2000} {3000:4000}], length 100", d.summary());
    }

    @Test
    void udpOverIpv6WithEveryExtensionHeader() {
        byte[] l4 = udp(5353, 53, payload(30));
        byte[] ip = ipv6("fe80::1", "2001:db8::53").hopLimit(255).trafficClass(0x2e).flowLabel(0xabcde)
                .ext(IpProtocol.HOPOPT, 0).ext(IpProtocol.IPV6_DSTOPTS, 1).ext(IpProtocol.IPV6_ROUTING, 0)
                .fragment(0, false, 0x89abcdefL).ah(3).wrap(IpProtocol.UDP, l4);
        byte[] frame = ethernet(EtherType.IPV6, ip);
        decode(frame, LinkType.ETHERNET);

        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(EtherType.IPV6, d.etherType());
        assertEquals(6, d.ipVersion());
        assertEquals(ip.length - 40, d.ipv6PayloadLength());
        assertEquals(-1, d.ipTotalLength());
        assertEquals(255, d.ttl());
        assertEquals(0x2e, d.trafficClass());
        assertEquals(0xabcde, d.flowLabel());
        assertEquals(hi("fe80::1"), d.ipv6SrcHi());
        assertEquals(lo("fe80::1"), d.ipv6SrcLo());
        assertEquals(hi("2001:db8::53"), d.ipv6DstHi());
        assertEquals(lo("2001:db8::53"), d.ipv6DstLo());
        byte[] copy = new byte[20];
        d.copyIpv6Src(copy, 2);
        assertArrayEquals(addr("fe80::1"), java.util.Arrays.copyOfRange(copy, 2, 18));
        d.copyIpv6Dst(copy, 0);
        assertArrayEquals(addr("2001:db8::53"), java.util.Arrays.copyOf(copy, 16));
        assertEquals(0, d.ipv4Src());

        // 40 + hop-by-hop 8 + dstopts 16 + routing 8 + fragment 8 + AH 24
        assertEquals(104, d.ipHeaderLength());
        assertEquals(IpProtocol.UDP, d.protocol());
        assertTrue(d.hasIpv6FragmentHeader());
        assertFalse(d.isFragment());
        assertEquals(0x89abcdefL, d.ipId());
        assertEquals(14 + 104, d.transportOffset());
        assertEquals(5353, d.srcPort());
        assertEquals(53, d.dstPort());
        assertEquals(38, d.udpLength());
        assertEquals(14 + 104 + 8, d.payloadOffset());
        assertEquals(30, d.payloadLength());
        assertEquals(30, d.payloadWireLength());
        assertEquals("fe80::1.5353 > 2001:db8::53.53: UDP, length 30", d.summary());
    }

    @Test
    void ipv6NoNextHeader() {
        byte[] ip = ipv6("::1", "::1").ext(IpProtocol.IPV6_DSTOPTS, 0).wrap(IpProtocol.IPV6_NONXT, new byte[0]);
        decode(ip, LinkType.IPV6);
        assertLayers(LINK | NETWORK, OK);
        assertEquals(IpProtocol.IPV6_NONXT, d.protocol());
        assertEquals(48, d.ipHeaderLength());
        assertEquals(48, d.payloadOffset());
        assertEquals(0, d.payloadLength());
        assertEquals(-1, d.srcPort());
        assertEquals("::1 > ::1: ip-proto-59, length 0", d.summary());
    }

    @Test
    void ipv6LaterFragmentHasNoTransportHeader() {
        byte[] ip = ipv6("2001:db8::1", "2001:db8::2").fragment(1448, true, 0xfedcba98L)
                .ext(IpProtocol.IPV6_DSTOPTS, 0) // behind a later fragment header: fragment data, not a header
                .wrap(IpProtocol.TCP, payload(200));
        decode(ip, LinkType.RAW);
        assertLayers(LINK | NETWORK, OK);
        assertEquals(IpProtocol.IPV6_DSTOPTS, d.protocol());
        assertTrue(d.isFragment());
        assertTrue(d.moreFragments());
        assertEquals(1448, d.fragmentOffset());
        assertEquals(0xfedcba98L, d.ipId());
        assertEquals(48, d.transportOffset());
        assertEquals(-1, d.srcPort());
        assertEquals(-1, d.dstPort());
        assertEquals(ip.length - 48, d.payloadLength());
    }

    @Test
    void ipv4LaterFragmentHasNoPorts() {
        byte[] l4 = payload(100); // the middle of a TCP segment, which would parse as a TCP header
        byte[] ip = ipv4("10.0.0.1", "10.0.0.2").id(4660).fragment(false, true, 1480).wrap(IpProtocol.TCP, l4);
        assertTrue(decode(ip, LinkType.IPV4));
        assertLayers(LINK | NETWORK, OK);
        assertEquals(IpProtocol.TCP, d.protocol());
        assertTrue(d.isFragment());
        assertTrue(d.moreFragments());
        assertFalse(d.dontFragment());
        assertEquals(1480, d.fragmentOffset());
        assertEquals(-1, d.srcPort());
        assertEquals(-1, d.dstPort());
        assertEquals(0, d.tcpFlags());
        assertEquals(-1, d.tcpSeq());
        assertEquals(20, d.transportOffset());
        assertEquals(20, d.payloadOffset());
        assertEquals(100, d.payloadLength());
        assertEquals("10.0.0.1 > 10.0.0.2: TCP fragment, id 4660, offset 1480, length 100", d.summary());
    }

    @Test
    void ipv4FirstFragmentHasPortsAndEndsAtTheFragment() {
        byte[] whole = udp(1000, 2000, payload(3000));
        byte[] first = java.util.Arrays.copyOf(whole, 1480);
        byte[] ip = ipv4("10.0.0.1", "10.0.0.2").fragment(false, true, 0).wrap(IpProtocol.UDP, first);
        decode(ip, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertTrue(d.isFragment());
        assertEquals(1000, d.srcPort());
        assertEquals(2000, d.dstPort());
        assertEquals(3008, d.udpLength());
        assertEquals(1472, d.payloadLength());
        assertEquals(1472, d.payloadWireLength());
    }

    @Test
    void icmpEcho() {
        byte[] ip = ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.ICMP, icmp(8, 0, 7, 1, payload(56)));
        decode(ethernet(EtherType.IPV4, ip), LinkType.ETHERNET);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(IpProtocol.ICMP, d.protocol());
        assertEquals(8, d.icmpType());
        assertEquals(0, d.icmpCode());
        assertEquals(7, d.icmpId());
        assertEquals(1, d.icmpSeq());
        assertEquals(-1, d.srcPort());
        assertEquals(14 + 20 + 8, d.payloadOffset());
        assertEquals(56, d.payloadLength());
        assertEquals("10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64", d.summary());

        ip = ipv4("10.0.0.2", "10.0.0.1").wrap(IpProtocol.ICMP, icmp(3, 3, 0, 0, payload(28)));
        decode(ip, LinkType.RAW);
        assertEquals(3, d.icmpType());
        assertEquals(3, d.icmpCode());
        assertEquals(-1, d.icmpId(), "only echo messages carry an id");
        assertEquals(-1, d.icmpSeq());
        assertEquals("10.0.0.2 > 10.0.0.1: ICMP destination unreachable, code 3, length 36", d.summary());
    }

    @Test
    void icmpv6EchoReplyOverSll() {
        byte[] ip = ipv6("2001:db8::2", "2001:db8::1").wrap(IpProtocol.ICMPV6, icmp(129, 0, 0xffff, 65535, payload(8)));
        byte[] packet = sll(4, EtherType.IPV6, ip);
        decode(packet, LinkType.LINUX_SLL);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(4, d.sllPacketType());
        assertEquals(1, d.sllHatype());
        assertEquals(-1, d.sll2Ifindex());
        assertEquals(0, d.ethSrc());
        assertEquals(16, d.networkOffset());
        assertEquals(IpProtocol.ICMPV6, d.protocol());
        assertEquals(129, d.icmpType());
        assertEquals(0xffff, d.icmpId());
        assertEquals(65535, d.icmpSeq());
        assertEquals(8, d.payloadLength());
        assertEquals("2001:db8::2 > 2001:db8::1: ICMP6, echo reply, id 65535, seq 65535, length 16", d.summary());
    }

    @Test
    void sllWithVlanTag() {
        byte[] ip = ipv4("10.1.1.1", "10.1.1.2").wrap(IpProtocol.UDP, udp(1, 2, new byte[0]));
        byte[] tagged = new Packets.Bytes().u16(0x0123).u16(EtherType.IPV4).bytes(ip).array();
        decode(sll(0, EtherType.VLAN, tagged), LinkType.LINUX_SLL);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(0, d.sllPacketType());
        assertEquals(1, d.vlanCount());
        assertEquals(0x123, d.vlanId());
        assertEquals(20, d.networkOffset());
    }

    @Test
    void linuxCookedV2() {
        byte[] ip = ipv4("10.0.0.9", "10.0.0.8").wrap(IpProtocol.TCP,
                tcp(1, 2, 3, 4, TcpFlags.RST | TcpFlags.ACK, 0, new byte[0], new byte[0]));
        decode(Packets.sll2(0x01020304, 3, EtherType.IPV4, ip), LinkType.LINUX_SLL2);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(0x01020304, d.sll2Ifindex());
        assertEquals(3, d.sllPacketType());
        assertEquals(1, d.sllHatype());
        assertEquals(EtherType.IPV4, d.etherType());
        assertEquals(20, d.networkOffset());
        assertEquals(40, d.transportOffset());
        assertEquals("10.0.0.9.1 > 10.0.0.8.2: Flags [R.], seq 3, ack 4, win 0, length 0", d.summary());
    }

    @Test
    void rawLinkTypesStartAtTheIpHeader() {
        byte[] v4 = ipv4("1.2.3.4", "5.6.7.8").wrap(IpProtocol.UDP, udp(1, 2, payload(3)));
        byte[] v6 = ipv6("::2", "::3").wrap(IpProtocol.UDP, udp(1, 2, payload(3)));
        for (int lt : new int[] {LinkType.RAW, 12, 14}) {
            decode(v4, lt);
            assertLayers(LINK | NETWORK | TRANSPORT, OK);
            assertEquals(4, d.ipVersion());
            assertEquals(0, d.networkOffset());
            decode(v6, lt);
            assertLayers(LINK | NETWORK | TRANSPORT, OK);
            assertEquals(6, d.ipVersion());
        }
        decode(v4, LinkType.IPV4);
        assertEquals(v4("5.6.7.8"), d.ipv4Dst());
        decode(v6, LinkType.IPV6);
        assertEquals(3, d.ipv6DstLo());
        decode(v6, LinkType.IPV4);
        assertLayers(LINK, MALFORMED);
        decode(v4, LinkType.IPV6);
        assertLayers(LINK, MALFORMED);
        decode(new byte[] {0x50, 0, 0, 0}, LinkType.RAW);
        assertLayers(LINK, MALFORMED);
    }

    @Test
    void nullLinkTypeInEitherByteOrder() {
        byte[] v4 = ipv4("1.2.3.4", "5.6.7.8").wrap(IpProtocol.UDP, udp(1, 2, payload(3)));
        byte[] v6 = ipv6("::2", "::3").wrap(IpProtocol.UDP, udp(1, 2, payload(3)));
        decode(new Packets.Bytes().u32(0x02000000L).bytes(v4).array(), LinkType.NULL); // written little-endian
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(4, d.networkOffset());
        decode(new Packets.Bytes().u32(2).bytes(v4).array(), LinkType.NULL);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        for (int family : new int[] {10, 24, 28, 30}) {
            decode(new Packets.Bytes().u32(Integer.reverseBytes(family)).bytes(v6).array(), LinkType.NULL);
            assertLayers(LINK | NETWORK | TRANSPORT, OK);
            assertEquals(6, d.ipVersion());
        }
        decode(new Packets.Bytes().u32(7).bytes(v6).array(), LinkType.NULL);
        assertLayers(LINK, UNSUPPORTED);
    }

    @Test
    void unsupportedLinkTypeEtherTypeAndProtocol() {
        byte[] arp = padded(ethernet(EtherType.ARP, payload(28)));
        assertFalse(decode(arp, 147));
        assertLayers(0, UNSUPPORTED);
        assertEquals(0, d.payloadOffset());
        assertEquals(60, d.payloadLength());
        assertEquals("link type LINKTYPE_147, length 60", d.summary());

        assertFalse(decode(arp, LinkType.ETHERNET));
        assertLayers(LINK, UNSUPPORTED);
        assertEquals(EtherType.ARP, d.etherType());
        assertEquals(0, d.ipVersion());
        assertEquals(-1, d.protocol());
        assertEquals(14, d.payloadOffset());
        assertEquals(46, d.payloadLength());
        assertEquals("ethertype 0x0806, length 60", d.summary());

        byte[] gre = ipv4("10.0.0.1", "10.0.0.2").wrap(47, payload(24));
        assertTrue(decode(gre, LinkType.RAW));
        assertLayers(LINK | NETWORK, UNSUPPORTED);
        assertEquals(47, d.protocol());
        assertEquals(20, d.payloadOffset());
        assertEquals(24, d.payloadLength());
        assertEquals("10.0.0.1 > 10.0.0.2: ip-proto-47, length 24", d.summary());
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        byte[] frame = padded(ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2")
                .wrap(IpProtocol.UDP, udp(5353, 53, payload(2)))));
        assertEquals(60, frame.length);
        decode(frame, LinkType.ETHERNET);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(2, d.payloadLength());
        assertEquals(2, d.payloadWireLength());

        frame = padded(ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2")
                .wrap(IpProtocol.TCP, tcp(1, 2, 3, 4, TcpFlags.ACK, 5, new byte[0], new byte[0]))));
        decode(frame, LinkType.ETHERNET);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(54, d.payloadOffset());
        assertEquals(0, d.payloadLength());
        assertEquals("10.0.0.1.1 > 10.0.0.2.2: Flags [.], ack 4, win 5, length 0", d.summary());

        // IPv6 frames below the minimum are padded too
        byte[] v6 = padded(ethernet(EtherType.IPV6, ipv6("::1", "::2").wrap(IpProtocol.IPV6_NONXT, new byte[0])));
        decode(v6, LinkType.ETHERNET);
        assertLayers(LINK | NETWORK, OK);
        assertEquals(0, d.payloadLength());
    }

    @Test
    void snapLengthCutsPayloadButNotWireLength() {
        byte[] frame = ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2")
                .wrap(IpProtocol.UDP, udp(1, 2, payload(1000))));
        d.decode(Unpooled.wrappedBuffer(frame), 0, 96, frame.length, LinkType.ETHERNET);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(96 - 42, d.payloadLength());
        assertEquals(1000, d.payloadWireLength());
        assertEquals(96, d.captureLength());
        assertEquals(frame.length, d.wireLength());
    }

    @Test
    void malformedLengths() {
        byte[] tcpSyn = tcp(1, 2, 3, 0, TcpFlags.SYN, 5, new byte[0], new byte[0]);

        decode(ipv4("10.0.0.1", "10.0.0.2").totalLength(19).wrap(IpProtocol.TCP, tcpSyn), LinkType.RAW);
        assertLayers(LINK | NETWORK, MALFORMED);
        assertEquals(19, d.ipTotalLength());

        byte[] ip = ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP, tcpSyn);
        ip[0] = 0x44; // IHL 4
        decode(ip, LinkType.RAW);
        assertLayers(LINK | NETWORK, MALFORMED);

        ip = ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP, tcpSyn);
        ip[32] = 0x40; // TCP data offset 4
        decode(ip, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, MALFORMED);
        assertEquals(4, d.tcpDataOffset());
        assertEquals(1, d.srcPort());
        assertEquals(0, d.payloadLength());
        assertEquals("10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 3, win 5 [malformed]", d.summary());

        ip[32] = (byte) 0xf0; // data offset 15: past the IP total length
        decode(ip, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, MALFORMED);

        ip = ipv4("10.0.0.1", "10.0.0.2").totalLength(1500).wrap(IpProtocol.TCP, tcpSyn);
        ip[32] = (byte) 0xf0; // inside the IP length but not captured
        decode(ip, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, TRUNCATED);

        byte[] badOption = tcp(1, 2, 3, 0, TcpFlags.SYN, 5, options().nop().raw(2, 1, 0, 0).build(), new byte[0]);
        decode(ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP, badOption), LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, MALFORMED);
        badOption = tcp(1, 2, 3, 0, TcpFlags.SYN, 5, options().nop().nop().nop().raw(3).build(), new byte[0]);
        decode(ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP, badOption), LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, MALFORMED);
        byte[] oddMss = tcp(1, 2, 3, 0, TcpFlags.SYN, 5, options().raw(2, 3, 5).mss(1200).build(), new byte[0]);
        decode(ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP, oddMss), LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(1200, d.mss(), "an MSS option of the wrong length is skipped");

        byte[] longUdp = udp(1, 2, payload(10));
        longUdp[5] = 100;
        decode(ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.UDP, longUdp), LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, MALFORMED);
        assertEquals(100, d.udpLength());
        longUdp[5] = 7;
        decode(ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.UDP, longUdp), LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, MALFORMED);

        // an extension header the payload length cannot hold
        decode(ipv6("::1", "::2").ext(IpProtocol.HOPOPT, 1).payloadLength(8).wrap(IpProtocol.UDP, udp(1, 2, new byte[0])),
                LinkType.RAW);
        assertLayers(LINK | NETWORK, MALFORMED);
        assertEquals(IpProtocol.HOPOPT, d.protocol());
        // a transport header the payload length cannot hold
        decode(ipv6("::1", "::2").payloadLength(4).wrap(IpProtocol.UDP, udp(1, 2, new byte[0])), LinkType.RAW);
        assertLayers(LINK | NETWORK, MALFORMED);

        byte[] wrongVersion = ethernet(EtherType.IPV4, ipv6("::1", "::2").wrap(IpProtocol.UDP, udp(1, 2, new byte[0])));
        decode(wrongVersion, LinkType.ETHERNET);
        assertLayers(LINK, MALFORMED);
        assertEquals(0, d.ipVersion());
    }

    @Test
    void offloadSuperPacketsTakeTheirLengthFromTheFrame() {
        byte[] l4 = tcp(1, 2, 3, 4, TcpFlags.ACK, 5, new byte[0], payload(100));
        byte[] ip = ipv4("10.0.0.1", "10.0.0.2").totalLength(0).wrap(IpProtocol.TCP, l4);
        d.decode(Unpooled.wrappedBuffer(ip), 0, 64, 70_000, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(24, d.payloadLength());
        assertEquals(70_000 - 40, d.payloadWireLength());

        byte[] v6 = ipv6("::1", "::2").payloadLength(0).wrap(IpProtocol.TCP, l4);
        d.decode(Unpooled.wrappedBuffer(v6), 0, v6.length, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(100, d.payloadLength());
    }

    @Test
    void packetInsideALargerBufferUsesAbsoluteIndexes() {
        byte[] frame = ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.UDP, udp(7, 8, payload(5))));
        ByteBuf big = Unpooled.buffer(1000);
        big.setBytes(300, frame);
        big.setBytes(300 + frame.length, payload(200)); // the next packet must not be read
        PacketView view = new PacketView().wrap(big.duplicate(), 300, frame.length, frame.length, 0, 3,
                LinkType.ETHERNET, null);
        assertTrue(d.decode(view));
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(300, d.packetOffset());
        assertEquals(314, d.networkOffset());
        assertEquals(334, d.transportOffset());
        assertEquals(342, d.payloadOffset());
        assertEquals(5, d.payloadLength());
        assertEquals(7, d.srcPort());

        // a length past the buffer's capacity is cut to it instead of throwing
        assertTrue(d.decode(big, 300, 10_000, LinkType.ETHERNET));
        assertEquals(700, d.captureLength());
        assertFalse(d.decode(big, 990, 100, LinkType.ETHERNET));
        assertLayers(0, TRUNCATED);
        assertFalse(d.decode(big, 5000, 100, LinkType.ETHERNET));
        assertFalse(d.decode(big, -1, 100, LinkType.ETHERNET));
        assertFalse(d.decode(big, 0, -5, LinkType.ETHERNET));
        assertFalse(d.decode(null, 0, 10, LinkType.ETHERNET));
    }

    @Test
    void reuseClearsThePreviousPacket() {
        byte[] syn = ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP,
                tcp(1, 2, 3, 4, TcpFlags.SYN, 5, options().mss(1).wscale(2).sackPermitted().timestamps(1, 2)
                        .sack(1, 2).build(), new byte[0])), EtherType.VLAN, 5);
        decode(syn, LinkType.ETHERNET);
        assertEquals(1, d.sackBlockCount());
        byte[] v6 = ipv6("::1", "::2").wrap(IpProtocol.ICMPV6, icmp(128, 0, 1, 2, new byte[0]));
        decode(v6, LinkType.RAW);
        assertLayers(LINK | NETWORK | TRANSPORT, OK);
        assertEquals(-1, d.etherType());
        assertEquals(0, d.vlanCount());
        assertEquals(-1, d.vlanId());
        assertEquals(0, d.ethSrc());
        assertEquals(0, d.ipv4Src());
        assertEquals(-1, d.srcPort());
        assertEquals(-1, d.tcpSeq());
        assertEquals(0, d.tcpFlags());
        assertEquals(-1, d.tcpDataOffset());
        assertFalse(d.hasMss());
        assertFalse(d.hasWindowScale());
        assertFalse(d.sackPermitted());
        assertFalse(d.hasTimestamps());
        assertEquals(0, d.sackBlockCount());
        assertEquals(-1, d.ipTotalLength());
        assertFalse(d.dontFragment());
        assertEquals(-1, d.udpLength());
        assertEquals(128, d.icmpType());
        assertEquals("::1 > ::2: ICMP6, echo request, id 1, seq 2, length 8", d.summary());
    }

    @Test
    void truncatedSummaries() {
        byte[] frame = ethernet(EtherType.IPV4, ipv4("10.0.0.1", "10.0.0.2").wrap(IpProtocol.TCP,
                tcp(1, 2, 3, 4, TcpFlags.SYN, 5, options().mss(1460).build(), new byte[0])));
        d.decode(Unpooled.wrappedBuffer(frame), 0, 20, LinkType.ETHERNET);
        assertEquals("IP, length 20 [truncated]", d.summary());
        d.decode(Unpooled.wrappedBuffer(frame), 0, 40, LinkType.ETHERNET);
        assertEquals("10.0.0.1 > 10.0.0.2: TCP [truncated]", d.summary());
        d.decode(Unpooled.wrappedBuffer(frame), 0, 56, LinkType.ETHERNET);
        assertEquals("10.0.0.1.1 > 10.0.0.2.2: Flags [S], seq 3, win 5 [truncated]", d.summary());
        d.decode(Unpooled.wrappedBuffer(frame), 0, 10, LinkType.ETHERNET);
        assertEquals("EN10MB, length 10 [truncated]", d.summary());
    }

    @Test
    void statusNames() {
        assertEquals("ok", PacketDecoder.statusName(OK));
        assertEquals("truncated", PacketDecoder.statusName(TRUNCATED));
        assertEquals("malformed", PacketDecoder.statusName(MALFORMED));
        assertEquals("unsupported", PacketDecoder.statusName(UNSUPPORTED));
    }

    @Test
    void tcpFlagLetters() {
        assertEquals("none", TcpFlags.append(new StringBuilder(), 0).toString());
        assertEquals("S.", TcpFlags.append(new StringBuilder(), TcpFlags.SYN | TcpFlags.ACK).toString());
        assertEquals("FSRP.UEWA", TcpFlags.append(new StringBuilder(), 0x1ff).toString());
    }
}
