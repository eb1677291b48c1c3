package io.podcap.decode;

import static io.podcap.decode.PacketDecoder.MALFORMED;
import static io.podcap.decode.PacketDecoder.NETWORK;
import static io.podcap.decode.PacketDecoder.OK;
import static io.podcap.decode.PacketDecoder.TRANSPORT;
import static io.podcap.decode.PacketDecoder.TRUNCATED;
import static io.podcap.decode.PacketDecoder.UNSUPPORTED;

import io.podcap.capture.LinkType;

/** The tcpdump-like one-liner of {@link PacketDecoder#summary()}. */
final class PacketSummary {
    private PacketSummary() {
    }

    static void append(PacketDecoder d, StringBuilder sb) {
        if (!d.hasLayer(NETWORK)) {
            nonIp(d, sb);
        } else {
            endpoints(d, sb);
            if (d.hasLayer(TRANSPORT)) {
                transport(d, sb);
            } else if (d.fragmentOffset() != 0) {
                sb.append(IpProtocol.name(d.protocol())).append(" fragment, id ").append(d.ipId())
                        .append(", offset ").append(d.fragmentOffset())
                        .append(", length ").append(d.payloadWireLength());
            } else {
                sb.append(IpProtocol.name(d.protocol()));
                if (d.status() == OK || d.status() == UNSUPPORTED) {
                    sb.append(", length ").append(d.payloadWireLength());
                }
            }
        }
        if (d.status() == TRUNCATED) {
            sb.append(" [truncated]");
        } else if (d.status() == MALFORMED) {
            sb.append(" [malformed]");
        }
    }

    private static void nonIp(PacketDecoder d, StringBuilder sb) {
        if (d.layers() == 0 && d.status() == UNSUPPORTED) {
            sb.append("link type ").append(LinkType.name(d.linkType()));
        } else if (d.etherType() == EtherType.IPV4) {
            sb.append("IP");
        } else if (d.etherType() == EtherType.IPV6) {
            sb.append("IP6");
        } else if (d.etherType() >= 0) {
            sb.append("ethertype 0x");
            hex4(sb, d.etherType());
        } else {
            sb.append(LinkType.name(d.linkType()));
        }
        sb.append(", length ").append(d.wireLength());
    }

    private static void endpoints(PacketDecoder d, StringBuilder sb) {
        boolean ports = d.hasLayer(TRANSPORT) && d.srcPort() >= 0;
        address(d, sb, true);
        if (ports) {
            sb.append('.').append(d.srcPort());
        }
        sb.append(" > ");
        address(d, sb, false);
        if (ports) {
            sb.append('.').append(d.dstPort());
        }
        sb.append(": ");
    }

    private static void address(PacketDecoder d, StringBuilder sb, boolean src) {
        if (d.ipVersion() == 4) {
            AddressFormat.appendIpv4(sb, src ? d.ipv4Src() : d.ipv4Dst());
        } else if (src) {
            AddressFormat.appendIpv6(sb, d.ipv6SrcHi(), d.ipv6SrcLo());
        } else {
            AddressFormat.appendIpv6(sb, d.ipv6DstHi(), d.ipv6DstLo());
        }
    }

    private static void transport(PacketDecoder d, StringBuilder sb) {
        switch (d.protocol()) {
            case IpProtocol.TCP -> tcp(d, sb);
            case IpProtocol.UDP -> {
                sb.append("UDP");
                if (d.status() == OK) {
                    sb.append(", length ").append(d.udpLength() - 8);
                }
            }
            default -> icmp(d, sb);
        }
    }

    // Field order and wording follow tcpdump's print-tcp.c, with absolute sequence numbers (tcpdump -S).
    private static void tcp(PacketDecoder d, StringBuilder sb) {
        TcpFlags.append(sb.append("Flags ["), d.tcpFlags()).append(']');
        boolean complete = d.status() == OK;
        int length = d.payloadWireLength();
        if (d.hasTcpFlags(TcpFlags.SYN) || d.hasTcpFlags(TcpFlags.FIN) || d.hasTcpFlags(TcpFlags.RST) || length > 0) {
            sb.append(", seq ").append(d.tcpSeq());
            if (length > 0) {
                sb.append(':').append((d.tcpSeq() + length) & 0xffffffffL);
            }
        }
        if (d.hasTcpFlags(TcpFlags.ACK)) {
            sb.append(", ack ").append(d.tcpAck());
        }
        sb.append(", win ").append(d.tcpWindow());
        if (d.hasTcpFlags(TcpFlags.URG)) {
            sb.append(", urg ").append(d.tcpUrgentPointer());
        }
        if (complete) {
            tcpOptions(d, sb);
            sb.append(", length ").append(length);
        }
    }

    private static void tcpOptions(PacketDecoder d, StringBuilder sb) {
        int before = sb.length();
        sb.append(", options [");
        int empty = sb.length();
        if (d.hasMss()) {
            sb.append("mss ").append(d.mss()).append(',');
        }
        if (d.sackPermitted()) {
            sb.append("sackOK,");
        }
        if (d.hasTimestamps()) {
            sb.append("TS val ").append(d.tsval()).append(" ecr ").append(d.tsecr()).append(',');
        }
        if (d.hasWindowScale()) {
            sb.append("wscale ").append(d.windowScale()).append(',');
        }
        if (d.sackBlockCount() > 0) {
            sb.append("sack ").append(d.sackBlockCount());
            for (int i = 0; i < d.sackBlockCount(); i++) {
                sb.append(" {").append(d.sackLeft(i)).append(':').append(d.sackRight(i)).append('}');
            }
            sb.append(',');
        }
        if (sb.length() == empty) {
            sb.setLength(before);
        } else {
            sb.setCharAt(sb.length() - 1, ']');
        }
    }

    private static void icmp(PacketDecoder d, StringBuilder sb) {
        boolean v6 = d.protocol() == IpProtocol.ICMPV6;
        sb.append(v6 ? "ICMP6, " : "ICMP ");
        String name = v6 ? icmp6Name(d.icmpType()) : icmpName(d.icmpType());
        if (name != null) {
            sb.append(name);
        } else {
            sb.append("type ").append(d.icmpType());
        }
        if (d.icmpCode() != 0) {
            sb.append(", code ").append(d.icmpCode());
        }
        if (d.icmpId() >= 0) {
            sb.append(", id ").append(d.icmpId()).append(", seq ").append(d.icmpSeq());
        }
        if (d.status() == OK) {
            sb.append(", length ").append(d.payloadWireLength() + 8); // tcpdump counts the ICMP header
        }
    }

    private static String icmpName(int type) {
        return switch (type) {
            case 0 -> "echo reply";
            case 3 -> "destination unreachable";
            case 5 -> "redirect";
            case 8 -> "echo request";
            case 11 -> "time exceeded";
            case 12 -> "parameter problem";
            default -> null;
        };
    }

    private static String icmp6Name(int type) {
        return switch (type) {
            case 1 -> "destination unreachable";
            case 2 -> "packet too big";
            case 3 -> "time exceeded";
            case 4 -> "parameter problem";
            case 128 -> "echo request";
            case 129 -> "echo reply";
            case 133 -> "router solicitation";
            case 134 -> "router advertisement";
            case 135 -> "neighbor solicitation";
            case 136 -> "neighbor advertisement";
            default -> null;
        };
    }

    private static void hex4(StringBuilder sb, int value) {
        String hex = Integer.toHexString(value);
        for (int i = hex.length(); i < 4; i++) {
            sb.append('0');
        }
        sb.append(hex);
    }
}
