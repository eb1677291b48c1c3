package io.podcap.netfilter;

import io.podcap.decode.IpProtocol;
import io.podcap.decode.TcpFlags;
import java.util.Locale;

/**
 * Reads the {@code KEY=value} and flag words the kernel's LOG target prints (also legacy TRACE lines and
 * xtables-monitor's PACKET lines) into {@link PacketFields}. Keys repeat, so they are read by position: what comes
 * after {@code PROTO=} belongs to the transport header (UDP's second {@code LEN=}, ICMP's second {@code ID=}), and
 * the quoted header of an ICMP error ({@code [SRC=...]}) is not the packet's own.
 */
final class LogFields {
    private LogFields() {
    }

    /** Parses {@code text} from {@code from}; returns null when it holds no SRC and DST. */
    static PacketFields parse(String text, int from) {
        PacketFields.Builder b = PacketFields.builder();
        boolean transport = false;
        int n = text.length();
        int i = from;
        while (i < n) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            char c = text.charAt(i);
            if (c == '[') {
                break; // the inner header of an ICMP error, or INCOMPLETE [...]
            }
            int end;
            if (c == '(') { // OPT (0204...): options as hex
                end = text.indexOf(')', i);
                end = end < 0 ? n : end + 1;
                i = end;
                continue;
            }
            end = text.indexOf(' ', i);
            if (end < 0) {
                end = n;
            }
            int eq = text.indexOf('=', i);
            if (eq > 0 && eq < end) {
                transport = field(b, text.substring(i, eq), text.substring(eq + 1, end), transport);
            } else {
                flag(b, text.substring(i, end));
            }
            i = end;
        }
        return b.src != null && b.dst != null ? b.build() : null;
    }

    private static boolean field(PacketFields.Builder b, String key, String value, boolean transport) {
        switch (key) {
            case "IN" -> b.in = value;
            case "OUT" -> b.out = value;
            case "PHYSIN" -> b.physIn = value;
            case "PHYSOUT" -> b.physOut = value;
            case "MAC" -> b.mac = value;
            case "SRC" -> b.src = Addresses.canonical(value);
            case "DST" -> b.dst = Addresses.canonical(value);
            case "LEN" -> {
                if (!transport) {
                    b.length = Integer.parseInt(value);
                }
            }
            case "TTL", "HOPLIMIT" -> b.ttl = Integer.parseInt(value);
            case "ID" -> {
                if (transport) {
                    b.icmpId = Integer.parseInt(value);
                } else if (value.endsWith("DF")) { // some xtables-monitor versions print ID=38349DF
                    b.ipId = Long.parseLong(value.substring(0, value.length() - 2));
                    b.dontFragment = true;
                } else {
                    b.ipId = Long.parseLong(value);
                }
            }
            case "PROTO" -> {
                b.protocol = protocol(value);
                return true;
            }
            case "SPT", "SPORT" -> {
                b.srcPort = Integer.parseInt(value);
                return true;
            }
            case "DPT", "DPORT" -> b.dstPort = Integer.parseInt(value);
            case "SEQ" -> {
                if (b.icmpType >= 0) {
                    b.icmpSeq = Integer.parseInt(value);
                } else {
                    b.seq = Long.parseLong(value);
                }
            }
            case "ACK" -> b.ack = Long.parseLong(value);
            case "TYPE" -> {
                b.icmpType = Integer.parseInt(value);
                return true;
            }
            case "CODE" -> b.icmpCode = Integer.parseInt(value);
            case "MARK" -> b.mark = Long.decode(value);
            default -> {
                // TOS, PREC, TC, FLOWLBL, WINDOW, RES, URGP, UID, GID, FRAG, ...: not needed to correlate
            }
        }
        return transport;
    }

    private static void flag(PacketFields.Builder b, String word) {
        switch (word) {
            case "DF" -> b.dontFragment = true;
            case "FIN" -> b.tcpFlags |= TcpFlags.FIN;
            case "SYN" -> b.tcpFlags |= TcpFlags.SYN;
            case "RST" -> b.tcpFlags |= TcpFlags.RST;
            case "PSH" -> b.tcpFlags |= TcpFlags.PSH;
            case "ACK" -> b.tcpFlags |= TcpFlags.ACK;
            case "URG" -> b.tcpFlags |= TcpFlags.URG;
            case "ECE" -> b.tcpFlags |= TcpFlags.ECE;
            case "CWR" -> b.tcpFlags |= TcpFlags.CWR;
            default -> {
                // CE, MF, OPT, ...
            }
        }
    }

    static int protocol(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "TCP" -> IpProtocol.TCP;
            case "UDP", "UDPLITE" -> IpProtocol.UDP;
            case "ICMP" -> IpProtocol.ICMP;
            case "ICMPV6", "IPV6-ICMP" -> IpProtocol.ICMPV6;
            case "SCTP" -> 132;
            default -> Integer.parseInt(name);
        };
    }
}
