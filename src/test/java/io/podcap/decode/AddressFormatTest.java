package io.podcap.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class AddressFormatTest {
    private static String v6(String literal) {
        ByteBuffer b = ByteBuffer.wrap(Packets.addr(literal));
        return PacketDecoder.formatIpv6(b.getLong(0), b.getLong(8));
    }

    @Test
    void ipv4() {
        assertEquals("10.0.0.1", PacketDecoder.formatIpv4(0x0a000001));
        assertEquals("0.0.0.0", PacketDecoder.formatIpv4(0));
        assertEquals("255.255.255.255", PacketDecoder.formatIpv4(-1));
        assertEquals("192.168.100.200", PacketDecoder.formatIpv4(0xc0a864c8));
    }

    @Test
    void ipv6Rfc5952() {
        assertEquals("::", v6("0:0:0:0:0:0:0:0"));
        assertEquals("::1", v6("0:0:0:0:0:0:0:1"));
        assertEquals("1::", v6("1:0:0:0:0:0:0:0"));
        assertEquals("fe80::1", v6("FE80:0000:0000:0000:0000:0000:0000:0001"));
        // 4.2.2: a single zero group is not shortened
        assertEquals("2001:db8:0:1:1:1:1:1", v6("2001:db8:0:1:1:1:1:1"));
        // 4.2.3: the longest run, and the first of equal runs
        assertEquals("2001:0:0:1::1", v6("2001:0:0:1:0:0:0:1"));
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"));
        // 4.3: lower case, no leading zeros
        assertEquals("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", v6("2001:0DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001"));
        assertEquals("ff02::fb", v6("ff02::fb"));
        assertEquals("1:2:3:4:5:6:7:8", v6("1:2:3:4:5:6:7:8"));
        assertEquals("1:0:2::", v6("1:0:2:0:0:0:0:0"));
        // 5: IPv4-mapped addresses keep the dotted quad
        assertEquals("::ffff:192.0.2.1", PacketDecoder.formatIpv6(0, 0x0000ffffc0000201L));
    }

    @Test
    void everyGroupValueInLowerCaseHexWithoutLeadingZeros() {
        for (int g = 1; g <= 0xffff; g++) {
            assertEquals(Integer.toHexString(g) + "::1", PacketDecoder.formatIpv6((long) g << 48, 1));
        }
    }

    @Test
    void everyZeroPatternRoundTrips() {
        // all 256 patterns of zero and non-zero groups: the text parses back to the same address, with no ":::"
        for (int mask = 0; mask < 256; mask++) {
            long hi = 0;
            long lo = 0;
            for (int g = 0; g < 8; g++) {
                long value = (mask >>> g & 1) != 0 ? 0x0a0b + g : 0;
                if (g < 4) {
                    hi |= value << (48 - 16 * g);
                } else {
                    lo |= value << (48 - 16 * (g - 4));
                }
            }
            String text = PacketDecoder.formatIpv6(hi, lo);
            byte[] expected = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
            assertArrayEquals(expected, Packets.addr(text), text);
            assertEquals(-1, text.indexOf(":::"), text);
            assertEquals(text.indexOf("::"), text.lastIndexOf("::"), text);
        }
    }
}
