package io.podcap.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes packets into classic pcap files and compares what tshark dissects with what the decoder says, field by field.
 * Skipped when tshark is not installed.
 */
class TsharkCrossCheckTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    /** tshark field, and the same value as the decoder gives it, formatted as tshark prints it ("" when absent). */
    private static final Map<String, Function<PacketDecoder, String>> FIELDS = new LinkedHashMap<>();

    static {
        field("outer vlan", d -> opt(d.vlanId()));
        field("sll.pkttype", d -> opt(d.sllPacketType()));
        field("sll.hatype", d -> opt(d.sllHatype()));
        field("sll.ifindex", d -> opt(d.sll2Ifindex()));
        field("ip.src", d -> d.ipVersion() == 4 ? PacketDecoder.formatIpv4(d.ipv4Src()) : "");
        field("ip.dst", d -> d.ipVersion() == 4 ? PacketDecoder.formatIpv4(d.ipv4Dst()) : "");
        field("ip.ttl", d -> d.ipVersion() == 4 ? opt(d.ttl()) : "");
        field("ip.dsfield", d -> d.ipVersion() == 4 ? String.format("0x%02x", d.trafficClass()) : "");
        field("ip.id", d -> d.ipVersion() == 4 ? String.format("0x%04x", d.ipId()) : "");
        field("ip.flags.df", d -> d.ipVersion() == 4 ? bit(d.dontFragment()) : "");
        field("ip.flags.mf", d -> d.ipVersion() == 4 ? bit(d.moreFragments()) : "");
        field("ip.frag_offset", d -> d.ipVersion() == 4 ? opt(d.fragmentOffset() / 8) : "");
        field("ip.proto", d -> d.ipVersion() == 4 ? opt(d.protocol()) : "");
        field("ipv6.src", d -> d.ipVersion() == 6 ? PacketDecoder.formatIpv6(d.ipv6SrcHi(), d.ipv6SrcLo()) : "");
        field("ipv6.dst", d -> d.ipVersion() == 6 ? PacketDecoder.formatIpv6(d.ipv6DstHi(), d.ipv6DstLo()) : "");
        field("ipv6.hlim", d -> d.ipVersion() == 6 ? opt(d.ttl()) : "");
        field("ipv6.tclass", d -> d.ipVersion() == 6 ? String.format("0x%08x", d.trafficClass()) : "");
        field("ipv6.flow", d -> d.ipVersion() == 6 ? String.format("0x%06x", d.flowLabel()) : "");
        field("ipv6.plen", d -> opt(d.ipv6PayloadLength()));
        field("ipv6.fraghdr.ident", d -> d.hasIpv6FragmentHeader() ? String.format("0x%08x", d.ipId()) : "");
        field("ipv6.fraghdr.offset", d -> d.hasIpv6FragmentHeader() ? opt(d.fragmentOffset() / 8) : "");
        field("ipv6.fraghdr.more", d -> d.hasIpv6FragmentHeader() ? bit(d.moreFragments()) : "");
        field("tcp.srcport", d -> tcp(d) ? opt(d.srcPort()) : "");
        field("tcp.dstport", d -> tcp(d) ? opt(d.dstPort()) : "");
        field("tcp.seq_raw", d -> tcp(d) ? opt(d.tcpSeq()) : "");
        field("tcp.ack_raw", d -> tcp(d) ? opt(d.tcpAck()) : "");
        field("tcp.flags", d -> tcp(d) ? String.format("0x%04x", d.tcpFlags()) : "");
        field("tcp.window_size_value", d -> tcp(d) ? opt(d.tcpWindow()) : "");
        field("tcp.hdr_len", d -> tcp(d) ? opt(d.transportHeaderLength()) : "");
        field("tcp.len", d -> tcp(d) ? opt(d.payloadWireLength()) : "");
        field("tcp.options.mss_val", d -> opt(d.mss()));
        field("tcp.options.wscale.shift", d -> opt(d.windowScale()));
        field("tcp.options.sack_perm", d -> d.sackPermitted() ? "0402" : ""); // the option bytes
        field("tcp.options.timestamp.tsval", d -> opt(d.tsval()));
        field("tcp.options.timestamp.tsecr", d -> opt(d.tsecr()));
        field("tcp.options.sack.count", d -> d.sackBlockCount() > 0 ? opt(d.sackBlockCount()) : "");
        field("tcp.options.sack_le", d -> d.sackBlockCount() > 0 ? opt(d.sackLeft(0)) : "");
        field("tcp.options.sack_re", d -> d.sackBlockCount() > 0 ? opt(d.sackRight(0)) : "");
        field("udp.srcport", d -> udp(d) ? opt(d.srcPort()) : "");
        field("udp.dstport", d -> udp(d) ? opt(d.dstPort()) : "");
        field("udp.length", d -> udp(d) ? opt(d.udpLength()) : "");
        field("icmp.type", d -> d.protocol() == IpProtocol.ICMP ? opt(d.icmpType()) : "");
        field("icmp.code", d -> d.protocol() == IpProtocol.ICMP ? opt(d.icmpCode()) : "");
        field("icmp.ident", d -> d.protocol() == IpProtocol.ICMP ? opt(d.icmpId()) : "");
        field("icmp.seq", d -> d.protocol() == IpProtocol.ICMP ? opt(d.icmpSeq()) : "");
        field("icmpv6.type", d -> d.protocol() == IpProtocol.ICMPV6 ? opt(d.icmpType()) : "");
        field("icmpv6.code", d -> d.protocol() == IpProtocol.ICMPV6 ? opt(d.icmpCode()) : "");
        field("icmpv6.echo.identifier", d -> d.protocol() == IpProtocol.ICMPV6 && d.icmpId() >= 0
                ? String.format("0x%04x", d.icmpId()) : "");
        field("icmpv6.echo.sequence_number", d -> d.protocol() == IpProtocol.ICMPV6 ? opt(d.icmpSeq()) : "");
    }

    private static void field(String name, Function<PacketDecoder, String> value) {
        FIELDS.put(name, value);
    }

    private static boolean tcp(PacketDecoder d) { return d.hasLayer(PacketDecoder.TRANSPORT) && d.protocol() == IpProtocol.TCP; }

    private static boolean udp(PacketDecoder d) { return d.hasLayer(PacketDecoder.TRANSPORT) && d.protocol() == IpProtocol.UDP; }

    private static String opt(long value) { return value < 0 ? "" : Long.toString(value); }

    private static String bit(boolean value) { return value ? "1" : "0"; }

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTshark() {
        assumeTrue(Files.isExecutable(TSHARK), "tshark not installed");
    }

    @Test
    void ethernetWithVlansIpv4Ipv6ExtensionHeadersIcmpAndFragments() throws Exception {
        crossCheck(LinkType.ETHERNET, List.of(SamplePackets.tcpV4Vlan(), SamplePackets.tcpV4Data(),
                SamplePackets.udpV6Ext(), SamplePackets.icmpEcho(), SamplePackets.icmpUnreachable(),
                SamplePackets.tcpV6Vlan(), SamplePackets.udpV4Padded(), SamplePackets.fragmentV4Later(),
                SamplePackets.fragmentV6Later()));
    }

    @Test
    void linuxCookedV2() throws Exception {
        crossCheck(LinkType.LINUX_SLL2, List.of(
                Packets.sll2(7, 0, EtherType.IPV4, SamplePackets.tcpRst()),
                Packets.sll2(0x7fffffff, 1, EtherType.IPV6, SamplePackets.udpV6()),
                Packets.sll2(2, 4, EtherType.IPV6, SamplePackets.icmp6EchoReply())));
    }

    @Test
    void linuxCookedV1() throws Exception {
        crossCheck(LinkType.LINUX_SLL, List.of(
                Packets.sll(4, EtherType.IPV6, SamplePackets.icmp6EchoReply()),
                Packets.sll(3, EtherType.IPV4, SamplePackets.tcpRst())));
    }

    @Test
    void rawIp() throws Exception {
        crossCheck(LinkType.RAW, List.of(SamplePackets.udpV6(), SamplePackets.tcpRst()));
    }

    @Test
    void nflog() throws Exception {
        crossCheck(LinkType.NFLOG, List.of(SamplePackets.nflogTcp4(),
                Packets.nflog(10, 5, 1, "in6", 0, 0, SamplePackets.udpV6(), true)));
    }

    private void crossCheck(int linkType, List<byte[]> packets) throws Exception {
        Path file = writePcap(linkType, packets);
        List<String> args = new ArrayList<>(List.of("-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=f", "-e", "vlan.id", "-e", "ieee8021ad.id"));
        for (String name : FIELDS.keySet()) {
            if (!name.equals("outer vlan")) {
                args.add("-e");
                args.add(name);
            }
        }
        List<String> lines = tshark(file, args.toArray(new String[0]));
        assertEquals(packets.size(), lines.size(), String.join("\n", lines));

        PacketDecoder d = new PacketDecoder();
        for (int i = 0; i < packets.size(); i++) {
            String[] values = lines.get(i).split("\t", -1);
            Map<String, String> tshark = new LinkedHashMap<>();
            // tshark names the outer tag by its TPID: 802.1ad, else 802.1Q
            tshark.put("outer vlan", values[1].isEmpty() ? values[0] : values[1]);
            int column = 2;
            for (String name : FIELDS.keySet()) {
                if (!name.equals("outer vlan")) {
                    tshark.put(name, values[column++]);
                }
            }
            assertFalse(tshark.get("ip.src").isEmpty() && tshark.get("ipv6.src").isEmpty(), lines.get(i));
            byte[] packet = packets.get(i);
            d.decode(Unpooled.wrappedBuffer(packet), 0, packet.length, linkType);
            Map<String, String> ours = new LinkedHashMap<>();
            FIELDS.forEach((name, value) -> ours.put(name, value.apply(d)));
            StringBuilder differences = new StringBuilder();
            // tshark also dissects the packet quoted in an ICMP error; the decoder stops at the ICMP header
            boolean icmp = d.protocol() == IpProtocol.ICMP || d.protocol() == IpProtocol.ICMPV6;
            tshark.forEach((name, value) -> {
                boolean quoted = icmp && (name.startsWith("tcp.") || name.startsWith("udp."));
                if (!quoted && !value.equals(ours.get(name))) {
                    differences.append("\n  ").append(name).append(": tshark '").append(value)
                            .append("', decoder '").append(ours.get(name)).append('\'');
                }
            });
            assertEquals("", differences.toString(), "packet " + (i + 1) + ": " + d.summary());
        }
    }

    private Path writePcap(int linkType, List<byte[]> packets) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + packets.stream().mapToInt(p -> 16 + p.length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        int second = 1_700_000_000;
        for (byte[] p : packets) {
            b.putInt(second++).putInt(0).putInt(p.length).putInt(p.length).put(p);
        }
        Path file = dir.resolve("link" + linkType + ".pcap");
        Files.write(file, b.array());
        return file;
    }

    private List<String> tshark(Path file, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(TSHARK.toString(), "-n", "-r", file.toString()));
        command.addAll(List.of(args));
        Path errors = dir.resolve("tshark.err");
        Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark timed out");
        assertEquals(0, p.exitValue(), () -> "tshark failed: " + readQuietly(errors));
        return out.lines().toList();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
