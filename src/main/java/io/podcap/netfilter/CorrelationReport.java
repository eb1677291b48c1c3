package io.podcap.netfilter;

import java.util.List;

/**
 * What a correlation found: the packets kept, in the order they were correlated (captured ones in capture order, those
 * only a trace saw marked not captured), the findings, and each stage's counters.
 *
 * @param capturedWithoutEvents captured packets no trace, log or conntrack event matched
 * @param eventsWithoutPacket   traced/logged packets that were not captured
 * @param packetsDropped        captured packets not correlated because the packet table was full
 * @param packetsForgotten      correlated packets left out of this report (and the diagnosis) beyond the cap
 * @param eventsDropped         events and open observations dropped beyond their caps
 * @param packetsNotIp          captured packets that were not IP (not correlated)
 */
public record CorrelationReport(List<TracedPacket> packets, List<Finding> findings, long capturedWithoutEvents,
                                long eventsWithoutPacket, long packetsDropped, long packetsForgotten, long eventsDropped,
                                long packetsNotIp) {
    public CorrelationReport {
        packets = List.copyOf(packets);
        findings = List.copyOf(findings);
    }

    public boolean has(String finding) {
        return findings.stream().anyMatch(f -> f.name().equals(finding));
    }
}
