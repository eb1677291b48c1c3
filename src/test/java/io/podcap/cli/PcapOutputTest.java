package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;
import io.podcap.testing.Tools;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --payload-bytes}: where headers end for TCP with options, IPv6 extension headers and ARP; no allocation. */
class PcapOutputTest {
    private static final PacketSource SOURCE = new PacketSource() {
        @Override
        public String namespace() { return "test"; }

        @Override
        public String interfaceName(int ifindex) { return "eth0"; }
    };

    @TempDir
    Path dir;

    /** Ethernet, IPv4 with 4 bytes of options, TCP with 12 bytes of options, 100 bytes of payload. */
    private static byte[] tcpWithOptions() {
        ByteBuf b = Unpooled.buffer();
        b.writeZero(12).writeShort(0x0800);
        b.writeByte(0x46).writeByte(0).writeShort(24 + 32 + 100).writeInt(0).writeByte(64).writeByte(6).writeShort(0)
                .writeInt(0x0a000001).writeInt(0x0a000002).writeInt(0x01010100); // NOP NOP NOP EOL
        b.writeShort(40000).writeShort(80).writeInt(1).writeInt(0).writeByte(8 << 4).writeByte(0x18)
                .writeShort(512).writeInt(0).writeInt(0x020405b4).writeInt(0x01010402).writeInt(0x01030307);
        return bytes(b.writeZero(100));
    }

    /** Ethernet, IPv6 with an 8-byte hop-by-hop header, UDP, 50 bytes of payload. */
    private static byte[] udpV6WithExtension() {
        ByteBuf b = Unpooled.buffer();
        b.writeZero(12).writeShort(0x86dd);
        b.writeInt(0x60000000).writeShort(8 + 8 + 50).writeByte(0).writeByte(64).writeZero(15).writeByte(1)
                .writeZero(15).writeByte(2);
        b.writeByte(17).writeByte(0).writeByte(1).writeByte(4).writeInt(0); // next UDP, PadN
        b.writeShort(5353).writeShort(53).writeShort(8 + 50).writeShort(0);
        return bytes(b.writeZero(50));
    }

    private static byte[] arp() {
        ByteBuf b = Unpooled.buffer();
        b.writeZero(12).writeShort(0x0806).writeShort(1).writeShort(0x0800).writeByte(6).writeByte(4).writeShort(1)
                .writeZero(20);
        return bytes(b);
    }

    /** Ethernet, then an IPv4 header claiming 60 bytes in a packet of 40, then 100 bytes: malformed. */
    private static byte[] malformedIpv4() {
        ByteBuf b = Unpooled.buffer();
        b.writeZero(12).writeShort(0x0800);
        b.writeByte(0x4f).writeByte(0).writeShort(40).writeInt(0).writeByte(64).writeByte(6).writeShort(0)
                .writeInt(0x0a000001).writeInt(0x0a000002);
        return bytes(b.writeZero(100));
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        return a;
    }

    private static PcapOptions payload(int bytes) {
        PcapOptions o = new PcapOptions();
        o.payloadBytes = bytes;
        return o;
    }

    private static PacketView view(byte[] packet) {
        return new PacketView().wrap(Unpooled.wrappedBuffer(packet), 0, packet.length, packet.length, 1, 1,
                LinkType.ETHERNET, SOURCE);
    }

    @Test
    void headersAreKeptAndPayloadCutWhereTsharkSeesTheHeadersEnd() throws Exception {
        Tools.require("tshark");
        Path file = dir.resolve("cut.pcapng");
        try (PcapOutput out = new PcapOutput(file.toString(), payload(4), 262144, "")) {
            for (byte[] p : List.of(tcpWithOptions(), udpV6WithExtension(), arp(), malformedIpv4())) {
                out.onPacket(view(p));
            }
        }
        List<String[]> rows = Tools.tsharkFields(file, "frame.cap_len", "frame.len", "ip.hdr_len", "tcp.hdr_len",
                "ipv6.nxt", "udp.length", "arp.opcode");
        assertEquals(List.of("74", "170", "24", "32", "", "", ""), List.of(rows.get(0)), "14 + 24 + 32 + 4");
        assertEquals(List.of("74", "120", "", "", "0", "58", ""), List.of(rows.get(1)), "14 + 40 + 8 + 8 + 4");
        assertEquals(List.of("18", "42", "", "", "", "", ""), List.of(rows.get(2)), "Ethernet 14 + 4 of ARP");
        assertEquals("18", rows.get(3)[0], "malformed IPv4: Ethernet 14 + 4, nothing trusted after the IP start");
    }

    @Test
    void capAllocatesNothingPerPacket() throws Exception {
        PacketView[] views = {view(tcpWithOptions()), view(udpV6WithExtension()), view(arp()), view(malformedIpv4())};
        try (PcapOutput out = new PcapOutput(dir.resolve("alloc.pcapng").toString(), payload(16), 262144, "")) {
            for (int i = 0; i < 300_000; i++) {
                out.onPacket(views[i % 4]);
            }
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 1_000_000; i++) {
                out.onPacket(views[i % 4]);
                if (i % 256 == 255) {
                    out.onBatchEnd();
                }
            }
            long used = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(used < 16 * 1024, "allocated " + used + " bytes for 1,000,000 packets");
        }
    }
}
