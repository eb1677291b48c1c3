package io.podcap.cli;

import io.podcap.flow.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Prints flow records on a thread of its own, beside the table's work instead of in it: a flow's line costs over a
 * microsecond, a sixth of {@code flows --read} on a node's file, and live it would be spent on the thread that keeps
 * up with the kernel. Records cross in batches: reading a file, every {@value #FILE_BATCH} flows, so that the two
 * threads work side by side; live, each time the reader has caught up with the kernel ({@link #handOver()}) and at
 * most {@value #LIVE_BATCH}, so that the printer's thread wakes once per reader's round and prints while the reader
 * waits, not 256 flows at a time in the middle of it. When {@value #QUEUED} batches wait, the table waits too, so
 * nothing is dropped. The batches' lists are reused. Calls come from one thread at a time (the live captures' lock
 * sees to that).
 */
final class FlowPrintThread implements AutoCloseable {
    static final int FILE_BATCH = 256;
    static final int LIVE_BATCH = 4096;
    private static final int QUEUED = 8;
    private static final Object FLUSH = new Object();
    private static final Object STOP = new Object();

    private final FlowPrinter printer;
    private final ArrayBlockingQueue<Object> tasks = new ArrayBlockingQueue<>(QUEUED);
    private final ArrayBlockingQueue<ArrayList<FlowRecord>> free = new ArrayBlockingQueue<>(QUEUED + 2);
    private final Thread thread;
    private final int batch;
    private ArrayList<FlowRecord> pending;
    private boolean unflushed; // handed over since the last flush
    private volatile Throwable failure;
    private boolean closed;

    private record Snapshot(List<FlowRecord> live, long nowNanos) { }

    /** {@code batch}: the most records handed over at once, {@link #FILE_BATCH} or {@link #LIVE_BATCH}. */
    FlowPrintThread(FlowPrinter printer, int batch) {
        this.printer = printer;
        this.batch = batch;
        this.pending = new ArrayList<>(batch);
        this.thread = new Thread(this::run, "podcap-flow-printer");
        thread.setDaemon(true);
        thread.start();
    }

    void print(FlowRecord r) {
        pending.add(r);
        if (pending.size() == batch) {
            handOver();
        }
    }

    /** A periodic snapshot of the live flows, printed after the flows that ended before it. */
    void snapshot(List<FlowRecord> live, long nowNanos) {
        handOver();
        put(new Snapshot(live, nowNanos));
        unflushed = true;
    }

    /**
     * Sends what is printed so far to the output without waiting for it; when nothing was handed over since the last
     * flush, the printer's thread is left asleep (live, this runs once a second, traffic or not).
     */
    void flush() {
        handOver();
        if (unflushed) {
            unflushed = false;
            put(FLUSH);
        }
    }

    /** Prints and flushes everything handed over, then stops the thread; throws what failed in it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            handOver();
        } finally {
            put(STOP);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while printing the last flows", e);
            }
        }
        checkFailure();
    }

    /** Hands the records printed so far to the printer's thread, without flushing its output. */
    void handOver() {
        checkFailure();
        if (pending.isEmpty()) {
            return;
        }
        put(pending);
        unflushed = true;
        ArrayList<FlowRecord> next = free.poll(); // at most QUEUED + 2 lists ever exist
        pending = next != null ? next : new ArrayList<>(batch);
    }

    private void put(Object task) {
        try {
            tasks.put(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing flows to the printer", e);
        }
    }

    private void checkFailure() {
        Throwable e = failure;
        if (e != null) {
            throw new IllegalStateException("printing flows failed: " + Main.message(e), e);
        }
    }

    private void run() {
        try {
            Object task;
            do {
                task = tasks.take();
                if (failure == null) { // else keep taking, so that no caller waits on a full queue
                    perform(task);
                }
            } while (task != STOP);
        } catch (InterruptedException e) {
            failure = e; // nothing interrupts this thread but the JVM's end
        }
    }

    @SuppressWarnings("unchecked")
    private void perform(Object task) {
        try {
            if (task == FLUSH || task == STOP) {
                printer.flush();
            } else if (task instanceof Snapshot s) {
                printer.snapshot(s.live(), s.nowNanos());
            } else {
                ArrayList<FlowRecord> batch = (ArrayList<FlowRecord>) task;
                for (int i = 0; i < batch.size(); i++) {
                    printer.print(batch.get(i));
                }
                batch.clear();
                free.offer(batch);
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        }
    }
}
