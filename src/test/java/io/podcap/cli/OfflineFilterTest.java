package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfflineFilterTest {
    /** The filter stands between a reader and its handler: what is not a packet reaches the handler as it came. */
    @Test
    void batchEndsAndIdleReachTheNextHandler() {
        List<String> calls = new ArrayList<>();
        PacketHandler next = new PacketHandler() {
            @Override
            public void onPacket(PacketView p) {
                calls.add("packet");
            }

            @Override
            public void onBatchEnd() {
                calls.add("batch end");
            }

            @Override
            public void onIdle() {
                calls.add("idle");
            }
        };
        OfflineFilter filter = new OfflineFilter("tcp", 262144, next);
        filter.onBatchEnd();
        filter.onIdle();
        assertEquals(List.of("batch end", "idle"), calls);
    }
}
