package io.podcap.bench;

import com.sun.management.ThreadMXBean;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;
import io.podcap.pcap.PcapReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

/**
 * Reads one pcap file to the transport layer with podcap, pcap4j and tcpdump, in the same run, best of N each, and
 * prints packets/s, the ratios, and the bytes podcap allocated per packet in its measured run.
 *
 * <p>Usage: {@code OfflineRead FILE [RUNS]}. The file should be in the page cache (read it once before).
 */
public final class OfflineRead {
    /** Keeps pcap4j's decoding from being optimised away. */
    static volatile long sink;

    private OfflineRead() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Result podcap = null;
        for (int i = 0; i <= runs; i++) { // the first one warms up the JIT
            Result r = podcap(file);
            if (i > 0 && (podcap == null || r.nanos < podcap.nanos)) {
                podcap = r;
            }
        }
        long tcpdumpCount = tcpdumpCount(file);
        Result tcpdump = best(runs, () -> tcpdump(file, tcpdumpCount));
        Result pcap4j = best(runs, () -> pcap4j(file));
        if (tcpdumpCount != podcap.packets || pcap4j.packets != podcap.packets) {
            throw new IllegalStateException("packet counts differ: podcap " + podcap.packets + ", tcpdump "
                    + tcpdumpCount + ", pcap4j " + pcap4j.packets);
        }
        System.out.printf(Locale.ROOT, "offline read of %s: %,d packets, best of %d%n", file, podcap.packets, runs);
        row("podcap read + decode to L4", podcap, podcap);
        row("tcpdump -r FILE -w /dev/null", tcpdump, podcap);
        row("pcap4j getNextPacket (decoded)", pcap4j, podcap);
        System.out.printf(Locale.ROOT, "podcap allocation per packet: %.4f bytes%n", podcap.allocatedPerPacket);
    }

    private static void row(String name, Result r, Result podcap) {
        System.out.printf(Locale.ROOT, "  %-34s %12.0f pkt/s   podcap/this %6.2fx%n", name, r.rate(),
                podcap.rate() / r.rate());
    }

    private record Result(long packets, long nanos, double allocatedPerPacket) {
        double rate() {
            return packets * 1e9 / nanos;
        }
    }

    private interface Run {
        Result run() throws Exception;
    }

    private static Result best(int runs, Run run) throws Exception {
        Result best = null;
        for (int i = 0; i < runs; i++) {
            Result r = run.run();
            if (best == null || r.nanos < best.nanos) {
                best = r;
            }
        }
        return best;
    }

    /** Counts what a flow analysis needs: the transport protocol and ports of each packet. */
    private static final class Decode implements PacketHandler {
        final PacketDecoder decoder = new PacketDecoder();
        long packets;
        long tcp;
        long portSum;

        @Override
        public void onPacket(PacketView p) {
            packets++;
            if (decoder.decode(p) && decoder.hasLayer(PacketDecoder.TRANSPORT)) {
                tcp += decoder.protocol() == 6 ? 1 : 0;
                portSum += decoder.srcPort() + decoder.dstPort();
            }
        }
    }

    private static Result podcap(Path file) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Decode decode = new Decode();
        long start = System.nanoTime();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        try (PcapReader reader = PcapReader.open(file)) {
            reader.readAll(decode);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        return new Result(decode.packets, System.nanoTime() - start, (double) allocated / decode.packets);
    }

    private static Result pcap4j(Path file) throws Exception {
        long[] portSum = new long[1];
        long start = System.nanoTime();
        long packets = Pcap4jFiles.forEachPacket(file, p -> {
            TcpPacket tcp = p.get(TcpPacket.class);
            if (tcp != null) {
                portSum[0] += tcp.getHeader().getSrcPort().valueAsInt();
            } else {
                UdpPacket udp = p.get(UdpPacket.class);
                portSum[0] += udp == null ? 0 : udp.getHeader().getSrcPort().valueAsInt();
            }
        });
        sink = portSum[0];
        return new Result(packets, System.nanoTime() - start, Double.NaN);
    }

    private static Result tcpdump(Path file, long packets) throws Exception {
        long start = System.nanoTime();
        run("tcpdump", "-Z", "root", "-r", file.toString(), "-w", "/dev/null"); // -Z root: no chown of /dev/null
        return new Result(packets, System.nanoTime() - start, Double.NaN);
    }

    /** tcpdump's own count of the file (-w prints none), from an untimed run. */
    private static long tcpdumpCount(Path file) throws Exception {
        String out = run("tcpdump", "-r", file.toString(), "--count");
        return Long.parseLong(out.lines().filter(l -> l.endsWith(" packets")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no count from tcpdump: " + out)).split(" ")[0]);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
