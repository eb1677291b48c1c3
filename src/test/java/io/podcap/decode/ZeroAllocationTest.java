package io.podcap.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.PacketView;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hot path allocates nothing: decoding a million packets after warm-up leaves the thread's allocation counter still. */
class ZeroAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int SLACK_BYTES = 512; // the measurement itself, not per packet

    @Test
    void decodingAllocatesNothing() {
        // every sample whole and cut inside its headers, plus some malformed ones, over heap and direct buffers
        List<PacketView> views = new ArrayList<>();
        for (SamplePackets.Sample s : SamplePackets.all()) {
            for (int caplen : new int[] {s.bytes().length, s.bytes().length / 2, 17, 0}) {
                views.add(view(Unpooled.wrappedBuffer(s.bytes()), Math.min(caplen, s.bytes().length), s));
                ByteBuf direct = Unpooled.directBuffer(s.bytes().length + 10).writeZero(10).writeBytes(s.bytes());
                views.add(view(direct, Math.min(caplen, s.bytes().length), s));
            }
            byte[] broken = s.bytes().clone();
            broken[broken.length / 3] ^= (byte) 0xf5;
            views.add(view(Unpooled.wrappedBuffer(broken), broken.length, s));
        }
        PacketView[] packets = views.toArray(new PacketView[0]);
        PacketDecoder d = new PacketDecoder();
        byte[] address = new byte[16];
        long threadId = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(threadId);

        long sink = 0;
        for (int i = 0; i < 10; i++) {
            sink += run(d, packets, address, 200_000); // compiles run() itself, not only its loop (OSR)
        }
        // JIT transitions can still allocate a few bytes once; a per-packet allocation would show in every attempt
        long allocated = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && allocated > SLACK_BYTES; attempt++) {
            long before = THREADS.getThreadAllocatedBytes(threadId);
            sink += run(d, packets, address, 1_000_000);
            allocated = THREADS.getThreadAllocatedBytes(threadId) - before;
        }

        assertTrue(sink != 0);
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated for 1M packets");
    }

    private static PacketView view(ByteBuf buf, int caplen, SamplePackets.Sample s) {
        int offset = buf.isDirect() ? 10 : 0;
        return new PacketView().wrap(buf.duplicate(), offset, caplen, s.bytes().length, 0, 1, s.linkType(), null);
    }

    /** Decodes and reads the results, as a caller would, so that nothing is optimized away. */
    private static long run(PacketDecoder d, PacketView[] packets, byte[] address, int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            PacketView v = packets[i % packets.length];
            boolean network = (i & 1) == 0 ? d.decode(v) : d.decode(v.data(), v.offset(), v.caplen(), v.linkType());
            sink += d.layers() + d.status() + d.protocol() + d.srcPort() + d.dstPort() + d.payloadLength()
                    + d.payloadWireLength() + d.tcpSeq() + d.tsval() + d.ipv4Src() + d.ipv6SrcLo() + d.vlanId()
                    + d.icmpSeq() + d.sll2Ifindex() + (network ? 1 : 0);
            if (d.ipVersion() == 6) {
                d.copyIpv6Dst(address, 0);
                sink += address[15];
            }
        }
        return sink;
    }
}
