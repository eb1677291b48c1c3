package io.podcap.flow;

import io.podcap.decode.PacketDecoder;

/**
 * The text of the addresses of ended flows, remembered in a small direct-mapped cache: a node's flows share few
 * addresses (its pods, its own, a few services), and every ended flow needs two. A miss formats the address and
 * takes the entry.
 */
final class AddressNames {
    private static final int BITS = 10;

    private final long[] hi = new long[1 << BITS];
    private final long[] lo = new long[1 << BITS];
    private final byte[] version = new byte[1 << BITS];
    private final String[] names = new String[1 << BITS]; // null: empty entry

    /** {@code ipVersion} 4: {@code lo} holds the address; 6: {@code hi} and {@code lo}. */
    String name(int ipVersion, long hi, long lo) {
        int i = (int) ((hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL) >>> (64 - BITS));
        String name = names[i];
        if (name != null && this.lo[i] == lo && this.hi[i] == hi && version[i] == ipVersion) {
            return name;
        }
        return miss(i, ipVersion, hi, lo);
    }

    private String miss(int i, int ipVersion, long hi, long lo) {
        String name = ipVersion == 4 ? PacketDecoder.formatIpv4((int) lo) : PacketDecoder.formatIpv6(hi, lo);
        this.hi[i] = hi;
        this.lo[i] = lo;
        version[i] = (byte) ipVersion;
        names[i] = name;
        return name;
    }
}
