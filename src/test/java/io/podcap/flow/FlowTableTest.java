package io.podcap.flow;

import static io.podcap.flow.Frames.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flow table on hand-built packets: TCP analysis, client rule, timeouts, eviction, listeners, bad input. */
class FlowTableTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final List<FlowRecord> ended = new ArrayList<>();
    private long bytesFed;

    private FlowTable table() {
        return FlowTable.builder().onFlowEnd(ended::add).build();
    }

    private void feed(FlowTable t, byte[] frame, long ts) {
        bytesFed += frame.length;
        t.onPacket(view(frame, ts));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void handshakeRequestResponseAndCloseMakeOneClosedRecord() {
        FlowTable t = table();
        Frames.Tcp c = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 8080);
        feed(t, c.syn(), T0);
        feed(t, c.synAck(), T0 + MS);
        feed(t, c.ack(), T0 + 3 * MS);
        feed(t, c.data(true, ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), T0 + 4 * MS);
        feed(t, c.data(false, ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")), T0 + 5 * MS);
        feed(t, c.fin(true), T0 + 6 * MS);
        feed(t, c.fin(false), T0 + 7 * MS);
        feed(t, c.window(true, 500), T0 + 8 * MS);
        assertTrue(ended.isEmpty(), "a closed flow lingers for late packets");
        assertEquals(1, t.size());
        assertEquals(FlowState.CLOSED, t.snapshot().get(0).state());

        t.expire(T0 + 8 * MS + 2 * S + 1);
        assertEquals(1, ended.size());
        FlowRecord r = ended.get(0);
        assertEquals(6, r.protocol());
        assertEquals("10.0.0.1:40000", r.client());
        assertEquals("10.0.0.2:8080", r.server());
        assertEquals(T0, r.firstTimestampNanos());
        assertEquals(T0 + 8 * MS, r.lastTimestampNanos());
        assertEquals(5, r.c2sPackets());
        assertEquals(3, r.s2cPackets());
        assertEquals(bytesFed, r.c2sBytes() + r.s2cBytes());
        assertEquals(5 * 54 + ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").length, r.c2sBytes());
        assertEquals(FlowState.CLOSED, r.state());
        assertEquals(FlowEnd.CLOSED, r.end());
        assertEquals(3 * MS, r.handshakeRttNanos());
        assertEquals(0, r.synRetransmits());
        assertEquals(0, r.retransmits());
        assertNull(r.rstFrom());
        assertEquals(Side.BOTH, r.finFrom());
        assertEquals(0, r.zeroWindow());
        assertEquals("eth0", r.iface());
        assertEquals("netns:test", r.netns());
        assertEquals("GET /healthz HTTP/1.1", r.httpRequest());
        assertEquals(List.of(), r.problems());
        assertEquals(0, t.size());
        assertEquals(new FlowTableStats(8, 0, 0, 1, 0, 1, 0), t.stats());
    }

    @Test
    void resetBySeverAndByClient() {
        FlowTable t = table();
        Frames.Tcp refused = new Frames.Tcp("10.0.0.1", 40001, "10.0.0.2", 9);
        feed(t, refused.syn(), T0);
        feed(t, refused.rst(false), T0 + MS);
        Frames.Tcp aborted = new Frames.Tcp("10.0.0.1", 40002, "10.0.0.2", 80);
        feed(t, aborted.syn(), T0 + 2 * MS);
        feed(t, aborted.synAck(), T0 + 3 * MS);
        feed(t, aborted.ack(), T0 + 4 * MS);
        feed(t, aborted.rst(true), T0 + 5 * MS);
        feed(t, aborted.data(false, ascii("late")), T0 + 6 * MS); // counted, state stays reset
        t.expire(T0 + 10 * S);
        assertEquals(2, ended.size());
        FlowRecord r1 = ended.get(0);
        assertEquals(FlowState.RESET, r1.state());
        assertEquals(FlowEnd.RESET, r1.end());
        assertEquals(Side.SERVER, r1.rstFrom());
        assertEquals(List.of(FlowProblem.RESET_BY_SERVER), r1.problems());
        assertEquals(-1, r1.handshakeRttNanos());
        FlowRecord r2 = ended.get(1);
        assertEquals(Side.CLIENT, r2.rstFrom());
        assertEquals(FlowState.RESET, r2.state());
        assertEquals(List.of(FlowProblem.RESET_BY_CLIENT), r2.problems());
        assertEquals(2, r2.s2cPackets());
        assertEquals(3, r2.c2sPackets());
    }

    @Test
    void unansweredSynIsRetransmittedThenTimesOut() {
        FlowTable t = table();
        Frames.Tcp c = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.99", 443);
        feed(t, c.syn(), T0);
        feed(t, c.syn(), T0 + S);
        feed(t, c.syn(), T0 + 3 * S);
        assertEquals(List.of(FlowProblem.UNANSWERED_SYN), t.snapshot().get(0).problems(), "already while live");
        t.expire(T0 + 3 * S + 30 * S);
        assertTrue(ended.isEmpty(), "the timeout is exclusive");
        t.expire(T0 + 3 * S + 30 * S + 1);
        FlowRecord r = ended.get(0);
        assertEquals(FlowState.SYN_SENT, r.state());
        assertEquals(FlowEnd.TIMEOUT, r.end());
        assertEquals(2, r.synRetransmits());
        assertEquals(3, r.c2sPackets());
        assertEquals(0, r.s2cPackets());
        assertEquals(List.of(FlowProblem.UNANSWERED_SYN), r.problems());
    }

    @Test
    void retransmissionsKeepAlivesAndZeroWindows() {
        FlowTable t = table();
        Frames.Tcp c = new Frames.Tcp("fd00::1", 40000, "fd00::2", 8080);
        feed(t, c.syn(), T0);
        feed(t, c.synAck(), T0 + MS);
        feed(t, c.ack(), T0 + 2 * MS);
        byte[] first = c.data(true, new byte[100]);
        feed(t, first, T0 + 3 * MS);
        feed(t, first, T0 + 200 * MS); // the same segment again
        feed(t, c.data(true, new byte[100]), T0 + 201 * MS);
        feed(t, c.c(c.clientSeq - 1, c.serverSeq, 0x10, new byte[1]), T0 + 300 * MS); // keep-alive probe
        feed(t, c.window(false, 0), T0 + 301 * MS);
        feed(t, c.window(false, 0), T0 + 302 * MS);
        feed(t, c.window(false, 65535), T0 + 303 * MS);
        t.endAll();
        FlowRecord r = ended.get(0);
        assertEquals("[fd00::1]:40000", r.client());
        assertEquals("[fd00::2]:8080", r.server());
        assertEquals(6, r.ipVersion());
        assertEquals(1, r.retransmits());
        assertEquals(2, r.zeroWindow());
        assertEquals(FlowState.ESTABLISHED, r.state());
        assertEquals(FlowEnd.OPEN, r.end());
        assertEquals(List.of(FlowProblem.RETRANSMISSIONS), r.problems());
        assertNull(r.httpRequest(), "zero bytes are no request");
    }

    @Test
    void clientRuleWithoutSyn() {
        FlowTable t = table();
        feed(t, Frames.udp("10.0.0.53", 53, "10.0.0.1", 40000, new byte[20]), T0); // answer seen first
        feed(t, Frames.udp("10.0.0.1", 5000, "10.0.0.2", 6000, new byte[20]), T0 + 1); // neither rule: first sender
        feed(t, Frames.udp("10.0.0.2", 6000, "10.0.0.1", 5000, new byte[20]), T0 + 2);
        Frames.Tcp mid = new Frames.Tcp("10.0.0.7", 51000, "10.0.0.8", 8080);
        feed(t, mid.data(false, new byte[10]), T0 + 3); // server data first, mid-stream
        feed(t, Frames.echo("10.0.0.9", "10.0.0.1", false, 7, 1), T0 + 4); // echo reply first
        feed(t, Frames.echo("10.0.0.1", "10.0.0.9", true, 7, 2), T0 + 5);
        feed(t, Frames.echo("10.0.0.1", "10.0.0.9", true, 8, 1), T0 + 6); // another identifier, another flow
        t.endAll();
        assertEquals(5, ended.size());
        FlowRecord dns = find("10.0.0.53");
        assertEquals("10.0.0.1:40000", dns.client());
        assertEquals("10.0.0.53:53", dns.server());
        assertEquals(0, dns.c2sPackets());
        assertEquals(1, dns.s2cPackets());
        assertEquals(FlowState.ACTIVE, dns.state());
        FlowRecord udp = find("10.0.0.2");
        assertEquals("10.0.0.1:5000", udp.client());
        assertEquals(1, udp.c2sPackets());
        assertEquals(1, udp.s2cPackets());
        FlowRecord tcp = find("10.0.0.8");
        assertEquals("10.0.0.7:51000", tcp.client());
        assertEquals(FlowState.ESTABLISHED, tcp.state());
        List<FlowRecord> pings = ended.stream().filter(r -> r.protocol() == 1).toList();
        assertEquals(2, pings.size());
        assertTrue(pings.stream().allMatch(p -> p.client().equals("10.0.0.1") && p.server().equals("10.0.0.9")),
                pings::toString);
        assertEquals(3, pings.stream().mapToLong(p -> p.c2sPackets() + p.s2cPackets()).sum());
    }

    private FlowRecord find(String server) {
        return ended.stream().filter(r -> r.serverAddress().equals(server)).findFirst().orElseThrow();
    }

    @Test
    void fullTableEvictsTheFlowIdleTheLongest() {
        FlowTable t = FlowTable.builder().capacity(3).onFlowEnd(ended::add).build();
        for (int i = 0; i < 3; i++) {
            feed(t, Frames.udp("10.0.0.1", 40000 + i, "10.0.0.2", 53, new byte[8]), T0 + i);
        }
        feed(t, Frames.udp("10.0.0.2", 53, "10.0.0.1", 40000, new byte[8]), T0 + 10); // 40001 is now the oldest
        feed(t, Frames.udp("10.0.0.1", 40003, "10.0.0.2", 53, new byte[8]), T0 + 11);
        assertEquals(1, ended.size());
        assertEquals(FlowEnd.EVICTED, ended.get(0).end());
        assertEquals(40001, ended.get(0).clientPort());
        assertEquals(3, t.size());
        assertEquals(1, t.stats().evicted());
        for (int i = 0; i < 1000; i++) {
            feed(t, Frames.udp("10.0.1.1", 1024 + i, "10.0.0.2", 53, new byte[8]), T0 + 20 + i);
        }
        assertEquals(3, t.size(), "never more than the capacity");
        assertEquals(1001, t.stats().evicted());
        assertEquals(1004, t.stats().flows());
    }

    @Test
    void idleTimeoutsDependOnTheState() {
        FlowTable t = FlowTable.builder().udpTimeout(Duration.ofSeconds(5)).tcpEstablishedTimeout(Duration.ofSeconds(100))
                .tcpOpeningTimeout(Duration.ofSeconds(10)).onFlowEnd(ended::add).build();
        feed(t, Frames.udp("10.0.0.1", 40000, "10.0.0.2", 53, new byte[8]), T0);
        Frames.Tcp open = new Frames.Tcp("10.0.0.1", 40001, "10.0.0.2", 80);
        feed(t, open.syn(), T0);
        feed(t, open.synAck(), T0);
        feed(t, open.ack(), T0);
        feed(t, new Frames.Tcp("10.0.0.1", 40002, "10.0.0.3", 80).syn(), T0);
        feed(t, Frames.echo("10.0.0.1", "10.0.0.2", true, 1, 1), T0 + 6 * S); // advances the clock
        assertEquals(List.of(53), ended.stream().map(FlowRecord::serverPort).toList());
        t.expire(T0 + 11 * S);
        assertEquals(2, ended.size());
        assertEquals(FlowState.SYN_SENT, ended.get(1).state());
        assertEquals(List.of(FlowProblem.UNANSWERED_SYN), ended.get(1).problems());
        t.expire(T0 + 101 * S);
        assertEquals(4, ended.size()); // the established flow and the ping (30 s)
        assertEquals(FlowEnd.TIMEOUT, ended.get(2).end());
        assertEquals(FlowState.ESTABLISHED, ended.get(2).state());
        assertEquals(FlowState.ACTIVE, ended.get(3).state());
        assertEquals(0, t.size());
    }

    @Test
    void aFlowThatClosesEndsOnTimeWhileAnotherKeepsTheClockGoing() {
        FlowTable t = table(); // established 5 min, closed 2 s
        Frames.Tcp busy = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
        Frames.Tcp closing = new Frames.Tcp("10.0.0.1", 40001, "10.0.0.2", 80);
        for (Frames.Tcp c : List.of(busy, closing)) {
            feed(t, c.syn(), T0);
            feed(t, c.synAck(), T0);
            feed(t, c.ack(), T0);
        }
        feed(t, closing.fin(true), T0 + S);
        feed(t, closing.fin(false), T0 + S); // closed: from the 5 min class into the 2 s one
        feed(t, busy.ack(), T0 + 2 * S);
        feed(t, busy.ack(), T0 + 3 * S);
        assertEquals(0, ended.size(), "quiet for exactly the closed timeout");
        feed(t, busy.ack(), T0 + 3 * S + 1);
        assertEquals(List.of(40001), ended.stream().map(FlowRecord::clientPort).toList());
        assertEquals(FlowEnd.CLOSED, ended.get(0).end());
    }

    @Test
    void halfOpenWhenOnlyOneSideClosedOrTheHandshakeStalled() {
        FlowTable t = table();
        Frames.Tcp oneFin = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
        feed(t, oneFin.syn(), T0);
        feed(t, oneFin.synAck(), T0);
        feed(t, oneFin.ack(), T0);
        feed(t, oneFin.fin(true), T0);
        Frames.Tcp stalled = new Frames.Tcp("10.0.0.1", 40001, "10.0.0.2", 80);
        feed(t, stalled.syn(), T0);
        feed(t, stalled.synAck(), T0);
        t.expire(T0 + 400 * S);
        assertEquals(2, ended.size());
        for (FlowRecord r : ended) {
            assertEquals(List.of(FlowProblem.HALF_OPEN), r.problems(), r::toString);
            assertEquals(FlowEnd.TIMEOUT, r.end());
        }
        assertEquals(Side.CLIENT, ended.get(1).finFrom());
        assertEquals(FlowState.CLOSING, ended.get(1).state());
        assertEquals(FlowState.SYN_RECEIVED, ended.get(0).state());
    }

    @Test
    void aNewSynOnAClosedFlowStartsANewFlow() {
        FlowTable t = table();
        Frames.Tcp c = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
        feed(t, c.syn(), T0);
        feed(t, c.rst(false), T0 + MS);
        feed(t, c.syn(), T0 + 2 * MS); // the client tries again at once, same port
        assertEquals(1, ended.size());
        assertEquals(FlowEnd.RESET, ended.get(0).end());
        assertEquals(2, ended.get(0).c2sPackets() + ended.get(0).s2cPackets());
        Frames.Tcp other = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
        other.clientSeq = 777;
        feed(t, other.synAck(), T0 + 3 * MS);
        feed(t, other.ack(), T0 + 4 * MS);
        feed(t, other.syn(), T0 + 5 * MS); // established, then a SYN with another ISN: the tuple was reused
        assertEquals(2, ended.size());
        assertEquals(FlowEnd.REUSED, ended.get(1).end());
        assertEquals(1, t.size());
        assertEquals(3, t.stats().flows());
    }

    @Test
    void listenersSeeSlotsDirectionsAndSetFlags() {
        List<String> calls = new ArrayList<>();
        FlowTable t = table();
        t.addListener(new FlowListener() {
            @Override
            public void onFlowStart(int slot) {
                calls.add("start " + slot);
            }

            @Override
            public void onPacket(int slot, boolean fromClient, io.podcap.decode.PacketDecoder d,
                                 io.podcap.capture.PacketView v) {
                calls.add(slot + (fromClient ? " c2s " : " s2c ") + d.srcPort() + " " + t.serverPort(slot));
                if (d.payloadLength() > 0) {
                    t.orFlags(slot, 4);
                }
            }

            @Override
            public void onFlowEnd(int slot, FlowRecord r) {
                calls.add("end " + slot + " flags " + r.flags() + " " + t.flags(slot));
            }
        });
        Frames.Tcp c = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
        feed(t, c.syn(), T0);
        feed(t, c.synAck(), T0);
        feed(t, Frames.udp("10.0.0.1", 40000, "10.0.0.2", 80, new byte[3]), T0);
        t.endAll();
        assertEquals(List.of("start 0", "0 c2s 40000 80", "0 s2c 80 80", "start 1", "1 c2s 40000 80",
                "end 0 flags 0 0", "end 1 flags 4 4"), calls);
    }

    @Test
    void outOfOrderDuplicateTruncatedAndMalformedPacketsDoNotBreakTheTable() {
        FlowTable t = table();
        Frames.Tcp c = new Frames.Tcp("10.0.0.1", 40000, "10.0.0.2", 80);
        byte[] syn = c.syn();
        byte[] synAck = c.synAck();
        byte[] ack = c.ack();
        byte[] d1 = c.data(true, new byte[100]);
        byte[] d2 = c.data(true, new byte[100]);
        feed(t, synAck, T0 + MS); // before the SYN: its receiver is the client
        feed(t, syn, T0);
        feed(t, syn, T0); // duplicate
        feed(t, ack, T0 + 2 * MS);
        feed(t, d2, T0 + 3 * MS); // reordered
        feed(t, d1, T0 + 3 * MS);
        t.onPacket(view(d1, 40, T0 + 4 * MS)); // cut inside the TCP header: not in a flow
        t.onPacket(view(d2, 58, T0 + 4 * MS)); // payload cut by the snap length: sequence numbers still count
        byte[] badOffset = d1.clone();
        badOffset[46] = 0x40; // TCP data offset 16 bytes: counted in the flow, left out of TCP analysis
        feed(t, badOffset, T0 + 5 * MS);
        assertEquals(1, t.size());
        FlowRecord r = t.snapshot().get(0);
        assertEquals("10.0.0.1:40000", r.client());
        assertEquals(7, r.c2sPackets());
        assertEquals(1, r.s2cPackets());
        assertEquals(1, r.synRetransmits(), "a duplicate SYN looks like a retransmitted one");
        // a segment arriving after a later one counts as retransmitted, and so does the cut copy of d2
        assertEquals(2, r.retransmits());
        assertEquals(FlowState.ESTABLISHED, r.state());
        assertEquals(2 * MS, r.handshakeRttNanos(), "from the SYN, though seen after the SYN-ACK");
        assertEquals(1, t.stats().unattributed());
        assertEquals(1, t.stats().partial());

        // random damage anywhere in many packets: never throws, every packet accounted once
        Random random = new Random(42);
        List<byte[]> samples = List.of(syn, synAck, ack, d1, Frames.udp("fd00::1", 1, "fd00::2", 2, new byte[30]),
                Frames.echo("10.0.0.1", "10.0.0.2", true, 1, 1));
        FlowTable fuzzed = FlowTable.builder().capacity(64).onFlowEnd(ended::add).build();
        ended.clear();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            byte[] f = samples.get(random.nextInt(samples.size())).clone();
            for (int k = random.nextInt(4); k > 0; k--) {
                f[random.nextInt(f.length)] = (byte) random.nextInt(256);
            }
            int caplen = random.nextInt(4) == 0 ? random.nextInt(f.length + 1) : f.length;
            fuzzed.onPacket(view(f, caplen, T0 + random.nextInt(1000) * MS));
        }
        fuzzed.endAll();
        long inFlows = ended.stream().mapToLong(x -> x.c2sPackets() + x.s2cPackets()).sum();
        assertEquals(n, inFlows + fuzzed.stats().unattributed());
        assertEquals(0, fuzzed.size());
        assertEquals(fuzzed.stats().flows(), ended.size());
    }

    @Test
    void builderRejectsNonsense() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FlowTable.builder().capacity(0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FlowTable.builder().udpTimeout(Duration.ZERO));
    }
}
