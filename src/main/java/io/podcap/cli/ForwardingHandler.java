package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketView;

/** Passes every call on to the next handler; a subclass overrides what it changes. */
abstract class ForwardingHandler implements PacketHandler {
    protected final PacketHandler next;

    ForwardingHandler(PacketHandler next) {
        this.next = next;
    }

    @Override
    public void onPacket(PacketView p) {
        next.onPacket(p);
    }

    @Override
    public void onBatchEnd() {
        next.onBatchEnd();
    }

    @Override
    public void onIdle() {
        next.onIdle();
    }

    @Override
    public void onCaughtUp() {
        next.onCaughtUp();
    }
}
