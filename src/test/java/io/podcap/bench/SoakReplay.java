package io.podcap.bench;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowTable;
import io.podcap.flow.FlowTableStats;
import io.podcap.pcap.PcapReader;
import io.podcap.probe.ProbeDetector;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The offline half of bench/soak: one pcap replayed in a loop through the {@code flows}/{@code probes} pipeline
 * (FlowTable + ProbeDetector), each loop's timestamps shifted by the file's duration so that time keeps moving and
 * flows expire as on a node. Every {@code EVERY} packets: packets so far, flows live/ended/expired/evicted, heap used
 * after {@code System.gc()} and RSS.
 *
 * <p>Usage: {@code SoakReplay FILE PACKETS EVERY}.
 */
public final class SoakReplay {
    private SoakReplay() {}

    /** Re-points each view at its time plus the loop's shift (the view is ours for the call: no copy). */
    private static final class Shifted implements PacketHandler {
        private final PacketHandler next;
        long shift;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long packets;

        Shifted(PacketHandler next) {
            this.next = next;
        }

        @Override
        public void onPacket(PacketView p) {
            long t = p.timestampNanos();
            first = Math.min(first, t);
            last = Math.max(last, t);
            packets++;
            next.onPacket(p.wrap(p.data(), p.offset(), p.caplen(), p.wirelen(), t + shift, p.ifindex(), p.linkType(),
                    p.source()));
        }

        @Override
        public void onBatchEnd() {
            next.onBatchEnd();
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long total = Long.parseLong(args[1]);
        long every = Long.parseLong(args[2]);
        FlowTable table = FlowTable.builder().build();
        ProbeDetector.builder().build(table);
        Shifted replay = new Shifted(table);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf(Locale.ROOT, "%12s %6s %10s %12s %12s %10s %10s %9s%n", "packets", "loops", "flows-live",
                "flows-ended", "expired", "evicted", "heap-MiB", "rss-MiB");
        long next = every;
        int loops = 0;
        long duration = 0; // of the file, measured in the first loop
        long started = System.nanoTime();
        while (replay.packets < total) {
            try (PcapReader reader = PcapReader.open(file)) {
                while (replay.packets < total && reader.read(replay, 4096) >= 0) {
                    if (replay.packets >= next) {
                        print(table.stats(), replay.packets, loops, memory);
                        next += every;
                    }
                }
            }
            if (loops++ == 0) {
                duration = replay.last - replay.first + 1_000_000; // the next loop starts 1 ms after this one's end
            }
            replay.shift = loops * duration;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "%,d packets in %d loops of %s (%.1f s of traffic each) in %.0f s%n",
                replay.packets, loops, file.getFileName(), duration / 1e9, seconds);
    }

    private static void print(FlowTableStats s, long packets, int loops, MemoryMXBean memory) throws Exception {
        System.gc();
        System.out.printf(Locale.ROOT, "%12d %6d %10d %12d %12d %10d %10.1f %9.1f%n", packets, loops, s.live(),
                s.flows() - s.live(), s.expired(), s.evicted(), memory.getHeapMemoryUsage().getUsed() / 1048576.0,
                rssKib() / 1024.0);
    }

    private static long rssKib() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
    }
}
