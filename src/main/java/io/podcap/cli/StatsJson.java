package io.podcap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podcap.capture.CaptureGroup;
import io.podcap.capture.CaptureStats;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.time.Instant;

/**
 * {@code --json-stats S}: the capture's counters as one JSON line on stdout every S seconds and once at the end, for
 * a log pipeline (the DaemonSet's stdout). Counters are totals since the start over every namespace captured, ended
 * ones included; {@code namespaces} lists those capturing now (at the end: all of them); {@code interface_dropped} is null when unknown.
 */
final class StatsJson {
    private static final JsonFactory JSON = new JsonFactory();

    private final OutputStream out;
    private final String iface;
    private final PcapOutput file;
    private final long intervalNanos;
    private long next;

    /** {@code file}: the capture's output, or null. */
    StatsJson(OutputStream out, double seconds, String iface, PcapOutput file) {
        this.out = out;
        this.iface = iface;
        this.file = file;
        this.intervalNanos = (long) (seconds * 1e9);
        this.next = System.nanoTime() + intervalNanos;
    }

    /** Prints a line when the interval has passed. */
    void maybePrint(CaptureGroup capture) throws IOException {
        if (System.nanoTime() >= next) {
            next += intervalNanos;
            print(capture, false);
        }
    }

    void print(CaptureGroup capture, boolean last) throws IOException {
        CaptureStats s = capture.stats();
        StringWriter line = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("event", last ? "capture_end" : "capture_stats");
            g.writeStringField("iface", iface);
            g.writeArrayFieldStart("namespaces");
            for (CaptureGroup.Member m : capture.members()) {
                if (last || m.state() == CaptureGroup.State.RUNNING) {
                    g.writeString(m.description());
                }
            }
            g.writeEndArray();
            g.writeNumberField("received", s.received());
            g.writeNumberField("packets", s.delivered());
            g.writeNumberField("bytes", s.bytes());
            g.writeNumberField("kernel_dropped", s.kernelDropped());
            g.writeFieldName("interface_dropped");
            if (s.interfaceDropped() < 0) {
                g.writeNull();
            } else {
                g.writeNumber(s.interfaceDropped());
            }
            g.writeNumberField("ring_dropped", s.ringDropped());
            if (file != null) {
                g.writeStringField("file", file.writer().currentPath().toString()); // set by the reader thread: at worst a moment stale
            }
            g.writeEndObject();
        }
        line.append('\n');
        out.write(line.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
    }
}
