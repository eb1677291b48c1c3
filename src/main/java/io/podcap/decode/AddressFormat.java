package io.podcap.decode;

import java.nio.charset.StandardCharsets;

/**
 * Text forms of IP addresses without {@code java.net.InetAddress} (no lookups, no exceptions). Written as Latin-1 bytes
 * and made a String with one copy: a node ends thousands of flows a second, each with two addresses to show.
 */
final class AddressFormat {
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] MAPPED = "::ffff:".getBytes(StandardCharsets.ISO_8859_1);
    private static final int IPV4_MAX = 15;
    private static final int IPV6_MAX = 45; // ::ffff: and a dotted quad is the longest

    private AddressFormat() {
    }

    static String ipv4(int address) {
        byte[] b = new byte[IPV4_MAX];
        return new String(b, 0, putIpv4(b, 0, address), StandardCharsets.ISO_8859_1);
    }

    static String ipv6(long hi, long lo) {
        byte[] b = new byte[IPV6_MAX];
        return new String(b, 0, putIpv6(b, 0, hi, lo), StandardCharsets.ISO_8859_1);
    }

    static StringBuilder appendIpv4(StringBuilder sb, int address) {
        byte[] b = new byte[IPV4_MAX];
        return append(sb, b, putIpv4(b, 0, address));
    }

    static StringBuilder appendIpv6(StringBuilder sb, long hi, long lo) {
        byte[] b = new byte[IPV6_MAX];
        return append(sb, b, putIpv6(b, 0, hi, lo));
    }

    private static StringBuilder append(StringBuilder sb, byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            sb.append((char) b[i]);
        }
        return sb;
    }

    /** Dotted quad at {@code at}; returns the position after it. */
    private static int putIpv4(byte[] b, int at, int address) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            int v = (address >>> shift) & 0xff;
            if (v >= 100) {
                b[at++] = DIGITS[v / 100];
                b[at++] = DIGITS[v / 10 % 10];
            } else if (v >= 10) {
                b[at++] = DIGITS[v / 10];
            }
            b[at++] = DIGITS[v % 10];
            if (shift > 0) {
                b[at++] = '.';
            }
        }
        return at;
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest (first on a tie) run of two or more zero groups as {@code ::}. */
    private static int putIpv6(byte[] b, int at, long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            // IPv4-mapped: RFC 5952 section 5 keeps the dotted quad
            System.arraycopy(MAPPED, 0, b, at, MAPPED.length);
            return putIpv4(b, at + MAPPED.length, (int) lo);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (group(hi, lo, i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(hi, lo, j) == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b[at++] = ':';
                b[at++] = ':';
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                b[at++] = ':';
            }
            at = putHex(b, at, group(hi, lo, i));
        }
        return at;
    }

    /** A group in lower-case hex without leading zeros (as Integer.toHexString, without its String). */
    private static int putHex(byte[] b, int at, int group) {
        for (int shift = group == 0 ? 0 : (31 - Integer.numberOfLeadingZeros(group)) & ~3; shift >= 0; shift -= 4) {
            b[at++] = DIGITS[(group >>> shift) & 0xf];
        }
        return at;
    }

    private static int group(long hi, long lo, int i) {
        long half = i < 4 ? hi : lo;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xffff;
    }
}
