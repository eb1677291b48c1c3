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
}
