package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;
import java.io.PrintStream;
import java.time.ZoneId;

/** One tcpdump-like line per packet: local time, interface, summary. */
final class PacketPrinter implements PacketHandler {
    private static final long NANOS_PER_DAY = 86_400_000_000_000L;

    private final PrintStream out;
    private final PacketDecoder decoder = new PacketDecoder();
    private final StringBuilder line = new StringBuilder(256);
    private final long zoneOffsetNanos =
            ZoneId.systemDefault().getRules().getOffset(java.time.Instant.now()).getTotalSeconds() * 1_000_000_000L;

    PacketPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onPacket(PacketView p) {
        line.setLength(0);
        long ofDay = Math.floorMod(p.timestampNanos() + zoneOffsetNanos, NANOS_PER_DAY);
        two(ofDay / 3_600_000_000_000L).append(':');
        two(ofDay / 60_000_000_000L % 60).append(':');
        two(ofDay / 1_000_000_000L % 60).append('.');
        String micros = Long.toString(ofDay / 1000 % 1_000_000 + 1_000_000);
        line.append(micros, 1, 7).append(' ').append(p.interfaceName()).append(' ');
        decoder.decode(p);
        decoder.appendSummary(line);
        out.append(line).append('\n');
    }

    private StringBuilder two(long v) {
        if (v < 10) {
            line.append('0');
        }
        return line.append(v);
    }

    @Override
    public void onBatchEnd() {
        out.flush();
    }
}
