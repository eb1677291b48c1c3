package io.podcap.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.podcap.capture.LinkType;
import io.podcap.capture.PacketView;
import io.podcap.flow.FlowTable;
import io.podcap.flow.Frames;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detector's per-packet path allocates nothing once its streams exist: kubelet HTTP probes (each a new
 * connection, reusing ports, outcomes recorded), a confirmed TCP probe, plain pod requests and UDP, fed again and
 * again through a table with the detector as its only listener.
 */
class ProbeZeroAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int SLACK_BYTES = 512;

    private static ByteBuf[] cycle() {
        ProbeTraffic t = new ProbeTraffic();
        long at = 0;
        for (int i = 0; i < 200; i++, at += 5 * ProbeTraffic.MS) {
            t.http(at, "10.244.1.1", "10.244.1." + (5 + i % 4), 8080, "/healthz", "kube-probe/1.29", 200);
            t.http(at + ProbeTraffic.MS, "10.244.1.9", "10.244.1.5", 8080, "/api/" + i, "curl/8.0", 200);
            t.add(at + 2 * ProbeTraffic.MS, Frames.udp("10.244.1.9", 40000 + i, "10.96.0.10", 53, new byte[40]));
        }
        t.tcp(at, "10.244.1.1", "10.244.1.5", 5432);
        List<ProbeTraffic.Frame> frames = t.sorted();
        return frames.stream().map(f -> Unpooled.wrappedBuffer(f.bytes())).toArray(ByteBuf[]::new);
    }

    private static void run(FlowTable table, PacketView v, ByteBuf[] packets, long[] clock, int count) {
        for (int i = 0; i < count; i++) {
            ByteBuf b = packets[i % packets.length];
            clock[0] += 20_000; // 20 µs per packet: a cycle is a steady period for the TCP probe
            v.wrap(b, 0, b.capacity(), b.capacity(), clock[0], 2, LinkType.ETHERNET, Frames.SOURCE);
            table.onPacket(v);
        }
    }

    @Test
    void probeTrafficAllocatesNothingPerPacket() {
        ByteBuf[] packets = cycle();
        FlowTable table = FlowTable.builder().capacity(4096).build();
        ProbeDetector detector = ProbeDetector.builder()
                .roles(AddressRoles.builder().nodeAddress("10.244.1.1").clusterCidr("10.244.0.0/16").build())
                .build(table);
        PacketView v = new PacketView();
        long[] clock = {ProbeTraffic.T0};
        for (int i = 0; i < 20; i++) {
            run(table, v, packets, clock, packets.length * 5);
        }
        long threadId = Thread.currentThread().getId();
        long allocated = Long.MAX_VALUE;
        long probesBefore = detector.stats().probes();
        for (int attempt = 0; attempt < 3 && allocated > SLACK_BYTES; attempt++) {
            long before = THREADS.getThreadAllocatedBytes(threadId);
            run(table, v, packets, clock, 1_000_000);
            allocated = THREADS.getThreadAllocatedBytes(threadId) - before;
        }
        assertTrue(allocated <= SLACK_BYTES, allocated + " bytes allocated for 1M packets");
        assertTrue(detector.stats().probes() - probesBefore > 10_000, detector.stats()::toString);
        List<ProbeStream> streams = detector.streams();
        assertEquals(5, streams.size(), streams::toString); // four HTTP targets and the TCP probe
        assertTrue(streams.stream().allMatch(s -> s.failures().isEmpty()), streams::toString);
    }
}
