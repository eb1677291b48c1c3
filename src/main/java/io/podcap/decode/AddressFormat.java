package io.podcap.decode;

/** Text forms of IP addresses without {@code java.net.InetAddress} (no lookups, no exceptions). */
final class AddressFormat {
    private AddressFormat() {
    }

    static StringBuilder appendIpv4(StringBuilder sb, int address) {
        return sb.append(address >>> 24).append('.')
                .append((address >>> 16) & 0xff).append('.')
                .append((address >>> 8) & 0xff).append('.')
                .append(address & 0xff);
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest (first on a tie) run of two or more zero groups as {@code ::}. */
    static StringBuilder appendIpv6(StringBuilder sb, long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            // IPv4-mapped: RFC 5952 section 5 keeps the dotted quad
            return appendIpv4(sb.append("::ffff:"), (int) lo);
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
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                sb.append(':');
            }
            hex(sb, group(hi, lo, i));
        }
        return sb;
    }

    /** A group in lower-case hex without leading zeros (as Integer.toHexString, without its String). */
    private static void hex(StringBuilder sb, int group) {
        for (int shift = group == 0 ? 0 : (31 - Integer.numberOfLeadingZeros(group)) & ~3; shift >= 0; shift -= 4) {
            sb.append(DIGITS[(group >>> shift) & 0xf]);
        }
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private static int group(long hi, long lo, int i) {
        long half = i < 4 ? hi : lo;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xffff;
    }
}
