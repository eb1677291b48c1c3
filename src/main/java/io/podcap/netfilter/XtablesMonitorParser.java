package io.podcap.netfilter;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Output of {@code xtables-monitor --trace} (iptables-nft): a {@code PACKET: FAMILY ID fields} line gives the packet
 * as it enters a table, then {@code TRACE: FAMILY ID table:chain:type[:handle]:verdict  rule} lines give the hops,
 * joined by the id. The tool prints no times; live, each hop is stamped with the clock when its line is read.
 */
public final class XtablesMonitorParser extends JoinedTraceParser {
    /** Offline: hops carry no time. */
    public XtablesMonitorParser() {
        this(null);
    }

    /** @param clock epoch nanoseconds for each line as it is read (live), or null */
    public XtablesMonitorParser(LongSupplier clock) {
        super(clock);
    }

    @Override
    protected boolean parseLine(String line, Consumer<NetfilterEvent> sink) {
        String s = line.strip();
        boolean packet = s.startsWith("PACKET: ");
        if (!packet && !s.startsWith("TRACE: ")) {
            return false;
        }
        String[] head = s.split(" +", 4); // PACKET:|TRACE:, family, id, rest
        if (head.length < 4) {
            return false;
        }
        String family = "10".equals(head[1]) ? "ip6" : "ip";
        String id = head[2];
        if (packet) {
            PacketFields fields = LogFields.parse(head[3], 0);
            if (fields == null) {
                return false;
            }
            packets.put(id, fields);
            return true;
        }
        String rest = head[3];
        int space = rest.indexOf(' ');
        String where = space < 0 ? rest : rest.substring(0, space);
        String ruleText = space < 0 ? null : rest.substring(space).strip();
        String[] p = where.split(":");
        if (p.length < 4) {
            return false;
        }
        String handle = null;
        String verdict;
        if (p.length >= 5) {
            handle = p[3];
            verdict = p.length > 5 ? p[4] + ":" + p[5] : p[4];
        } else {
            verdict = p[3];
        }
        long time = readTime();
        sink.accept(new TraceHop(NetfilterEvent.Source.XTABLES_MONITOR, time, id, family, p[0], p[1], p[2],
                handle, verdict.toUpperCase(Locale.ROOT), ruleText == null || ruleText.isEmpty()
                ? null : ruleText, packets.get(id)));
        return true;
    }
}
