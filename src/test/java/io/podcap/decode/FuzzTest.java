package io.podcap.decode;

import static io.podcap.decode.PacketDecoder.LINK;
import static io.podcap.decode.PacketDecoder.NETWORK;
import static io.podcap.decode.PacketDecoder.TRANSPORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated packets never make the decoder throw, and it never reads outside the packet: the same bytes
 * decoded alone and in the middle of a larger buffer of random bytes give the same result.
 */
class FuzzTest {
    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW,
            LinkType.IPV4, LinkType.IPV6, LinkType.NULL, 12, 14, 147};
    // bytes that hit length, version, type and flag fields
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x05, 0x06, 0x08, 0x0f, 0x11, 0x2c, 0x33, 0x3a, 0x3b,
            0x3c, 0x40, 0x45, 0x4f, 0x50, 0x60, 0x7f, 0x80, 0x81, 0x86, 0x88, 0xa8, 0xdd, 0xf0, 0xff};

    @Test
    void randomAndMutatedPacketsNeverThrow() {
        List<SamplePackets.Sample> samples = SamplePackets.all();
        SplittableRandom random = new SplittableRandom(20240611);
        PacketDecoder alone = new PacketDecoder();
        PacketDecoder embedded = new PacketDecoder();
        int[] statuses = new int[4];
        int[] layerCounts = new int[8];
        for (int i = 0; i < 200_000; i++) {
            byte[] bytes;
            int linkType;
            if (i % 4 == 0) {
                bytes = new byte[random.nextInt(160)];
                for (int j = 0; j < bytes.length; j++) {
                    bytes[j] = (byte) random.nextInt(256);
                }
                linkType = LINK_TYPES[random.nextInt(LINK_TYPES.length)];
            } else {
                SamplePackets.Sample sample = samples.get(random.nextInt(samples.size()));
                bytes = mutate(sample.bytes(), random);
                linkType = random.nextInt(20) == 0 ? LINK_TYPES[random.nextInt(LINK_TYPES.length)] : sample.linkType();
            }
            int caplen = random.nextInt(4) == 0 ? random.nextInt(bytes.length + 1) : bytes.length;
            int wirelen = random.nextInt(8) == 0 ? random.nextInt(100_000) : caplen;
            try {
                boolean network = alone.decode(Unpooled.wrappedBuffer(bytes), 0, caplen, wirelen, linkType);
                checkInvariants(alone, network, caplen);

                int offset = random.nextInt(64);
                byte[] around = new byte[offset + caplen + random.nextInt(64)];
                for (int j = 0; j < around.length; j++) {
                    around[j] = (byte) random.nextInt(256);
                }
                System.arraycopy(bytes, 0, around, offset, caplen);
                ByteBuf big = Unpooled.wrappedBuffer(around);
                assertEquals(network, embedded.decode(big, offset, caplen, wirelen, linkType));
                assertEquals(Snapshot.all(alone), Snapshot.all(embedded));
                if (i % 16 == 0) {
                    assertEquals(alone.summary(), embedded.summary());
                }
                statuses[alone.status()]++;
                layerCounts[alone.layers()]++;
            } catch (Throwable t) {
                fail("input " + i + " link type " + linkType + " caplen " + caplen + " wirelen " + wirelen + ": "
                        + HexFormat.of().formatHex(bytes), t);
            }
        }
        // the mix really reaches every outcome
        for (int status = 0; status < 4; status++) {
            assertTrue(statuses[status] > 1000, "status " + status + ": " + Arrays.toString(statuses));
        }
        assertTrue(layerCounts[LINK | NETWORK | TRANSPORT] > 10_000, Arrays.toString(layerCounts));
        assertTrue(layerCounts[LINK | NETWORK] > 1000, Arrays.toString(layerCounts));
    }

    private static void checkInvariants(PacketDecoder d, boolean network, int caplen) {
        assertEquals(network, d.hasLayer(NETWORK));
        int layers = d.layers();
        assertTrue(layers == 0 || layers == LINK || layers == (LINK | NETWORK) || layers == (LINK | NETWORK | TRANSPORT),
                "layers " + layers);
        assertTrue(d.status() >= 0 && d.status() <= 3);
        assertEquals(caplen, d.captureLength());
        int start = d.packetOffset();
        assertTrue(d.payloadOffset() >= start && d.payloadOffset() <= start + caplen, "payload offset");
        assertTrue(d.payloadLength() >= 0 && d.payloadOffset() + d.payloadLength() <= start + caplen, "payload length");
        assertTrue(d.payloadWireLength() >= d.payloadLength(), "wire length");
        if (d.hasLayer(TRANSPORT)) {
            assertTrue(d.transportOffset() >= d.networkOffset() + 20 && d.transportOffset() <= start + caplen);
        }
        if (network) {
            assertTrue(d.ipVersion() == 4 || d.ipVersion() == 6);
            assertTrue(d.protocol() >= 0 && d.protocol() <= 255);
        }
    }

    private static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] bytes = Arrays.copyOf(original, original.length);
        int changes = 1 + random.nextInt(4);
        for (int c = 0; c < changes; c++) {
            // mostly in the headers, where the lengths and types are
            int pos = random.nextInt(Math.min(bytes.length, random.nextBoolean() ? 80 : bytes.length));
            bytes[pos] = (byte) (random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : random.nextInt(256));
        }
        if (random.nextInt(10) == 0) {
            bytes = Arrays.copyOf(bytes, bytes.length + random.nextInt(40)); // trailing zeros, like padding
        }
        return bytes;
    }
}
