package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podcap.decode.PacketDecoder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The cache answers what formatting answers, also when addresses collide in it. */
class AddressTextsTest {
    @Test
    void sameTextAsFormattingThroughCollisions() {
        AddressTexts texts = new AddressTexts();
        Random random = new Random(7);
        int[] v4 = new int[5000];
        long[] hi = new long[5000];
        long[] lo = new long[5000];
        for (int i = 0; i < v4.length; i++) {
            v4[i] = random.nextInt();
            hi[i] = random.nextBoolean() ? 0xfd00_0000_0000_0000L : random.nextLong();
            lo[i] = random.nextInt(4) == 0 ? 0xffff_0000_0000L | (v4[i] & 0xffffffffL) : random.nextLong();
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < v4.length; i++) {
                int j = random.nextInt(v4.length);
                assertEquals(PacketDecoder.formatIpv4(v4[j]), texts.ipv4(v4[j]));
                assertEquals(PacketDecoder.formatIpv6(hi[j], lo[j]), texts.ipv6(hi[j], lo[j]));
                assertEquals(PacketDecoder.formatIpv6(0, lo[j]), texts.ipv6(0, lo[j]));
            }
        }
    }
}
