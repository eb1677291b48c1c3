package io.podcap.netfilter;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Lines of {@code conntrack -E} (and of {@code conntrack -L}, which prints the same without the event type):
 * {@code [NEW] tcp 6 120 SYN_SENT src=A dst=B sport=a dport=b [UNREPLIED] src=B' dst=A' sport=b' dport=a'}. With
 * {@code -o timestamp} a {@code [1700000000.123456]} comes first and gives the time.
 */
public final class ConntrackParser extends LineParser {
    public ConntrackParser() {
        this(null);
    }

    /** @param clock epoch nanoseconds for lines without a timestamp of their own (live), or null */
    public ConntrackParser(LongSupplier clock) {
        super(clock);
    }

    @Override
    protected boolean parseLine(String line, Consumer<NetfilterEvent> sink) {
        String[] w = line.strip().split("\\s+");
        int i = 0;
        long time = -1;
        String type = null;
        while (i < w.length && w[i].startsWith("[") && w[i].endsWith("]")) {
            String inner = w[i].substring(1, w[i].length() - 1);
            if (!inner.isEmpty() && Character.isDigit(inner.charAt(0))) {
                time = seconds(inner);
            } else {
                type = inner;
            }
            i++;
        }
        if (i + 1 >= w.length || !isProtocolName(w[i]) || !isNumber(w[i + 1])) {
            return false;
        }
        int protocol = Integer.parseInt(w[i + 1]);
        i += 2;
        if (i < w.length && isNumber(w[i])) {
            i++; // timeout
        }
        String state = null;
        if (i < w.length && w[i].indexOf('=') < 0 && !w[i].startsWith("[")) {
            state = w[i++];
        }
        String[][] tuples = new String[2][4]; // src, dst, sport, dport (ICMP: id for both ports)
        int which = 0;
        boolean unreplied = false;
        boolean assured = false;
        long mark = -1;
        for (; i < w.length; i++) {
            String word = w[i];
            if ("[UNREPLIED]".equals(word)) {
                unreplied = true;
                continue;
            }
            if ("[ASSURED]".equals(word)) {
                assured = true;
                continue;
            }
            int eq = word.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = word.substring(0, eq);
            String value = word.substring(eq + 1);
            switch (key) {
                case "src" -> {
                    if (tuples[0][0] != null) {
                        which = 1;
                    }
                    tuples[which][0] = value;
                }
                case "dst" -> tuples[which][1] = value;
                case "sport" -> tuples[which][2] = value;
                case "dport" -> tuples[which][3] = value;
                case "id" -> {
                    tuples[which][2] = value;
                    tuples[which][3] = value;
                }
                case "mark" -> mark = Long.decode(value);
                default -> {
                    // type, code, zone, use, packets, bytes, ...
                }
            }
        }
        Tuple original = tuple(protocol, tuples[0]);
        Tuple reply = tuple(protocol, tuples[1]);
        if (original == null || reply == null) {
            return false;
        }
        if (time < 0) {
            time = readTime();
        }
        sink.accept(new ConntrackEvent(time, type == null ? "LIST" : type.toUpperCase(Locale.ROOT), state,
                original, reply, unreplied, assured, mark));
        return true;
    }

    private static Tuple tuple(int protocol, String[] t) {
        String src = Addresses.canonical(t[0]);
        String dst = Addresses.canonical(t[1]);
        if (src == null || dst == null) {
            return null;
        }
        return new Tuple(protocol, src, t[2] == null ? -1 : Integer.parseInt(t[2]), dst,
                t[3] == null ? -1 : Integer.parseInt(t[3]));
    }

    private static long seconds(String text) {
        int dot = text.indexOf('.');
        long secs = Long.parseLong(dot < 0 ? text : text.substring(0, dot));
        long nanos = dot < 0 ? 0 : Long.parseLong((text.substring(dot + 1) + "000000000").substring(0, 9));
        return secs * 1_000_000_000L + nanos;
    }

    private static boolean isProtocolName(String w) {
        return !w.isEmpty() && Character.isLetter(w.charAt(0)) && w.indexOf('=') < 0;
    }

    private static boolean isNumber(String w) {
        if (w.isEmpty()) {
            return false;
        }
        for (int i = 0; i < w.length(); i++) {
            if (!Character.isDigit(w.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
