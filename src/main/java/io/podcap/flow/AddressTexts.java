package io.podcap.flow;

import io.podcap.decode.PacketDecoder;

/**
 * The text of addresses for flow records, remembered in a small direct-mapped cache: a node's flows end by the
 * thousand a second between few distinct addresses, and formatting each anew was a good part of ending a flow.
 */
final class AddressTexts {
    private static final int BITS = 10;

    private final int[] v4 = new int[1 << BITS];
    private final String[] v4Text = new String[1 << BITS];
    private final long[] v6Hi = new long[1 << BITS];
    private final long[] v6Lo = new long[1 << BITS];
    private final String[] v6Text = new String[1 << BITS];

    String ipv4(int address) {
        int i = (address * 0x9E3779B9) >>> (32 - BITS);
        String text = v4Text[i];
        if (text == null || v4[i] != address) {
            text = PacketDecoder.formatIpv4(address);
            v4[i] = address;
            v4Text[i] = text;
        }
        return text;
    }

    String ipv6(long hi, long lo) {
        int i = (int) (((hi ^ lo * 31) * 0x9E3779B97F4A7C15L) >>> (64 - BITS));
        String text = v6Text[i];
        if (text == null || v6Hi[i] != hi || v6Lo[i] != lo) {
            text = PacketDecoder.formatIpv6(hi, lo);
            v6Hi[i] = hi;
            v6Lo[i] = lo;
            v6Text[i] = text;
        }
        return text;
    }
}
