package io.podcap.netfilter;

import java.util.List;

/**
 * What a correlation found: the packets in capture order (and those only a trace saw, marked not captured), the
 * findings, and each stage's counters.
 *
 * @param capturedWithoutEvents captured packets no trace, log or conntrack event matched
 * @param eventsWithoutPacket   traced/logged packets that were not captured
 * @param packetsOverwritten    captured packets dropped because the packet table was full
 * @param eventsDropped         events dropped because the event table was full
 * @param packetsNotIp          captured packets that were not IP (not correlated)
 */
public record CorrelationReport(List<TracedPacket> packets, List<Finding> findings, long capturedWithoutEvents,
                                long eventsWithoutPacket, long packetsOverwritten, long eventsDropped,
                                long packetsNotIp) {
    public CorrelationReport {
        packets = List.copyOf(packets);
        findings = List.copyOf(findings);
    }

    public boolean has(String finding) {
        return findings.stream().anyMatch(f -> f.name().equals(finding));
    }
}
