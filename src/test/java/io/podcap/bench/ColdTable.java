package io.podcap.bench;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;
import io.podcap.flow.FlowTable;
import io.podcap.pcap.PcapReader;
import io.podcap.probe.ProbeDetector;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What a cold cache costs per packet: a file read and decoded, then also fed to a flow table, then also to its probe
 * detector (as {@code flows} does), in one warm JVM, once as is and once with every cache line of MIB MiB read after
 * each GAP packets, as the host's other work would evict the reader's state while a live reader sleeps between the
 * kernel's blocks. The reading of that memory is timed and left out. Prints the work per packet of the last of five
 * passes of each.
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
        System.out.printf(Locale.ROOT, "%s, ns a packet of work warm and with %d MiB read after each %d packets:%n",
                file, mib, gap);
        PacketDecoder decoder = new PacketDecoder();
        measure("read + decode", file, gap, mib, () -> p -> sink += decoder.decode(p) ? decoder.srcPort() : 0);
        measure("+ flow table", file, gap, mib, () -> FlowTable.builder().build().batched());
        measure("+ probe detector", file, gap, mib, () -> {
            FlowTable table = FlowTable.builder().build();
            ProbeDetector.builder().build(table);
            return table.batched();
        });
    }

    private static void measure(String name, Path file, int gap, int mib, Supplier<PacketHandler> pipeline)
            throws Exception {
        double warm = 0;
        double cold = 0;
        for (int i = 0; i < PASSES; i++) {
            warm = pass(file, Integer.MAX_VALUE, null, pipeline.get());
            cold = pass(file, gap, new long[mib << 17], pipeline.get());
        }
        System.out.printf(Locale.ROOT, "  %-18s %4.0f warm %4.0f cold (%.2fx)%n", name, warm, cold, cold / warm);
    }

    /** Nanoseconds a packet, the reading of {@code junk} left out. */
    private static double pass(Path file, int gap, long[] junk, PacketHandler batched) throws Exception {
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
