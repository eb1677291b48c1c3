package io.podcap.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.BpfFilter;
import io.podcap.capture.LinkType;
import io.podcap.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java BPF interpreter agrees with tcpdump (the kernel's semantics, via libpcap) on which packets match. */
class BpfFilterTest {
    private static final List<String> EXPRESSIONS = List.of(
            "ip", "ip6", "tcp", "udp", "icmp", "icmp6", "arp", "vlan", "not ip", "ip proto 47",
            "tcp[tcpflags] & tcp-rst != 0", "ip[6:2] & 0x1fff != 0", "greater 90", "less 80", "udp and ip6",
            "net 10.0.0.0/8", "port 53 or port 80", "host 10.0.0.1", "len > 60 and (tcp or udp)",
            "ip and ip[0] & 0xf > 5", "vlan and tcp");

    @TempDir
    Path dir;

    @Test
    void matchesWhatTcpdumpMatches() throws Exception {
        Tools.require("tcpdump");
        Map<Integer, List<SamplePackets.Sample>> byLinkType = SamplePackets.all().stream()
                .filter(s -> s.linkType() != 147)
                .collect(Collectors.groupingBy(SamplePackets.Sample::linkType));
        int compared = 0;
        for (var group : byLinkType.entrySet()) {
            int linkType = group.getKey();
            List<SamplePackets.Sample> samples = group.getValue();
            Path file = dir.resolve("link" + linkType + ".pcap");
            Files.write(file, classicPcap(linkType, samples));
            for (String expression : EXPRESSIONS) {
                BpfFilter filter;
                try {
                    filter = BpfFilter.compile(expression, linkType, 65535);
                } catch (IllegalArgumentException notForThisLink) {
                    // e.g. "vlan" on a link type without VLAN tags: tcpdump refuses it as well
                    Tools.Result r = Tools.run("tcpdump", "-nn", "-r", file.toString(), expression);
                    assertTrue(r.exit() != 0, () -> expression + " compiles for tcpdump on " + linkType);
                    continue;
                }
                TreeSet<Integer> ours = new TreeSet<>();
                for (int i = 0; i < samples.size(); i++) {
                    byte[] b = samples.get(i).bytes();
                    ByteBuf buf = Unpooled.wrappedBuffer(b);
                    if (filter.run(buf, 0, b.length, b.length) != 0) {
                        ours.add(i);
                    }
                }
                assertEquals(tcpdumpMatches(file, expression), ours,
                        () -> "'" + expression + "' on " + LinkType.name(linkType) + " " + samples);
                compared++;
            }
        }
        assertTrue(compared > 40, "compared " + compared);
    }

    @Test
    void aBadExpressionIsAnIllegalArgumentWithLibpcapsMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpfFilter.compile("tcp port eighty", LinkType.ETHERNET, 65535));
        assertTrue(e.getMessage().contains("tcp port eighty"), e.getMessage());
        assertTrue(e.getMessage().contains("does not compile"), e.getMessage());
    }

    @Test
    void aShortPacketIsRejectedNotReadPastItsEnd() {
        BpfFilter tcp = BpfFilter.compile("tcp port 80", LinkType.ETHERNET, 65535);
        byte[] frame = SamplePackets.all().get(1).bytes();
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        for (int caplen = 0; caplen < 30; caplen++) {
            assertEquals(0, tcp.run(buf, 0, caplen, frame.length), "caplen " + caplen);
        }
    }

    /** Packet i has timestamp i seconds, so tcpdump's -tt output names the packets it matched. */
    private static TreeSet<Integer> tcpdumpMatches(Path file, String expression) throws Exception {
        Tools.Result r = Tools.run("tcpdump", "-nn", "-tt", "-r", file.toString(), expression);
        assertEquals(0, r.exit(), () -> "tcpdump '" + expression + "': " + r.err());
        TreeSet<Integer> matched = new TreeSet<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
                matched.add(Integer.parseInt(line.substring(0, line.indexOf('.'))));
            }
        }
        return matched;
    }

    private static byte[] classicPcap(int linkType, List<SamplePackets.Sample> samples) {
        int size = 24 + samples.stream().mapToInt(s -> 16 + s.bytes().length).sum();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        List<byte[]> frames = new ArrayList<>();
        samples.forEach(s -> frames.add(s.bytes()));
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            b.putInt(i).putInt(0).putInt(f.length).putInt(f.length).put(f);
        }
        return b.array();
    }
}
