package io.podcap.capture;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Records per second from the native producer (seqgen, one thread) through the shared ring to a Java handler that
 * reads each record's sequence number: the hand-off a live capture pays per packet, without the kernel. One operation
 * is one record; run with {@code -prof gc} for the bytes allocated per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(RingHandoffBenchmark.RECORDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RingHandoffBenchmark {
    static final int RECORDS = 1 << 22;

    @Param({"64", "1500"})
    int payload;

    private ByteBuffer ring;
    private RingReader reader;
    private int wakeFd;
    private final SequenceSum handler = new SequenceSum();

    /** What a minimal consumer does: look at the bytes. */
    static final class SequenceSum implements PacketHandler {
        long sum;

        @Override
        public void onPacket(PacketView p) {
            sum += p.data().getLongLE(p.offset());
        }
    }

    private static final PacketSource SOURCE = new PacketSource() {
        @Override
        public String namespace() { return "bench"; }

        @Override
        public String interfaceName(int ifindex) { return "seq"; }
    };

    @Setup(Level.Trial)
    public void setUp() {
        Native.ensureLoaded();
        ring = RingReader.allocate(32 << 20);
        reader = new RingReader(ring, 256);
        wakeFd = Native.wakeOpen();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Native.closeFd(wakeFd);
    }

    @Benchmark
    public long handoff() {
        long generator = Native.seqgenStart(ring, wakeFd, RECORDS, payload, true);
        long got = 0;
        while (got < RECORDS) {
            int n = reader.poll(handler, LinkType.ETHERNET, SOURCE);
            if (n == 0 && !reader.park()) {
                Native.wakeWait(wakeFd, 1);
            }
            got += n;
        }
        if (Native.seqgenJoin(generator) != RECORDS) {
            throw new IllegalStateException("the producer dropped records in waiting mode");
        }
        return handler.sum;
    }
}
