package io.podcap.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Hands packets on, but holds the reader at the first one until released: what arrives meanwhile waits in the kernel. */
final class StallingHandler implements PacketHandler {
    private final PacketHandler next;
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    StallingHandler(PacketHandler next) {
        this.next = next;
    }

    @Override
    public void onPacket(PacketView p) {
        if (stalled.getCount() > 0) {
            stalled.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        next.onPacket(p);
    }

    void awaitStall() throws InterruptedException {
        assertTrue(stalled.await(10, TimeUnit.SECONDS), "no first packet");
    }

    void release() {
        release.countDown();
    }
}
