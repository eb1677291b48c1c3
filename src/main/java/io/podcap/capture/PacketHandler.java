package io.podcap.capture;

/**
 * Receives packets in batches. Views handed to {@link #onPacket} stay valid until {@link #onBatchEnd} returns; then
 * the space under them is given back to the producer.
 */
@FunctionalInterface
public interface PacketHandler {
    void onPacket(PacketView packet);

    /** Called after the last packet of each batch. */
    default void onBatchEnd() {
    }

    /**
     * Called on the same thread when no packet has arrived for a while (on a live capture about 100 ms, then less
     * often while none arrives, down to once a second; never on a file), e.g. to flush what was staged.
     */
    default void onIdle() {
    }

    /**
     * Called on the same thread when a live capture has taken everything the kernel had ready and is about to wait
     * (never on a file), e.g. to hand what was staged to another thread once per burst rather than every so many
     * packets. Like Netty's {@code channelReadComplete}.
     */
    default void onCaughtUp() {
    }
}
