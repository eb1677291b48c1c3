package io.podcap.cli;

import io.netty.buffer.Unpooled;
import io.podcap.flow.FlowTable;
import io.podcap.pcap.PcapReader;
import io.podcap.probe.AddressRoles;
import io.podcap.probe.ProbeDetector;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The steps of {@code podcap flows --read FILE} before and around its packets, each timed on its own, in the order
 * the command takes them (for bench/startup, which runs it with the launcher's JVM options and AOT cache). Usage:
 * {@code StartupSteps FILE} with {@code -Dpodcap.launched=} the launch's wall clock in nanoseconds.
 */
public final class StartupSteps {
    private static long last;

    private StartupSteps() {}

    public static void main(String[] args) throws Exception {
        long launched = Long.getLong("podcap.launched", -1);
        if (launched < 0) {
            throw new IllegalArgumentException("-Dpodcap.launched=NANOS (date +%s%N) is missing; run bench/startup");
        }
        last = System.nanoTime();
        long sinceLaunch = System.currentTimeMillis() * 1_000_000L - launched;
        System.setProperty("io.netty.buffer.checkBounds", "false");
        System.setProperty("io.netty.buffer.checkAccessible", "false");
        String[] command = {"flows", "--read", args[0]};
        Main.commandLine(command).parseArgs(command);
        String picocli = lap();
        FlowTable table = FlowTable.builder().capacity(65536).build();
        String tableArrays = lap();
        ProbeDetector.builder().roles(AddressRoles.none()).build(table);
        String detector = lap();
        Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(64)).release();
        String netty = lap();
        long packets;
        try (PcapReader reader = PcapReader.open(Path.of(args[0]))) {
            packets = reader.readAll(table.batched());
        }
        String read = lap();
        System.out.printf(Locale.ROOT, "launch to main %.0f ms, picocli %s, table %s, probe detector %s, netty %s, "
                + "%,d packets read into them %s%n", sinceLaunch / 1e6, picocli, tableArrays, detector, netty, packets,
                read);
    }

    private static String lap() {
        long now = System.nanoTime();
        String s = String.format(Locale.ROOT, "%.1f ms", (now - last) / 1e6);
        last = System.nanoTime();
        return s;
    }
}
