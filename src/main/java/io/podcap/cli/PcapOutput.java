package io.podcap.cli;

import io.podcap.capture.CaptureGroup;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;
import io.podcap.pcap.PcapngSink;
import io.podcap.pcap.PcapngWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A capture's pcapng output: rotation and keep ({@link PcapngWriter}), Interface Statistics Blocks with the capture's
 * counters at the end of every file (rotated ones too), the payload cap, and a flush at least once a second while
 * packets flow and whenever the capture goes idle, so that a killed process leaves a file complete up to its last
 * flushed block. Runs on the capture's reader thread, like any handler.
 */
final class PcapOutput implements PacketHandler, AutoCloseable {
    private static final long FLUSH_NANOS = 1_000_000_000L;

    private final PcapngWriter writer;
    private final PcapngSink sink;
    private final int payloadBytes;
    private final boolean toStdout;
    private boolean readerGone; // writing to stdout, whose reader went away: nothing more is written
    private final PacketDecoder decoder = new PacketDecoder();
    private volatile CaptureGroup counted;
    private long lastFlush = System.nanoTime();

    PcapOutput(String path, PcapOptions options, int snaplen, String filter) throws IOException {
        this.payloadBytes = options.payloadBytes;
        this.toStdout = "-".equals(path);
        this.writer = PcapngWriter.builder().path(Path.of(path)).rotateSizeBytes(options.rotateSize)
                .rotateSeconds(options.rotateSeconds).keep(options.keep).beforeFileClose(w -> writeStatistics())
                .open();
        this.sink = new PcapngSink(writer, snaplen, filter);
    }

    /** The capture whose members' counters are written as statistics blocks at the end of each file. */
    void statisticsOf(CaptureGroup group) {
        counted = group;
    }

    @Override
    public void onPacket(PacketView p) {
        if (readerGone) {
            return;
        }
        try {
            write(p);
        } catch (UncheckedIOException e) {
            if (!readerGone(e)) {
                throw e;
            }
        }
    }

    private void write(PacketView p) {
        if (payloadBytes < 0) {
            sink.onPacket(p);
            return;
        }
        decoder.decode(p);
        // Headers are what the decoder read. In a malformed packet only the start of its last header is trusted (the
        // bytes after it may be anything); a packet the decoder could not start on has none.
        int end = decoder.status() == PacketDecoder.MALFORMED
                ? Math.max(decoder.networkOffset(), decoder.transportOffset()) : decoder.payloadOffset();
        int headers = decoder.layers() == 0 || end < 0 ? 0 : end - p.offset();
        sink.write(p, (int) Math.min(p.caplen(), (long) headers + payloadBytes));
    }

    @Override
    public void onBatchEnd() {
        if (System.nanoTime() - lastFlush >= FLUSH_NANOS) {
            flush();
        }
    }

    @Override
    public void onIdle() {
        flush();
    }

    private void flush() {
        if (readerGone) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException e) {
            if (!readerGone(e)) {
                throw new UncheckedIOException("cannot write " + writer.currentPath() + ": " + e.getMessage(), e);
            }
        }
        lastFlush = System.nanoTime();
    }

    /** Stdout's reader went away ({@code -w - | head -c}): the command stops on {@link Stdout#failed()}. */
    private boolean readerGone(Exception e) {
        if (toStdout && Stdout.readerGone(e)) {
            Stdout.record(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            readerGone = true;
        }
        return readerGone;
    }

    private void writeStatistics() {
        CaptureGroup group = counted;
        if (group == null) {
            return; // a file read offline: no capture counters
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        for (CaptureGroup.Member m : group.members()) {
            sink.writeStatistics(m.source(), m.stats(), now);
        }
    }

    PcapngWriter writer() {
        return writer;
    }

    /** Writes the statistics, flushes and closes the current file. */
    @Override
    public void close() throws IOException {
        writer.close();
    }
}
