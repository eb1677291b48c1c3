package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.podcap.flow.FlowEnd;
import io.podcap.flow.FlowProblem;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowState;
import io.podcap.flow.Side;
import io.podcap.probe.ProbeFlags;
import io.podcap.probe.SourceRole;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written JSON against what Jackson's generator writes for the same record, byte for byte. */
class FlowJsonTest {
    private static final JsonFactory JSON = new JsonFactory();

    /** The reference: the fields in their order, through a JSON generator. */
    private static String jackson(FlowRecord r, boolean snapshot) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("proto", FlowPrinter.proto(r.protocol()));
            g.writeStringField("client", r.client());
            g.writeStringField("server", r.server());
            g.writeStringField("first_ts", Instant.ofEpochSecond(0, r.firstTimestampNanos()).toString());
            g.writeStringField("last_ts", Instant.ofEpochSecond(0, r.lastTimestampNanos()).toString());
            g.writeNumberField("c2s_packets", r.c2sPackets());
            g.writeNumberField("c2s_bytes", r.c2sBytes());
            g.writeNumberField("s2c_packets", r.s2cPackets());
            g.writeNumberField("s2c_bytes", r.s2cBytes());
            g.writeStringField("state", r.state().label());
            g.writeStringField("end", r.end().label());
            if (r.handshakeRttNanos() >= 0) {
                g.writeNumberField("handshake_rtt_ms", r.handshakeRttNanos() / 1e6);
            } else {
                g.writeNullField("handshake_rtt_ms");
            }
            g.writeNumberField("syn_retransmits", r.synRetransmits());
            g.writeNumberField("retransmits", r.retransmits());
            g.writeStringField("rst_from", r.rstFrom() == null ? null : r.rstFrom().label());
            g.writeStringField("fin_from", r.finFrom() == null ? null : r.finFrom().label());
            g.writeNumberField("zero_window", r.zeroWindow());
            g.writeStringField("iface", r.iface());
            g.writeStringField("netns", r.netns());
            g.writeStringField("http_request", r.httpRequest());
            g.writeArrayFieldStart("problems");
            for (FlowProblem p : r.problems()) {
                g.writeString(p.label());
            }
            g.writeEndArray();
            SourceRole role = ProbeFlags.role(r.flags());
            g.writeStringField("source_role", role == null ? null : role.label());
            g.writeBooleanField("probe", ProbeFlags.isProbe(r.flags()));
            if (snapshot) {
                g.writeBooleanField("snapshot", true);
            }
            g.writeEndObject();
        }
        return w.toString();
    }

    private static String ours(FlowJson json, FlowRecord r, boolean snapshot) {
        LineBuffer b = new LineBuffer(16);
        json.append(b, r, snapshot);
        return b.toString(); // from its UTF-8 bytes
    }

    private static FlowRecord record(long first, long last, long rtt, String iface, String netns, String http,
                                     List<FlowProblem> problems, int flags, Side rst) {
        return new FlowRecord(6, 4, "10.0.0.1", 40000, "10.0.0.2", 80, first, last, 3, 200, 2, 150,
                FlowState.ESTABLISHED, FlowEnd.RESET, rtt, 1, 0, rst, null, 0, iface, netns, http, problems, flags);
    }

    @Test
    void sameTextAsAGeneratorForEdgeCases() throws IOException {
        FlowJson json = new FlowJson();
        long[] times = {0, 1, 999_999_999, 1_500_000_000L, 1_000_001_000L, 59_999_999_999L, 60_000_000_000L,
            -1, -1_000_000_000L, 1_764_733_621_123_456_789L, 4_294_967_295_000_000_000L, Long.MAX_VALUE};
        List<FlowRecord> records = new ArrayList<>();
        for (long t : times) {
            records.add(record(t, t + 7_000, 1_234_567, "eth0", "pod default/web", null, List.of(), 0, null));
        }
        records.add(record(0, 0, 50, "if\"\\\n\r\t\b\f\u0001\u001f", "netns:ü 中 \uD834\uDD1E", "GET /a?\"b\" HTTP/1.1",
                List.of(FlowProblem.RESET_BY_SERVER, FlowProblem.RETRANSMISSIONS), 0, Side.SERVER));
        records.add(new FlowRecord(1, 6, "fd00::1", -1, "fd00::2", -1, 5, 6, 1, 98, 0, 0, FlowState.ACTIVE,
                FlowEnd.TIMEOUT, -1, 0, 0, null, Side.BOTH, 2, "eth0", null, null, List.of(), 0));
        for (FlowRecord r : records) {
            assertEquals(jackson(r, false), ours(json, r, false));
            assertEquals(jackson(r, true), ours(json, r, true));
        }
        try (JsonParser parser = JSON.createParser(ours(json, records.get(records.size() - 2), false))) {
            while (parser.nextToken() != null) {
                // and it parses
            }
        }
    }

    @Test
    void sameTextAsAGeneratorForRandomRecords() throws IOException {
        Random random = new Random(42);
        FlowJson json = new FlowJson();
        long t = 1_764_733_621_000_000_000L;
        for (int i = 0; i < 20_000; i++) {
            t += random.nextInt(3) == 0 ? random.nextInt(1000) * 1_000_000L : random.nextInt(100_000_000);
            long rtt = random.nextInt(4) == 0 ? -1 : (long) (random.nextDouble() * Math.pow(10, random.nextInt(12)));
            FlowRecord r = record(t, t + random.nextInt(1_000_000_000), rtt, text(random), text(random),
                    random.nextBoolean() ? null : text(random), List.of(), random.nextInt(2 + 2 * SourceRole.values().length), null);
            assertEquals(jackson(r, false), ours(json, r, false));
        }
    }

    @Test
    void millisecondsAsDoubleToStringWritesThem() {
        Random random = new Random(7);
        LineBuffer b = new LineBuffer(64);
        for (long n = 0; n < 3_000_000; n++) {
            assertMillis(b, n);
        }
        for (int i = 0; i < 1_000_000; i++) {
            assertMillis(b, random.nextLong(Long.MAX_VALUE) >>> random.nextInt(63));
        }
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
            assertMillis(b, p);
            assertMillis(b, p - 1);
            assertMillis(b, p + 1);
            assertMillis(b, 9 * p);
        }
        assertMillis(b, Long.MAX_VALUE);
    }

    private static void assertMillis(LineBuffer b, long nanos) {
        FlowJson.millis(b.clear(), nanos);
        assertEquals(Double.toString(nanos / 1e6), b.toString(), () -> nanos + " ns");
    }

    private static String text(Random random) {
        String alphabet = "az09-_/ \"\\\n\t\u0000\u0007\u007fé中";
        StringBuilder b = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
