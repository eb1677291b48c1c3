package io.podcap.metrics;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The last stats an analysis reported, for exporters on other threads. The analyses ({@code FlowTable},
 * {@code ProbeDetector}, {@code PacketCorrelator}) are not thread-safe: {@link #refresh()} must run on the thread that
 * feeds them (or under the lock that serializes it, e.g. at {@code onIdle}); {@link #get()} is safe anywhere. Nothing
 * is done per packet: a scrape sees the stats of the last refresh.
 */
public final class StatsSnapshot<T> implements Supplier<T> {
    private final Supplier<T> source;
    private volatile T last;

    /** Takes the first snapshot now, so call it where {@code source} may be read. */
    public StatsSnapshot(Supplier<T> source) {
        this.source = Objects.requireNonNull(source, "source");
        this.last = source.get();
    }

    public void refresh() {
        last = source.get();
    }

    @Override
    public T get() {
        return last;
    }
}
