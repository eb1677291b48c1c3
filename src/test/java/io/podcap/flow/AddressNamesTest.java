package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.podcap.decode.PacketDecoder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressNamesTest {
    @Test
    void anIpv4AddressAndAnIpv6OneWithTheSameWordsKeepTheirOwnText() {
        AddressNames names = new AddressNames();
        assertEquals("10.0.0.1", names.name(4, 0, 0x0a000001L));
        assertEquals("::a00:1", names.name(6, 0, 0x0a000001L));
        assertEquals("10.0.0.1", names.name(4, 0, 0x0a000001L));
    }

    @Test
    void aHitReturnsTheSameStringAndMissesAlwaysTheRightText() {
        AddressNames names = new AddressNames();
        String first = names.name(4, 0, 0xc0a80001L);
        assertSame(first, names.name(4, 0, 0xc0a80001L));
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) { // many more addresses than entries: entries taken over again and again
            if (random.nextBoolean()) {
                int a = random.nextInt(4096) | 0x0a000000;
                assertEquals(PacketDecoder.formatIpv4(a), names.name(4, 0, a & 0xffffffffL));
            } else {
                long hi = 0xfd00_0000_0000_0000L | random.nextInt(64);
                long lo = random.nextInt(4096);
                assertEquals(PacketDecoder.formatIpv6(hi, lo), names.name(6, hi, lo));
            }
        }
    }
}
