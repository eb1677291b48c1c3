package io.podcap.bench;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowTable;
import io.podcap.pcap.PcapReader;
import io.podcap.probe.ProbeDetector;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a cold cache costs the flow table per packet: a file fed to a table and probe detector (as {@code flows}
 * does) in one warm JVM, once as is and once with every cache line of MIB MiB read after each GAP packets, as the
 * host's other work would evict the reader's state while a live reader sleeps between the kernel's blocks. The
 * reading of that memory is timed and left out. Prints the work per packet of the last of five passes each.
 *
 * <p>Usage: {@code ColdTable FILE [GAP [MIB]]} (defaults 550 packets, 32 MiB).
 */
public final class ColdTable {
    private static final int PASSES = 5;
    static volatile long sink;

    private ColdTable() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int gap = args.length > 1 ? Integer.parseInt(args[1]) : 550;
        int mib = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        System.setProperty("io.netty.buffer.checkBounds", "false"); // as the CLI runs
        System.setProperty("io.netty.buffer.checkAccessible", "false");
        double warm = 0;
        double cold = 0;
        for (int i = 0; i < PASSES; i++) {
            warm = pass(file, Integer.MAX_VALUE, null);
            cold = pass(file, gap, new long[mib << 17]);
        }
        System.out.printf(Locale.ROOT, "%s: %.0f ns a packet of work warm, %.0f with %d MiB read after each %d "
                + "packets (%.2fx)%n", file, warm, cold, mib, gap, cold / warm);
    }

    /** Nanoseconds a packet, the reading of {@code junk} left out. */
    private static double pass(Path file, int gap, long[] junk) throws Exception {
        FlowTable table = FlowTable.builder().build();
        ProbeDetector.builder().build(table);
        PacketHandler batched = table.batched();
        long[] count = {0};
        long[] evicting = {0};
        PacketHandler h = new PacketHandler() {
            @Override
            public void onPacket(PacketView p) {
                batched.onPacket(p);
                if (++count[0] % gap == 0) {
                    batched.onBatchEnd(); // the table's work for these packets done, as at the end of a kernel block
                    long t = System.nanoTime();
                    long s = 0;
                    for (int i = 0; i < junk.length; i += 8) { // one long in each 64-byte line
                        s += junk[i]++;
                    }
                    sink += s;
                    evicting[0] += System.nanoTime() - t;
                }
            }

            @Override
            public void onBatchEnd() {
                batched.onBatchEnd();
            }
        };
        long t0 = System.nanoTime();
        try (PcapReader r = PcapReader.open(file)) {
            r.readAll(h);
        }
        return (System.nanoTime() - t0 - evicting[0]) / (double) count[0];
    }
}
