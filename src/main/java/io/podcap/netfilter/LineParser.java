package io.podcap.netfilter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A parser of one text format into {@link NetfilterEvent}s. It never throws on bad input: a line it cannot read is
 * skipped and counted. Not thread-safe; stateful parsers (traces whose lines are joined by id) keep bounded state.
 */
public abstract class LineParser {
    private final LongSupplier clock;
    private long lines;
    private long events;
    private long skipped;

    /** @param clock epoch nanoseconds for lines as they are read live, or null (offline: no time unless the line has one) */
    protected LineParser(LongSupplier clock) {
        this.clock = clock;
    }

    /** The time a line without its own is stamped with: the clock's when live, else -1. */
    protected final long readTime() {
        return clock == null ? -1 : clock.getAsLong();
    }

    /** Parses one line (without its line terminator), handing any events it completes to {@code sink}. */
    public final void parse(String line, Consumer<? super NetfilterEvent> sink) {
        lines++;
        if (line == null) {
            skipped++;
            return;
        }
        List<NetfilterEvent> parsed = new ArrayList<>(1);
        boolean used;
        try {
            used = parseLine(line, parsed::add);
        } catch (RuntimeException malformed) {
            // a number out of range or a cut-off field: the line is skipped, never the stream
            used = false;
            parsed.clear();
        }
        if (!used) {
            skipped++;
        }
        events += parsed.size();
        parsed.forEach(sink); // outside the try: the sink's own failures are not the line's
    }

    /** Returns false when the line is not of this format (or unusable): the caller counts it as skipped. */
    protected abstract boolean parseLine(String line, Consumer<NetfilterEvent> sink);

    /** Lines given to {@link #parse}. */
    public long lines() { return lines; }

    /** Events produced. */
    public long events() { return events; }

    /** Lines that were not of this format or could not be read. */
    public long skipped() { return skipped; }
}
