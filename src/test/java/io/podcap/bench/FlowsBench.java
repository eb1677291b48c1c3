package io.podcap.bench;

import com.sun.management.ThreadMXBean;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowTable;
import io.podcap.pcap.PcapReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.pcap4j.packet.IpPacket;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

/**
 * Flows from one pcap file with podcap's {@link FlowTable}, the whole {@code podcap flows --read} command, tcpdump's
 * raw read, a pcap4j program counting flows in a HashMap, and tshark's TCP conversation table, in the same run; then
 * the heap one million concurrent flows take.
 *
 * <p>Usage: {@code FlowsBench FILE [RUNS]} with the podcap command line in the system property {@code podcap.cli}
 * (space-separated). The file should be in the page cache.
 */
public final class FlowsBench {
    static volatile long sink;

    private FlowsBench() {}

    private record Result(long packets, long nanos, long flows, double allocatedPerPacket) {
        double rate() {
            return packets * 1e9 / nanos;
        }
    }

    private interface Run {
        Result run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        podcap(file); // warms up the JIT
        // podcap and tcpdump back to back, so that a slow moment of the machine hits both: the best of each, and the
        // median of the pairs' ratios
        List<String> tcpdumpCommand = List.of("tcpdump", "-Z", "root", "-r", file.toString(), "-w", "/dev/null");
        int pairs = Math.max(runs, 5);
        double[] ratios = new double[pairs];
        Result table = null;
        Result tcpdump = null;
        for (int i = 0; i < pairs; i++) {
            Result t = podcap(file);
            Result d = timed(t.packets, tcpdumpCommand); // -Z root: no chown of /dev/null
            ratios[i] = t.rate() / d.rate();
            table = table == null || t.nanos < table.nanos ? t : table;
            tcpdump = tcpdump == null || d.nanos < tcpdump.nanos ? d : tcpdump;
        }
        long packets = table.packets;
        // The command, in rounds back to back with tcpdump (the median of the rounds' ratios), and what it costs on
        // top of its packets, two ways: the command on a file of no packets (JVM start-up), and against its run on
        // the file's first half in the same round (start-up and the JIT's warm-up: the difference of the two runs is
        // what the second half of the packets cost, once the code is compiled; the median of the rounds')
        Path empty = Files.createTempFile("podcap-empty", ".pcap");
        Path half = Files.createTempFile("podcap-half", ".pcap");
        String cliPrefix = System.getProperty("podcap.cli");
        Result cli = null;
        Result startup;
        double[] cliRatios = new double[pairs];
        double[] cliNanos = new double[pairs];
        double[] secondHalfNanos = new double[pairs];
        long halfPackets;
        try {
            halfPackets = firstPackets(file, packets / 2, empty, half);
            startup = best(runs, () -> timed(0, command(cliPrefix, "flows", "--read", empty.toString(), "--json")));
            for (int i = 0; i < pairs; i++) {
                Result c = timed(packets, command(cliPrefix, "flows", "--read", file.toString(), "--json"));
                Result h = timed(halfPackets, command(cliPrefix, "flows", "--read", half.toString(), "--json"));
                Result d = timed(packets, tcpdumpCommand);
                cliRatios[i] = c.rate() / d.rate();
                cliNanos[i] = c.nanos;
                secondHalfNanos[i] = c.nanos - h.nanos;
                cli = cli == null || c.nanos < cli.nanos ? c : cli;
            }
        } finally {
            Files.delete(empty);
            Files.delete(half);
        }
        Result afterStartup = new Result(packets, cli.nanos - startup.nanos, -1, Double.NaN);
        double marginRate = (packets - halfPackets) * 1e9 / median(secondHalfNanos);
        double fixedSeconds = (median(cliNanos) - packets / marginRate * 1e9) / 1e9;
        Result pcap4j = best(runs, () -> pcap4j(file));
        Result tshark = timed(packets, List.of("tshark", "-q", "-n", "-r", file.toString(), "-z", "conv,tcp"));
        System.out.printf(Locale.ROOT, "flows from %s: %,d packets, best of %d (tcpdump, the table and the "
                + "command: of %d; tshark: one run)%n", file, packets, runs, pairs);
        row("podcap FlowTable (in-process)", table, table);
        row("podcap flows --read --json (command)", cli, table);
        row("  the same, less its start-up", afterStartup, table);
        row("tcpdump -r FILE -w /dev/null", tcpdump, table);
        row("pcap4j + HashMap of flows", pcap4j, table);
        row("tshark -q -z conv,tcp", tshark, table);
        System.out.printf(Locale.ROOT, "podcap flows --read / tcpdump, %d back-to-back rounds: median %.2fx (%.2fx to "
                + "%.2fx); start-up (the command on a file of no packets) %.2f s; per packet past the first half %.0f "
                + "pkt/s, %.2fx tcpdump's best rate, so a fixed %.2f s (start-up, JIT warm-up, the flows left at the "
                + "end)%n", pairs, median(cliRatios), min(cliRatios), max(cliRatios), startup.nanos / 1e9, marginRate,
                marginRate / tcpdump.rate(), fixedSeconds);
        // fixed + n / marginRate = n / tcpdumpRate
        double gainPerPacket = 1 / tcpdump.rate() - 1 / marginRate;
        System.out.println(gainPerPacket <= 0 ? "  past its fixed cost the command is not faster than tcpdump"
                : String.format(Locale.ROOT, "  so on a file like this one it overtakes tcpdump from about %.1f "
                + "million packets on", fixedSeconds / gainPerPacket / 1e6));
        System.out.printf(Locale.ROOT, "podcap FlowTable / tcpdump, %d back-to-back pairs: median %.2fx (%.2fx to "
                + "%.2fx)%n", pairs, median(ratios), min(ratios), max(ratios));
        System.out.printf(Locale.ROOT, "flows: podcap %,d, pcap4j HashMap %,d (podcap also splits a port reused "
                + "after a close); podcap allocation per packet: %.4f bytes%n", table.flows, pcap4j.flows,
                table.allocatedPerPacket);
        memory(1_000_000);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static void row(String name, Result r, Result podcap) {
        System.out.printf(Locale.ROOT, "  %-38s %12.0f pkt/s   podcap FlowTable/this %6.2fx%n", name, r.rate(),
                podcap.rate() / r.rate());
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

    private static Result podcap(Path file) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        FlowTable table = FlowTable.builder().build(); // the default capacity, as podcap flows uses
        PacketHandler handler = table.batched(); // as podcap flows feeds it
        long start = System.nanoTime();
        long packets;
        long allocated;
        try (PcapReader reader = PcapReader.open(file)) {
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes(); // after the read buffer
            packets = reader.readAll(handler);
            allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        }
        long nanos = System.nanoTime() - start;
        return new Result(packets, nanos, table.stats().flows(), (double) allocated / packets);
    }

    /** What a Java user writes today: decode with pcap4j, key by the two endpoints, count in a HashMap. */
    private static Result pcap4j(Path file) throws Exception {
        record Endpoint(InetAddress address, int port) {}
        record Key(int protocol, Endpoint a, Endpoint b) {}
        Map<Key, long[]> flows = new HashMap<>();
        long start = System.nanoTime();
        long packets = Pcap4jFiles.forEachPacket(file, p -> {
            IpPacket ip = p.get(IpPacket.class);
            if (ip == null) {
                return;
            }
            int sport = 0;
            int dport = 0;
            TcpPacket tcp = p.get(TcpPacket.class);
            UdpPacket udp = tcp == null ? p.get(UdpPacket.class) : null;
            if (tcp != null) {
                sport = tcp.getHeader().getSrcPort().valueAsInt();
                dport = tcp.getHeader().getDstPort().valueAsInt();
            } else if (udp != null) {
                sport = udp.getHeader().getSrcPort().valueAsInt();
                dport = udp.getHeader().getDstPort().valueAsInt();
            }
            Endpoint src = new Endpoint(ip.getHeader().getSrcAddr(), sport);
            Endpoint dst = new Endpoint(ip.getHeader().getDstAddr(), dport);
            boolean srcFirst = src.toString().compareTo(dst.toString()) < 0;
            Key key = new Key(ip.getHeader().getProtocol().value(), srcFirst ? src : dst, srcFirst ? dst : src);
            long[] counts = flows.computeIfAbsent(key, k -> new long[2]);
            counts[0]++;
            counts[1] += p.length();
        });
        return new Result(packets, System.nanoTime() - start, flows.size(), Double.NaN);
    }

    /**
     * Writes the classic pcap {@code file}'s header alone to {@code empty}, and its header and first {@code n} packets
     * to {@code prefix}; returns how many it wrote (fewer if the file has fewer).
     */
    private static long firstPackets(Path file, long n, Path empty, Path prefix) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20);
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(prefix), 1 << 20)) {
            byte[] header = in.readNBytes(24);
            Files.write(empty, header);
            out.write(header);
            int magic = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            ByteOrder order = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.LITTLE_ENDIAN
                    : ByteOrder.BIG_ENDIAN;
            long written = 0;
            for (; written < n; written++) {
                byte[] record = in.readNBytes(16);
                if (record.length < 16) {
                    break;
                }
                out.write(record);
                out.write(in.readNBytes(ByteBuffer.wrap(record).order(order).getInt(8)));
            }
            return written;
        }
    }

    private static List<String> command(String prefix, String... args) {
        List<String> c = new java.util.ArrayList<>(List.of(prefix.trim().split(" +")));
        c.addAll(List.of(args));
        return c;
    }

    private static Result timed(long packets, List<String> command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return new Result(packets, System.nanoTime() - start, -1, Double.NaN);
    }

    /** Heap of a table holding {@code flows} concurrent flows (UDP, distinct client ports and addresses). */
    private static void memory(int flows) {
        Runtime rt = Runtime.getRuntime();
        long before = usedAfterGc(rt);
        FlowTable table = FlowTable.builder().capacity(flows).udpTimeout(Duration.ofDays(1)).build();
        byte[] frame = new byte[14 + 20 + 8 + 32];
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        frame[12] = 0x08;
        frame[14] = 0x45;
        frame[17] = (byte) (frame.length - 14);
        frame[23] = 17;
        frame[37] = 53;
        frame[39] = 40;
        PacketView v = new PacketView();
        for (int i = 0; i < flows; i++) {
            frame[26] = 10;
            frame[27] = (byte) (i >>> 16);
            frame[28] = (byte) (i >>> 8);
            frame[29] = (byte) i; // client 10.x.y.z
            frame[30] = 10;
            frame[33] = 1;         // server 10.0.0.1:53
            frame[34] = (byte) 0x80; // client port 32768 + ...
            v.wrap(buf, 0, frame.length, frame.length, 1_000_000_000L + i, 1, LinkType.ETHERNET, null);
            table.onPacket(v);
        }
        long after = usedAfterGc(rt);
        if (table.size() != flows) {
            throw new IllegalStateException(table.size() + " flows in the table, not " + flows);
        }
        sink = table.size();
        System.out.printf(Locale.ROOT, "memory: %,d concurrent flows take %.1f MB of heap (%.0f bytes per flow)%n",
                flows, (after - before) / 1e6, (double) (after - before) / flows);
    }

    private static long usedAfterGc(Runtime rt) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
