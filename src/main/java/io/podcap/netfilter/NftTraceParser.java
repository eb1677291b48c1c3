package io.podcap.netfilter;

import io.podcap.decode.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Output of {@code nft monitor trace}: {@code trace id ID FAMILY TABLE CHAIN packet: ...} gives the packet as it
 * enters a chain, {@code ... rule TEXT (verdict V)} and {@code ... policy V} the hops, joined by the id. Rule numbers
 * are handles, shown when the rule text carries {@code # handle N} ({@code nft -a monitor trace}).
 */
public final class NftTraceParser extends JoinedTraceParser {
    public NftTraceParser() {
        this(null);
    }

    /** @param clock epoch nanoseconds for each line as it is read (live), or null */
    public NftTraceParser(LongSupplier clock) {
        super(clock);
    }

    @Override
    protected boolean parseLine(String line, Consumer<NetfilterEvent> sink) {
        String s = line.strip();
        if (!s.startsWith("trace id ")) {
            return false;
        }
        String[] head = s.split(" +", 7); // trace, id, ID, family, table, chain, rest
        if (head.length < 7) {
            return false;
        }
        String id = head[2];
        String family = head[3];
        String rest = head[6];
        if (rest.startsWith("packet: ")) {
            PacketFields p = packet(rest.substring("packet: ".length()), family);
            if (p == null) {
                return false;
            }
            packets.put(id, p);
            return true;
        }
        String kind;
        String text = null;
        String verdict;
        String handle = null;
        if (rest.startsWith("rule ")) {
            kind = "rule";
            int v = rest.lastIndexOf("(verdict ");
            text = (v < 0 ? rest.substring(5) : rest.substring(5, v)).strip();
            verdict = v < 0 ? null : rest.substring(v + 9, rest.indexOf(')', v) < 0 ? rest.length()
                    : rest.indexOf(')', v)).strip();
            int h = text.lastIndexOf("# handle ");
            if (h >= 0) {
                handle = text.substring(h + 9).strip();
                text = text.substring(0, h).strip();
            }
        } else if (rest.startsWith("policy ")) {
            kind = "policy";
            verdict = rest.substring(7).strip();
        } else if (rest.startsWith("verdict ")) {
            kind = "verdict";
            verdict = rest.substring(8).strip();
        } else {
            return false;
        }
        long time = readTime();
        sink.accept(new TraceHop(NetfilterEvent.Source.NFT_MONITOR, time, id, family, head[4], head[5], kind, handle,
                verdict == null ? null : verdict.toUpperCase(Locale.ROOT), text, packets.get(id)));
        return true;
    }

    /** Reads the {@code packet:} part: {@code iif "eth0" ip saddr A ip daddr B ip id N tcp sport P ...}. */
    static PacketFields packet(String text, String family) {
        List<String> t = tokens(text);
        PacketFields.Builder b = PacketFields.builder();
        b.family = "ip6".equals(family) ? 6 : "ip".equals(family) ? 4 : -1;
        for (int i = 0; i + 1 < t.size(); i++) {
            String w = t.get(i);
            String next = t.get(i + 1);
            switch (w) {
                case "iif" -> b.in = next;
                case "oif" -> b.out = next;
                case "ether" -> {
                    if ("saddr".equals(next) && i + 2 < t.size()) {
                        b.mac = t.get(i + 2);
                    }
                }
                case "meta" -> {
                    if ("mark".equals(next) && i + 2 < t.size()) {
                        b.mark = Long.decode(t.get(i + 2));
                    }
                }
                case "ip", "ip6" -> {
                    if (i + 2 < t.size()) {
                        ip(b, next, t.get(i + 2), w);
                    }
                }
                case "tcp", "udp", "sctp", "icmp", "icmpv6" -> {
                    if (i + 2 < t.size()) {
                        transport(b, w, next, t, i + 2);
                    }
                }
                default -> {
                    // dscp, ecn, window, @th,... raw payload: not needed to correlate
                }
            }
        }
        return b.src != null && b.dst != null ? b.build() : null;
    }

    private static void ip(PacketFields.Builder b, String field, String value, String family) {
        b.family = "ip6".equals(family) ? 6 : 4;
        switch (field) {
            case "saddr" -> b.src = Addresses.canonical(value);
            case "daddr" -> b.dst = Addresses.canonical(value);
            case "id" -> b.ipId = Long.parseLong(value);
            case "length" -> b.length = Integer.parseInt(value);
            case "ttl", "hoplimit" -> b.ttl = Integer.parseInt(value);
            case "protocol", "nexthdr" -> {
                if (Character.isLetter(value.charAt(0)) || Character.isDigit(value.charAt(0))) {
                    b.protocol = LogFields.protocol(value);
                }
            }
            default -> {
            }
        }
    }

    private static void transport(PacketFields.Builder b, String proto, String field, List<String> t, int at) {
        String value = t.get(at);
        b.protocol = LogFields.protocol(proto);
        switch (field) {
            case "sport" -> b.srcPort = Integer.parseInt(value);
            case "dport" -> b.dstPort = Integer.parseInt(value);
            case "sequence" -> {
                if (proto.startsWith("icmp")) {
                    b.icmpSeq = Integer.parseInt(value);
                } else {
                    b.seq = Long.parseLong(value);
                }
            }
            case "ackseq" -> b.ack = Long.parseLong(value);
            case "id" -> b.icmpId = Integer.parseInt(value);
            case "type" -> b.icmpType = icmpType(value);
            case "flags" -> b.tcpFlags = tcpFlags(t, "==".equals(value) ? at + 1 : at);
            default -> {
            }
        }
    }

    /** {@code syn}, {@code 0x12}, {@code (syn | ack)}, {@code syn,ack}: the words up to the next field. */
    private static int tcpFlags(List<String> t, int at) {
        int flags = 0;
        for (int i = at; i < t.size(); i++) {
            String w = t.get(i).replace("(", "").replace(")", "");
            boolean more = t.get(i).startsWith("(") || (i + 1 < t.size() && "|".equals(t.get(i + 1)));
            for (String f : w.split(",")) {
                flags |= switch (f) {
                    case "fin" -> TcpFlags.FIN;
                    case "syn" -> TcpFlags.SYN;
                    case "rst" -> TcpFlags.RST;
                    case "psh" -> TcpFlags.PSH;
                    case "ack" -> TcpFlags.ACK;
                    case "urg" -> TcpFlags.URG;
                    case "ecn" -> TcpFlags.ECE;
                    case "cwr" -> TcpFlags.CWR;
                    default -> f.startsWith("0x") ? Integer.decode(f) : 0;
                };
            }
            if ("|".equals(t.get(i)) || more) {
                continue;
            }
            break;
        }
        return flags;
    }

    private static int icmpType(String name) {
        return switch (name) {
            case "echo-reply" -> 0;
            case "destination-unreachable" -> 3;
            case "echo-request" -> 8;
            case "time-exceeded" -> 11;
            default -> Character.isDigit(name.charAt(0)) ? Integer.parseInt(name) : -1;
        };
    }

    /** Whitespace-separated words, a quoted string ({@code "eth0"}) being one word without its quotes. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                int end = text.indexOf('"', i + 1);
                end = end < 0 ? n : end;
                out.add(text.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = text.indexOf(' ', i);
                end = end < 0 ? n : end;
                out.add(text.substring(i, end));
                i = end;
            }
        }
        return out;
    }
}
