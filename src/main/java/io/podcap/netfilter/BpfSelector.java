package io.podcap.netfilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a simple BPF filter into iptables matches for {@link TraceRules}: words {@code tcp}, {@code udp},
 * {@code icmp}, {@code [src|dst] host ADDR}, {@code [src|dst] port N}, joined by {@code and}. A match in either
 * direction ({@code host}, {@code port}) becomes two rules. Anything else ({@code or}, {@code not}, parentheses)
 * is refused: give the iptables match yourself.
 */
public final class BpfSelector {
    private BpfSelector() {
    }

    /** One list of iptables match arguments per rule; an empty filter matches everything (one empty list). */
    public static List<List<String>> toIptables(String filter) {
        List<List<String>> rules = new ArrayList<>();
        rules.add(new ArrayList<>());
        String protocol = null;
        List<String[]> ports = new ArrayList<>(); // {direction or null, port}
        String[] w = filter == null ? new String[0] : filter.trim().toLowerCase(Locale.ROOT).split("\\s+");
        for (int i = 0; i < w.length; i++) {
            String word = w[i];
            if (word.isEmpty() || word.equals("and") || word.equals("&&")) {
                continue;
            }
            String dir = null;
            if ((word.equals("src") || word.equals("dst")) && i + 1 < w.length) {
                dir = word;
                word = w[++i];
            }
            switch (word) {
                case "tcp", "udp", "icmp" -> {
                    if (dir != null) {
                        throw refused(filter);
                    }
                    protocol = word;
                }
                case "host" -> {
                    String address = value(w, ++i, filter);
                    if (Addresses.canonical(address) == null) {
                        throw refused(filter);
                    }
                    rules = expand(rules, dir, "-s", "-d", address);
                }
                case "port" -> ports.add(new String[] {dir, number(value(w, ++i, filter), filter)});
                default -> throw refused(filter);
            }
        }
        if (!ports.isEmpty() && protocol == null) {
            List<List<String>> both = new ArrayList<>();
            both.addAll(withProtocol(rules, "tcp"));
            both.addAll(withProtocol(rules, "udp"));
            rules = both;
        } else if (protocol != null) {
            rules = withProtocol(rules, protocol);
        }
        for (String[] port : ports) {
            rules = expand(rules, port[0], "--sport", "--dport", port[1]);
        }
        return rules;
    }

    private static List<List<String>> withProtocol(List<List<String>> rules, String protocol) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> r : rules) {
            List<String> n = new ArrayList<>(List.of("-p", protocol));
            n.addAll(r);
            out.add(n);
        }
        return out;
    }

    /** {@code dir} null: one rule per direction. */
    private static List<List<String>> expand(List<List<String>> rules, String dir, String srcFlag, String dstFlag,
                                             String value) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> r : rules) {
            if (dir == null || dir.equals("src")) {
                out.add(with(r, srcFlag, value));
            }
            if (dir == null || dir.equals("dst")) {
                out.add(with(r, dstFlag, value));
            }
        }
        return out;
    }

    private static List<String> with(List<String> rule, String flag, String value) {
        List<String> n = new ArrayList<>(rule);
        n.add(flag);
        n.add(value);
        return n;
    }

    private static String value(String[] w, int i, String filter) {
        if (i >= w.length) {
            throw refused(filter);
        }
        return w[i];
    }

    private static String number(String s, String filter) {
        try {
            int port = Integer.parseInt(s);
            if (port >= 0 && port <= 65535) {
                return s;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw refused(filter);
    }

    private static IllegalArgumentException refused(String filter) {
        return new IllegalArgumentException("--arm cannot turn the filter '" + filter + "' into iptables matches "
                + "(only tcp/udp/icmp, [src|dst] host ADDR, [src|dst] port N joined by 'and'); give them with "
                + "--arm-match");
    }
}
