package io.podcap.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import io.podcap.decode.PacketDecoder;
import io.podcap.pcap.PcapReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FlowTable#batched()} gives the same flows, per-packet listener calls and counters as feeding the table packet
 * by packet, whatever the batch size (reader batches smaller than, equal to and larger than a prefetch group), and
 * asks listeners to load their state for a group's flows before the group's packets reach them.
 */
class BatchFeederTest {
    @TempDir
    Path dir;

    private record Seen(List<FlowRecord> ended, List<String> packets, FlowTableStats stats) {
    }

    private static Seen read(Path file, boolean batched, int batch) throws Exception {
        List<FlowRecord> ended = new ArrayList<>();
        List<String> packets = new ArrayList<>();
        FlowTable t = FlowTable.builder().capacity(300).onFlowEnd(ended::add).build(); // evictions too
        t.addListener(new FlowListener() {
            @Override
            public void onPacket(int slot, boolean fromClient, PacketDecoder d, PacketView v) {
                packets.add(slot + " " + fromClient + " " + v.timestampNanos() + " " + v.caplen() + " "
                        + d.srcPort() + " " + t.packets(slot, fromClient));
            }
        });
        PacketHandler h = batched ? t.batched() : t;
        try (PcapReader r = PcapReader.open(file)) {
            while (r.read(h, batch) >= 0) {
                // per batch
            }
        }
        t.endAll();
        return new Seen(ended, packets, t.stats());
    }

    /**
     * A group's calls come as its prefetches, then its packets: a prefetch after a packet starts the next group. A
     * packet of a flow already in the table when its group started has its slot prefetched in that group, but for the
     * few whose index probe first meets another flow's entry with the same 5 hash bits (that slot is loaded instead).
     */
    @Test
    void listenersArePrefetchedForTheFlowsOfEachGroup() throws Exception {
        Path file = dir.resolve("corpus.pcapng");
        FlowCorpus.write(file, 11, 1500);
        Set<Integer> prefetched = new HashSet<>();
        Set<Integer> startedInGroup = new HashSet<>();
        long[] checked = {0};
        long[] missed = {0};
        boolean[] accounting = {false};
        FlowTable t = FlowTable.builder().capacity(300).build();
        t.addListener(new FlowListener() {
            @Override
            public long prefetch(int slot) {
                if (accounting[0]) { // a new group
                    accounting[0] = false;
                    prefetched.clear();
                    startedInGroup.clear();
                }
                prefetched.add(slot);
                return 0;
            }

            @Override
            public void onFlowStart(int slot) {
                startedInGroup.add(slot);
            }

            @Override
            public void onPacket(int slot, boolean fromClient, PacketDecoder d, PacketView v) {
                accounting[0] = true;
                if (!startedInGroup.contains(slot)) {
                    checked[0]++;
                    if (!prefetched.contains(slot)) {
                        missed[0]++;
                    }
                }
            }
        });
        try (PcapReader r = PcapReader.open(file)) {
            r.readAll(t.batched());
        }
        assertTrue(checked[0] > 5000, () -> checked[0] + " packets of known flows");
        assertTrue(missed[0] * 20 < checked[0], () -> missed[0] + " of " + checked[0] + " not prefetched");
    }

    @Test
    void batchedFeedingSeesWhatPacketByPacketFeedingSees() throws Exception {
        Path file = dir.resolve("corpus.pcapng");
        FlowCorpus.write(file, 7, 1500);
        Seen direct = read(file, false, 4096);
        assertTrue(direct.stats().evicted() > 0 && direct.ended().size() > 1000, direct.stats()::toString);
        for (int batch : new int[] {1, 5, BatchFeeder.GROUP, 100, 4096}) {
            Seen batched = read(file, true, batch);
            assertEquals(direct.stats(), batched.stats(), "batch " + batch);
            assertEquals(direct.packets(), batched.packets(), "batch " + batch);
            assertEquals(direct.ended(), batched.ended(), "batch " + batch);
        }
    }
}
