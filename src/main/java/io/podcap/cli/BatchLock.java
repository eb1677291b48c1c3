package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes a handler between its capture's thread and another (a timer): the lock is taken at a batch's first packet
 * and released after its end, so it costs one lock per batch, not per packet.
 */
final class BatchLock implements PacketHandler {
    private final PacketHandler next;
    private final ReentrantLock lock;
    private boolean held;

    BatchLock(PacketHandler next, ReentrantLock lock) {
        this.next = next;
        this.lock = lock;
    }

    @Override
    public void onPacket(PacketView p) {
        if (!held) {
            lock.lock();
            held = true;
        }
        try {
            next.onPacket(p);
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    @Override
    public void onBatchEnd() {
        if (held) {
            try {
                next.onBatchEnd();
            } finally {
                release();
            }
        }
    }

    @Override
    public void onIdle() {
        lock.lock();
        try {
            next.onIdle();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onCaughtUp() {
        lock.lock();
        try {
            next.onCaughtUp();
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        held = false;
        lock.unlock();
    }
}
