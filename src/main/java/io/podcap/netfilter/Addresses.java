package io.podcap.netfilter;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Canonical text of the addresses the tools print (LOG writes IPv6 fully expanded, nft compressed). */
final class Addresses {
    private Addresses() {
    }

    /** The canonical form of an IP literal, or null when the text is not one (never a DNS lookup). */
    static String canonical(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            text = text.substring(0, slash);
        }
        boolean v6 = text.indexOf(':') >= 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || (v6 && (c == ':' || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F')));
            if (!ok) {
                return null;
            }
        }
        if (!v6 && text.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            // a literal of digits, dots, colons and hex only: InetAddress parses it without resolving
            InetAddress a = InetAddress.getByName(text);
            String s = a.getHostAddress();
            return a instanceof java.net.Inet6Address ? compress(a.getAddress()) : s;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String compress(byte[] b) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return io.podcap.decode.PacketDecoder.formatIpv6(hi, lo);
    }
}
