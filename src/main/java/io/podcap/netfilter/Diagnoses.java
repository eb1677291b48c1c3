package io.podcap.netfilter;

import io.podcap.decode.IpProtocol;
import io.podcap.decode.TcpFlags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names what is wrong with the connections of a correlation. Packets are grouped into connections by their original
 * tuple (conntrack's, else the one before NAT in the trace), both directions together.
 */
final class Diagnoses {
    private final Set<String> serviceAddresses;
    private final Set<String> nodeAddresses;
    private final long masqueradeMark;
    private final ConntrackTable conntrack;
    private final Map<Tuple, Tuple> aliases = new HashMap<>();

    Diagnoses(Set<String> serviceAddresses, Set<String> nodeAddresses, long masqueradeMark,
              ConntrackTable conntrack) {
        this.serviceAddresses = serviceAddresses;
        this.nodeAddresses = nodeAddresses;
        this.masqueradeMark = masqueradeMark;
        this.conntrack = conntrack;
    }

    List<Finding> diagnose(List<TracedPacket> packets) {
        for (TracedPacket p : packets) {
            if (p.nat() != null) {
                for (Tuple t : List.of(p.nat().before(), p.nat().after())) {
                    aliases.putIfAbsent(t, p.nat().before());
                    aliases.putIfAbsent(t.reversed(), p.nat().before());
                }
            }
        }
        Map<Tuple, List<TracedPacket>> connections = new LinkedHashMap<>();
        for (TracedPacket p : packets) {
            Tuple key = connection(p);
            if (!connections.containsKey(key) && connections.containsKey(key.reversed())) {
                key = key.reversed(); // a reply of a connection seen first from the other side
            }
            connections.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
        }
        List<Finding> findings = new ArrayList<>();
        connections.forEach((key, list) -> {
            Connection c = new Connection(key, list);
            sourceIsServiceIp(c, findings);
            unansweredSyn(c, findings);
            masqueradeMarkNotMasqueraded(c, findings);
            droppedByRule(c, findings);
        });
        return findings;
    }

    /** One connection's packets and what they show of its NAT. */
    private final class Connection {
        final Tuple key;
        final List<TracedPacket> packets;
        final ConntrackEvent entry;
        final boolean dnat;
        final boolean snat;

        Connection(Tuple key, List<TracedPacket> packets) {
            this.key = key;
            this.packets = packets;
            entry = conntrack.byOriginal(key);
            boolean d = entry != null && entry.isDnat();
            boolean s = entry != null && entry.isSnat();
            for (TracedPacket p : packets) {
                d |= p.nat() != null && p.nat().dnat();
                s |= p.nat() != null && p.nat().snat();
                for (TraceHop h : p.hops()) {
                    s |= isSourceNat(h);
                }
            }
            dnat = d;
            snat = s;
        }
    }

    private Tuple connection(TracedPacket p) {
        Tuple t = p.tuple();
        ConntrackEvent ct = conntrack.any(t);
        if (ct != null) {
            return ct.original();
        }
        Tuple alias = aliases.get(t);
        return alias != null ? alias : t;
    }

    private void sourceIsServiceIp(Connection c, List<Finding> findings) {
        Set<String> vips = new LinkedHashSet<>(serviceAddresses);
        if (c.dnat) {
            vips.add(c.key.dst());
        }
        if (c.snat) {
            return;
        }
        for (TracedPacket p : c.packets) {
            boolean leaving = p.captured() ? !"in".equals(p.direction()) : true;
            if (leaving && vips.contains(p.tuple().src()) && !vips.contains(p.tuple().dst())) {
                List<String> evidence = new ArrayList<>();
                evidence.add(describe(p));
                String vip = p.tuple().src();
                evidence.add(vip + (serviceAddresses.contains(vip) ? " is a service address (kube-ipvs0)"
                        : " is the connection's destination before DNAT (" + c.key + ")"));
                dnatHops(c).forEach(evidence::add);
                if (c.entry != null) {
                    evidence.add("conntrack " + conntrackText(c.entry));
                }
                evidence.add("no SNAT or MASQUERADE hop");
                findings.add(new Finding("source-is-service-ip", c.key, evidence,
                        "the packet leaves with the service IP as its source, which the backend cannot answer: "
                                + "kube-proxy's masquerade rule is missing (e.g. started without --cluster-cidr)"));
                return;
            }
        }
    }

    private void unansweredSyn(Connection c, List<Finding> findings) {
        Map<Long, List<TracedPacket>> synsBySeq = new LinkedHashMap<>();
        for (TracedPacket p : c.packets) {
            if (!p.captured() || p.tuple().protocol() != IpProtocol.TCP) {
                continue;
            }
            if ((p.tcpFlags() & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK)) {
                return; // answered
            }
            if ((p.tcpFlags() & TcpFlags.SYN) != 0) {
                synsBySeq.computeIfAbsent(p.seq(), k -> new ArrayList<>()).add(p);
            }
        }
        for (List<TracedPacket> syns : synsBySeq.values()) {
            // one SYN captured on two interfaces (a bridge and a veth) has one IP id: that is no retransmission
            long sent = syns.stream().map(p -> p.ipId() >= 0 ? p.ipId() : p.timeNanos() / 200_000_000L)
                    .distinct().count();
            if (sent >= 2) {
                TracedPacket last = syns.get(syns.size() - 1);
                List<String> evidence = new ArrayList<>();
                evidence.add(sent + " SYNs with seq " + last.seq() + " (retransmitted), last: " + describe(last));
                if (c.dnat) {
                    evidence.add("to backend " + Tuple.endpoint(last.tuple().dst(), last.tuple().dstPort())
                            + " after DNAT from " + Tuple.endpoint(c.key.dst(), c.key.dstPort()));
                }
                evidence.add("no SYN-ACK captured");
                findings.add(new Finding("unanswered-syn", c.key, evidence,
                        "the server never answered or its answer did not come back: check it listens, and its route "
                                + "back to " + last.tuple().src()));
                return;
            }
        }
    }

    private void masqueradeMarkNotMasqueraded(Connection c, List<Finding> findings) {
        if (c.snat || masqueradeMark <= 0) {
            return;
        }
        String evidence = null;
        if (c.entry != null && c.entry.mark() > 0 && (c.entry.mark() & masqueradeMark) == masqueradeMark) {
            evidence = "conntrack mark " + hex(c.entry.mark()) + ": " + conntrackText(c.entry);
        }
        for (TracedPacket p : c.packets) {
            for (long m : p.marks()) {
                if (evidence == null && m > 0 && (m & masqueradeMark) == masqueradeMark) {
                    evidence = "mark " + hex(m) + " on " + describe(p);
                }
            }
            for (TraceHop h : p.hops()) {
                if (evidence == null && h.ruleText() != null && setsMark(h.ruleText())) {
                    evidence = h.label() + ": " + h.ruleText();
                }
            }
        }
        if (evidence != null) {
            findings.add(new Finding("masq-mark-not-masqueraded", c.key, List.of(evidence,
                    "no MASQUERADE or SNAT hop and no source translation"),
                    "packets marked " + hex(masqueradeMark) + " for masquerade were not masqueraded: KUBE-POSTROUTING's "
                            + "MASQUERADE rule is missing or nat POSTROUTING does not jump to it"));
        }
    }

    private boolean setsMark(String rule) {
        String mark = hex(masqueradeMark);
        return rule.contains("--or-mark " + mark) || rule.contains("--set-xmark " + mark + "/" + mark)
                || rule.contains("-A KUBE-MARK-MASQ") || rule.contains("meta mark set mark or " + mark);
    }

    private void droppedByRule(Connection c, List<Finding> findings) {
        Set<String> seen = new LinkedHashSet<>();
        boolean probe = false;
        String probeWhy = null;
        for (TracedPacket p : c.packets) {
            if (p.kubeProbe()) {
                probe = true;
                probeWhy = "HTTP request with User-Agent: kube-probe/";
            }
        }
        if (!probe && c.key.protocol() == IpProtocol.TCP && nodeAddresses.contains(c.key.src())) {
            probe = true;
            probeWhy = "TCP from the node's address " + c.key.src() + " to the pod";
        }
        for (TracedPacket p : c.packets) {
            TraceHop last = p.lastHop();
            if (last == null || !last.isDrop()) {
                continue;
            }
            String rule = last.label() + (last.ruleText() == null ? "" : ": " + last.ruleText());
            if (!seen.add(rule)) {
                continue;
            }
            List<String> evidence = List.of(describe(p), "last hop " + rule);
            findings.add(new Finding("dropped-by-rule", c.key, evidence,
                    "a firewall rule drops this traffic; remove or narrow it: " + rule));
            if (probe) {
                List<String> probeEvidence = new ArrayList<>(evidence);
                probeEvidence.add("a kubelet probe: " + probeWhy);
                findings.add(new Finding("probe-blocked", c.key, probeEvidence,
                        "the kubelet's probe is dropped inside the pod's namespace, so the pod fails its probe: allow "
                                + "the node to reach the probe port"));
            }
        }
    }

    private static List<String> dnatHops(Connection c) {
        List<String> out = new ArrayList<>();
        for (TracedPacket p : c.packets) {
            for (TraceHop h : p.hops()) {
                String text = h.ruleText();
                if (text != null && (text.contains("DNAT") || text.contains("dnat to")) && out.size() < 2) {
                    String line = "DNAT hop " + h.label() + ": " + text;
                    if (!out.contains(line)) {
                        out.add(line);
                    }
                }
            }
        }
        return out;
    }

    private static boolean isSourceNat(TraceHop h) {
        String t = h.ruleText();
        return t != null && (t.contains("-j MASQUERADE") || t.contains("-j SNAT") || t.contains(" masquerade")
                || t.contains("snat to"));
    }

    static String describe(TracedPacket p) {
        return p.summary() + (p.captured() ? " captured" + (p.direction() == null ? "" : " " + p.direction())
                + (p.iface() == null ? "" : " on " + p.iface()) : " (traced, not captured)")
                + (p.ipId() >= 0 ? ", ip id " + p.ipId() : "");
    }

    static String conntrackText(ConntrackEvent e) {
        return e.type() + (e.state() == null ? "" : " " + e.state()) + " original " + e.original() + ", reply "
                + e.reply() + (e.isDnat() ? " (DNAT" + (e.isSnat() ? "+SNAT)" : ", no SNAT)") : e.isSnat() ? " (SNAT)"
                : "");
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
