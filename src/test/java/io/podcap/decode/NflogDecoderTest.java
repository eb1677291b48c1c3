package io.podcap.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import org.junit.jupiter.api.Test;

class NflogDecoderTest {
    @Test
    void readsEveryTlvAndThePayloadDecodesToL4() {
        for (boolean little : new boolean[] {true, false}) {
            byte[] record = Packets.nflog(2, 5, 3, "nf-out", 0x4000, 3, SamplePackets.tcpRst(), little);
            ByteBuf buf = Unpooled.wrappedBuffer(record);
            NflogDecoder n = new NflogDecoder();
            assertTrue(n.decode(buf, 0, record.length));
            assertEquals(2, n.family());
            assertEquals(5, n.group());
            assertEquals(NflogDecoder.HOOK_OUTPUT, n.hook());
            assertEquals(EtherType.IPV4, n.hwProtocol());
            assertTrue(n.prefixEquals("nf-out"));
            assertFalse(n.prefixEquals("nf-ou"));
            assertEquals("nf-out", n.prefix());
            assertEquals(0x4000, n.mark());
            assertEquals(3, n.outdev());
            assertEquals(-1, n.indev());
            assertEquals(6, n.hwAddrLength());
            assertEquals(0x02000000000aL, n.hwAddr());
            assertEquals(1_700_000_000_250_000_000L, n.timestampNanos());
            assertFalse(n.truncated());

            PacketDecoder d = new PacketDecoder();
            assertTrue(d.decode(buf, 0, record.length, LinkType.NFLOG));
            assertEquals(PacketDecoder.OK, d.status());
            assertEquals(IpProtocol.TCP, d.protocol());
            assertEquals(1, d.srcPort());
            assertEquals(2, d.dstPort());
            assertEquals("10.0.0.9.1 > 10.0.0.8.2: Flags [R.], seq 3, ack 4, win 0, length 0", d.summary());
            assertTrue(d.nflog().prefixEquals("nf-out"));
        }
    }

    @Test
    void cutAnywhereNeverThrows() {
        byte[] record = SamplePackets.nflogTcp4();
        PacketDecoder d = new PacketDecoder();
        for (int len = 0; len <= record.length; len++) {
            d.decode(Unpooled.wrappedBuffer(record), 0, len, record.length, LinkType.NFLOG);
            // the payload TLV comes last and the TCP header fills it: any cut is inside a header
            assertTrue(len == record.length || d.status() == PacketDecoder.TRUNCATED, "cut at " + len);
        }
        d.decode(Unpooled.wrappedBuffer(record), 0, record.length, LinkType.NFLOG);
        assertEquals(PacketDecoder.OK, d.status());
    }
}
