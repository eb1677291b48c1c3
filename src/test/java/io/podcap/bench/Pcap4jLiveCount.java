package io.podcap.bench;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * A pcap4j live capture that only counts, with its cheapest listener (raw bytes, no decoding), in the namespace it
 * is started in (bench/live runs it under {@code ip netns exec}). Usage: {@code Pcap4jLiveCount IFACE SECONDS}.
 */
public final class Pcap4jLiveCount {
    private Pcap4jLiveCount() {}

    public static void main(String[] args) throws Exception {
        long[] count = new long[1];
        PcapHandle handle = new PcapHandle.Builder(args[0]).snaplen(262_144).promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(100).bufferSize(8 << 20).build();
        RawPacketListener listener = packet -> count[0]++;
        var stopper = Executors.newSingleThreadScheduledExecutor();
        stopper.schedule(() -> {
            try {
                handle.breakLoop();
            } catch (Exception ignored) {
                // the loop ends anyway when the handle closes
            }
        }, (long) (Double.parseDouble(args[1]) * 1000), TimeUnit.MILLISECONDS);
        System.err.println("capturing on " + args[0]);
        try {
            handle.loop(-1, listener);
        } catch (InterruptedException brokenOut) {
            // breakLoop
        }
        PcapStat s = handle.getStats();
        handle.close();
        stopper.shutdownNow();
        System.err.printf(Locale.ROOT, "%d packets captured, %d received by filter, %d dropped by kernel%n", count[0],
                s.getNumPacketsReceived(), s.getNumPacketsDropped());
    }
}
