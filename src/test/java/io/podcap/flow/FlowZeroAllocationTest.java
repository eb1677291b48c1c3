package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Feeding the table allocates nothing per packet, measured with the thread's allocation counter after warm-up: in
 * steady state with a listener, and with flows starting, ending and being evicted all the time (no end listener).
 */
class FlowZeroAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int SLACK_BYTES = 512; // the measurement itself, not per packet
    private static final long T0 = 1_700_000_000_000_000_000L;

    /** Packets of many flows of every kind: TCP handshakes, HTTP requests, data, FINs, RSTs, UDP, ICMP, IPv6. */
    private static ByteBuf[] packets(int flows) {
        return packets(flows, true);
    }

    /** With {@code closing} false: only packets that keep established flows going (a listener gets no ends). */
    private static ByteBuf[] packets(int flows, boolean closing) {
        List<ByteBuf> out = new ArrayList<>();
        byte[] get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < flows; i++) {
            String client = i % 4 == 0 ? "fd00::" + Integer.toHexString(i + 1) : "10.1." + (i >> 8) + "." + (i & 0xff);
            String server = client.contains(":") ? "fd00::ffff" : "10.2.0.1";
            Frames.Tcp c = new Frames.Tcp(client, 30000 + i, server, 8080);
            List<byte[]> frames = List.of(c.syn(), c.synAck(), c.ack(), c.data(true, get),
                    c.data(false, new byte[300]), c.window(true, 0), i % 3 == 0 ? c.rst(false) : c.fin(true),
                    c.fin(false), Frames.udp(client, 30000 + i, server, 53, new byte[40]),
                    Frames.echo(client, server, true, i, 1));
            for (byte[] f : closing ? frames : frames.subList(3, 6)) {
                out.add(Unpooled.wrappedBuffer(f));
            }
            if (!closing) {
                out.add(Unpooled.wrappedBuffer(frames.get(8)));
                out.add(Unpooled.wrappedBuffer(frames.get(9)));
            }
        }
        return out.toArray(new ByteBuf[0]);
    }

    private static long run(FlowTable t, PacketView v, ByteBuf[] packets, long[] clock, int count) {
        for (int i = 0; i < count; i++) {
            ByteBuf b = packets[i % packets.length];
            clock[0] += 1_000_000; // 1 ms per packet: flows expire and come back
            v.wrap(b, 0, b.capacity(), b.capacity(), clock[0], 2, LinkType.ETHERNET, Frames.SOURCE);
            t.onPacket(v);
        }
        return t.stats().packets();
    }

    private static long allocatedWhile(Runnable r) {
        long threadId = Thread.currentThread().getId();
        long allocated = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && allocated > SLACK_BYTES; attempt++) {
            long before = THREADS.getThreadAllocatedBytes(threadId);
            r.run();
            allocated = THREADS.getThreadAllocatedBytes(threadId) - before;
        }
        return allocated;
    }

    @Test
    void churnOfStartingExpiringAndEvictedFlowsAllocatesNothing() {
        ByteBuf[] packets = packets(2000);
        // fewer slots than flows: evictions all the time; short timeouts: expiries too
        FlowTable t = FlowTable.builder().capacity(1500)
                .tcpClosedTimeout(java.time.Duration.ofMillis(50)).udpTimeout(java.time.Duration.ofSeconds(1)).build();
        PacketView v = new PacketView();
        long[] clock = {T0};
        for (int i = 0; i < 10; i++) {
            run(t, v, packets, clock, 200_000);
        }
        long allocated = allocatedWhile(() -> run(t, v, packets, clock, 1_000_000));
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated for 1M packets");
        assertTrue(t.stats().evicted() > 0 && t.stats().expired() > 0, t.stats()::toString);
    }

    @Test
    void steadyStateWithAListenerAllocatesNothing() {
        ByteBuf[] handshakes = packets(500);
        ByteBuf[] packets = packets(500, false);
        long[] seen = new long[4096];
        FlowTable t = FlowTable.builder().capacity(4096).build();
        t.addListener(new FlowListener() {
            @Override
            public void onPacket(int slot, boolean fromClient, PacketDecoder d, PacketView v) {
                seen[slot] += fromClient ? 1 : 2;
                if (d.dstPort() == 8080) {
                    t.orFlags(slot, 1);
                }
            }
        });
        PacketView v = new PacketView();
        long[] clock = {T0};
        // 1 µs per packet: nothing expires, every flow stays in its slot
        runSlow(t, v, handshakes, clock, handshakes.length - 1); // up to the last flow's ICMP echo
        for (int i = 0; i < 10; i++) {
            runSlow(t, v, packets, clock, 200_000);
        }
        long allocated = allocatedWhile(() -> runSlow(t, v, packets, clock, 1_000_000));
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated for 1M packets");
        assertEquals(1500, t.size());
        assertEquals(0, t.stats().evicted());
        assertTrue(java.util.Arrays.stream(seen).sum() > 0);
    }

    @Test
    void batchedFeedingAllocatesNothing() {
        ByteBuf[] packets = packets(2000);
        FlowTable t = FlowTable.builder().capacity(1500)
                .tcpClosedTimeout(java.time.Duration.ofMillis(50)).udpTimeout(java.time.Duration.ofSeconds(1)).build();
        PacketHandler batched = t.batched();
        PacketView v = new PacketView();
        long[] clock = {T0};
        Runnable million = () -> {
            for (int i = 0; i < 1_000_000; i++) {
                ByteBuf b = packets[i % packets.length];
                clock[0] += 1_000_000;
                batched.onPacket(v.wrap(b, 0, b.capacity(), b.capacity(), clock[0], 2, LinkType.ETHERNET,
                        Frames.SOURCE));
                if (i % 100 == 99) {
                    batched.onBatchEnd();
                }
            }
        };
        for (int i = 0; i < 3; i++) {
            million.run();
        }
        long allocated = allocatedWhile(million);
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated for 1M packets");
        assertTrue(t.stats().evicted() > 0 && t.stats().expired() > 0, t.stats()::toString);
    }

    private static void runSlow(FlowTable t, PacketView v, ByteBuf[] packets, long[] clock, int count) {
        for (int i = 0; i < count; i++) {
            ByteBuf b = packets[i % packets.length];
            clock[0] += 1_000;
            v.wrap(b, 0, b.capacity(), b.capacity(), clock[0], 2, LinkType.ETHERNET, Frames.SOURCE);
            t.onPacket(v);
        }
    }
}
