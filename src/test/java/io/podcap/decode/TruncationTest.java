package io.podcap.decode;

import static io.podcap.decode.PacketDecoder.LINK;
import static io.podcap.decode.PacketDecoder.NETWORK;
import static io.podcap.decode.PacketDecoder.OK;
import static io.podcap.decode.PacketDecoder.TRANSPORT;
import static io.podcap.decode.PacketDecoder.TRUNCATED;
import static io.podcap.decode.PacketDecoder.UNSUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sample cut at every length: cuts inside headers say TRUNCATED, cuts in the payload change only its length. */
class TruncationTest {
    static Iterable<SamplePackets.Sample> samples() {
        return SamplePackets.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyCaptureLength(SamplePackets.Sample sample) {
        byte[] bytes = sample.bytes();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        PacketDecoder full = new PacketDecoder();
        full.decode(buf, 0, bytes.length, sample.linkType());
        assertTrue(full.status() == OK || full.status() == UNSUPPORTED, sample + ": " + full.summary());
        String fullHeaders = Snapshot.headers(full);
        int headerEnd = full.payloadOffset();
        int payloadEnd = full.payloadOffset() + full.payloadLength();
        int linkHeader = linkHeaderLength(sample.linkType());
        int networkEnd = full.networkOffset() + (full.ipVersion() == 6 ? 40 : 20);
        int transportEnd = full.transportOffset() + (full.protocol() == IpProtocol.TCP ? 20 : 8);

        PacketDecoder d = new PacketDecoder();
        int previousLayers = 0;
        for (int caplen = 0; caplen <= bytes.length; caplen++) {
            String at = sample + " caplen " + caplen;
            boolean network = d.decode(buf, 0, caplen, bytes.length, sample.linkType());
            assertEquals(network, d.hasLayer(NETWORK), at);
            assertEquals(d.layers(), d.layers() & full.layers(), at + ": no layer the full packet lacks");
            assertEquals(previousLayers, d.layers() & previousLayers, at + ": more bytes never lose a layer");
            previousLayers = d.layers();
            if (sample.linkType() != 147) {
                assertEquals(caplen >= linkHeader, d.hasLayer(LINK), at);
            }
            if (full.hasLayer(NETWORK)) {
                assertEquals(caplen >= networkEnd, d.hasLayer(NETWORK), at);
            }
            if (full.hasLayer(TRANSPORT)) {
                assertEquals(caplen >= transportEnd, d.hasLayer(TRANSPORT), at);
            }
            if (caplen < headerEnd) {
                assertEquals(TRUNCATED, d.status(), at);
                assertEquals(0, d.payloadLength(), at);
                assertEquals(0, d.payloadWireLength(), at);
            } else {
                assertEquals(fullHeaders, Snapshot.headers(d), at);
                assertEquals(headerEnd, d.payloadOffset(), at);
                assertEquals(Math.min(caplen, payloadEnd) - headerEnd, d.payloadLength(), at);
                assertEquals(full.payloadWireLength(), d.payloadWireLength(), at);
            }
            d.summary(); // must not throw either
        }
    }

    private static int linkHeaderLength(int linkType) {
        return switch (linkType) {
            case LinkType.ETHERNET -> 14;
            case LinkType.LINUX_SLL -> 16;
            case LinkType.LINUX_SLL2 -> 20;
            case LinkType.NULL, LinkType.NFLOG -> 4;
            default -> 0;
        };
    }
}
