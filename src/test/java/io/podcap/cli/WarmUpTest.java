package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.decode.IpProtocol;
import io.podcap.flow.FlowEnd;
import io.podcap.flow.FlowListener;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowState;
import io.podcap.flow.FlowTable;
import io.podcap.flow.FlowTableStats;
import io.podcap.probe.ProbeDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The warm-up's traffic walks the paths a node's takes through flows and probes, or it warms up the wrong code. */
class WarmUpTest {
    @Test
    void itsTrafficEndsFlowsEveryWayAndHoldsProbes() {
        FlowTable table = FlowTable.builder().build();
        ProbeDetector detector = ProbeDetector.builder().build(table);
        List<FlowRecord> ended = new ArrayList<>();
        table.addListener(new FlowListener() {
            @Override
            public void onFlowEnd(int slot, FlowRecord r) {
                ended.add(r);
            }
        });
        WarmUp.run(new BatchLock(table.batched(), new ReentrantLock()), 300);
        FlowTableStats stats = table.stats();
        table.endAll(); // the UDP and ICMP flows too, which time out only after a minute

        assertTrue(stats.packets() > 10_000, stats::toString);
        assertEquals(0, stats.unattributed(), stats::toString);
        assertEquals(0, stats.partial(), stats::toString);
        assertTrue(stats.expired() > 0, stats::toString);
        assertTrue(detector.stats().probes() > 0, detector.stats()::toString);
        Set<Integer> protocols = ended.stream().map(FlowRecord::protocol).collect(Collectors.toSet());
        assertEquals(Set.of(IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMP), protocols);
        assertTrue(ended.stream().anyMatch(r -> r.ipVersion() == 6), "some flows over IPv6");
        Set<FlowEnd> ends = ended.stream().map(FlowRecord::end).collect(Collectors.toSet());
        assertTrue(ends.containsAll(Set.of(FlowEnd.CLOSED, FlowEnd.RESET, FlowEnd.REUSED)), ends::toString);
        List<FlowRecord> reused = ended.stream().filter(r -> r.end() == FlowEnd.REUSED).toList();
        assertTrue(reused.stream()
                        .anyMatch(r -> r.state() == FlowState.ESTABLISHED && r.server().startsWith("10.0.0.")),
                "a new SYN on an open connection whose server's address is below its client's");
        assertTrue(reused.stream().anyMatch(r -> r.state() == FlowState.CLOSING), "and on a closing one");
        List<FlowRecord> connections = ended.stream()
                .filter(r -> r.end() == FlowEnd.CLOSED || r.end() == FlowEnd.RESET).toList();
        List<FlowRecord> noHandshake = connections.stream().filter(r -> r.handshakeRttNanos() <= 0).toList();
        assertFalse(noHandshake.isEmpty(), "connections seen from their request on");
        assertEquals(List.of(), noHandshake.stream()
                        .filter(r -> r.httpRequest() == null || !r.httpRequest().startsWith("POST ")).limit(3).toList(),
                "only those (their kind sends POSTs) lack a handshake");
        assertTrue(connections.stream().anyMatch(r -> r.httpRequest() == null), "not all of them HTTP");
        assertTrue(connections.stream().anyMatch(r -> r.synRetransmits() > 0), "retransmitted SYNs");
        assertTrue(connections.stream().anyMatch(r -> r.retransmits() > 0), "retransmitted SYN-ACKs");
        assertTrue(connections.stream().anyMatch(r -> r.retransmits() == 0 && r.synRetransmits() == 0), "clean ones");
        assertTrue(connections.stream().anyMatch(r -> r.retransmits() > 0 && r.synRetransmits() > 0),
                "a SYN again after the SYN-ACK");
        assertTrue(connections.stream().collect(Collectors.groupingBy(r -> r.client() + " " + r.server(),
                Collectors.counting())).values().stream().anyMatch(n -> n > 1), "ports used again after a close");
        assertTrue(connections.stream().anyMatch(r -> r.httpRequest() != null && r.httpRequest().startsWith("POST ")),
                "POSTs");
        assertTrue(connections.stream().anyMatch(r -> r.server().startsWith("10.0.0.")), "servers below clients");
        assertTrue(ended.stream().map(FlowRecord::netns).distinct().count() > 2, "new sources");
    }

    /** The AOT cache's training run ends flows by packet time too, or {@code flows --read} compiles that as a trap. */
    @Test
    void aTrainingRunsTrafficOutlastsTheClosedTimeout() {
        FlowTable table = FlowTable.builder().build();
        WarmUp.feed(table.batched(), TrainCommand.BATCHES);
        assertTrue(table.stats().expired() > 0, table.stats()::toString);
    }
}
