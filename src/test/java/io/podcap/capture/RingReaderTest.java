package io.podcap.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java reader against the real native producer (seqgen): order, integrity, wrap, drops and wake-ups. */
class RingReaderTest {
    private static final PacketSource SOURCE = new PacketSource() {
        @Override
        public String namespace() { return "test"; }

        @Override
        public String interfaceName(int ifindex) { return "if" + ifindex; }
    };

    /** Checks each record: its number, the bytes that encode it, and that numbers only grow. */
    private static final class Checker implements PacketHandler {
        final int payload;
        final boolean gapsAllowed;
        long next;
        long received;

        Checker(int payload, boolean gapsAllowed) {
            this.payload = payload;
            this.gapsAllowed = gapsAllowed;
        }

        @Override
        public void onPacket(PacketView p) {
            long seq = p.data().getLongLE(p.offset());
            assertEquals(seq, p.timestampNanos());
            assertEquals(payload, p.caplen());
            assertEquals(payload, p.data().readableBytes());
            if (gapsAllowed) {
                assertTrue(seq >= next, () -> "record " + seq + " after " + next);
            } else {
                assertEquals(next, seq);
            }
            byte fill = (byte) seq;
            for (int i = 8; i < payload; i++) {
                if (p.data().getByte(p.offset() + i) != fill) {
                    throw new AssertionError("record " + seq + " byte " + i + " corrupt");
                }
            }
            next = seq + 1;
            received++;
        }
    }

    private static long drain(RingReader reader, PacketHandler handler, int wakeFd, long generator) {
        // Read until the generator is done and the ring is empty, sleeping on the wake fd like Capture does.
        long[] published = {-1};
        Thread joiner = new Thread(() -> published[0] = Native.seqgenJoin(generator));
        joiner.start();
        while (joiner.isAlive() || reader.available()) {
            if (reader.poll(handler, LinkType.ETHERNET, SOURCE) == 0 && !reader.available() && !reader.park()) {
                Native.wakeWait(wakeFd, 10);
            }
        }
        while (reader.poll(handler, LinkType.ETHERNET, SOURCE) > 0) {
            // last records
        }
        return published[0];
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 61, 64, 1500, 4000})
    void everyRecordArrivesInOrderAcrossManyWraps(int payload) {
        Native.ensureLoaded();
        ByteBuffer ring = RingReader.allocate(16 << 10);
        RingReader reader = new RingReader(ring, 64);
        int wakeFd = Native.wakeOpen();
        try {
            long count = 200_000;
            Checker checker = new Checker(payload, false);
            long published = drain(reader, checker, wakeFd, Native.seqgenStart(ring, wakeFd, count, payload, true));
            assertEquals(count, published);
            assertEquals(count, checker.received);
            assertEquals(0, reader.dropped());
        } finally {
            Native.closeFd(wakeFd);
        }
    }

    @Test
    void aFullRingDropsTheNewestAndCountsThem() {
        Native.ensureLoaded();
        ByteBuffer ring = RingReader.allocate(4096);
        RingReader reader = new RingReader(ring, 16);
        int wakeFd = Native.wakeOpen();
        try {
            // Nobody reads until the producer is done: it must drop, never block or overwrite.
            long published = Native.seqgenJoin(Native.seqgenStart(ring, wakeFd, 10_000, 100, false));
            assertTrue(published > 0 && published < 10_000, "published " + published);
            assertEquals(10_000 - published, reader.dropped());
            Checker checker = new Checker(100, false);
            while (reader.poll(checker, LinkType.ETHERNET, SOURCE) > 0) {
                // everything that was published
            }
            assertEquals(published, checker.received);
            assertEquals(0, checker.next - published, "the oldest records are the ones kept");
        } finally {
            Native.closeFd(wakeFd);
        }
    }

    @Test
    void viewsOfOneBatchStayValidUntilTheBatchEnds() {
        Native.ensureLoaded();
        ByteBuffer ring = RingReader.allocate(1 << 16);
        RingReader reader = new RingReader(ring, 32);
        int wakeFd = Native.wakeOpen();
        try {
            List<PacketView> batch = new ArrayList<>();
            long[] checked = {0};
            PacketHandler handler = new PacketHandler() {
                @Override
                public void onPacket(PacketView p) {
                    batch.add(p);
                }

                @Override
                public void onBatchEnd() {
                    assertTrue(batch.size() <= 32);
                    for (int i = 0; i < batch.size(); i++) {
                        PacketView p = batch.get(i);
                        assertEquals(p.timestampNanos(), p.data().getLongLE(p.offset()));
                        for (int j = 0; j < i; j++) {
                            assertTrue(batch.get(j) != p, "each packet of a batch has its own view");
                        }
                    }
                    checked[0] += batch.size();
                    batch.clear();
                }
            };
            long published = drain(reader, handler, wakeFd, Native.seqgenStart(ring, wakeFd, 50_000, 200, true));
            assertEquals(published, checked[0]);
        } finally {
            Native.closeFd(wakeFd);
        }
    }

    @Test
    void readerNeverWritesTheDataAreaAndStopsAtTheClearedWord() {
        Native.ensureLoaded();
        ByteBuffer ring = RingReader.allocate(4096);
        RingReader reader = new RingReader(ring, 256);
        int wakeFd = Native.wakeOpen();
        try {
            // Over several laps the space ahead of the producer holds old records: the reader must stop at the
            // length word the producer cleared, not read an old lap's record as new.
            long[] next = new long[1];
            for (int lap = 0; lap < 5; lap++) {
                next[0] = 0; // seqgen numbers from 0 each run; a full ring drops the newest
                long published = Native.seqgenJoin(Native.seqgenStart(ring, wakeFd, 30, 50 + lap * 40, false));
                byte[] before = new byte[4096];
                ring.duplicate().get(before);
                long delivered = 0;
                for (int n; (n = reader.poll(p -> assertEquals(next[0]++, p.data().getLongLE(p.offset())),
                        LinkType.ETHERNET, SOURCE)) > 0; ) {
                    delivered += n;
                }
                assertEquals(published, delivered, "lap " + lap);
                byte[] after = new byte[4096];
                ring.duplicate().get(after);
                assertArrayEquals(before, after, "the reader wrote into the data area");
            }
        } finally {
            Native.closeFd(wakeFd);
        }
    }
}
