package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.flow.FlowEnd;
import io.podcap.flow.FlowRecord;
import io.podcap.flow.FlowState;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Flow lines printed on the printer's thread: all of them, in order, snapshots in place, failures reported. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowPrintThreadTest {
    private static FlowRecord udp(int port, FlowState state) {
        return new FlowRecord(17, 4, "10.0.0.1", port, "10.0.0.2", 53, 1_000_000_000L, 2_000_000_000L, 1, 80, 1, 120,
                state, FlowEnd.TIMEOUT, -1, 0, 0, null, null, 0, "eth0", "netns:a", null, List.of(), 0);
    }

    private static List<String> ports(String output) {
        List<String> ports = new ArrayList<>();
        for (String line : output.split("\n")) {
            int at = line.indexOf("\"client\":\"10.0.0.1:");
            if (at >= 0) {
                ports.add(line.substring(at + 19, line.indexOf('"', at + 19)) + (line.contains("snapshot") ? "s" : ""));
            }
        }
        return ports;
    }

    @Test
    void printsEveryRecordInOrderWithSnapshotsWhereTheyWereTaken() {
        // an output slower than the producer, so that the queue fills and the producer waits
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                bytes.write(b, off, len);
            }
        };
        List<String> expected = new ArrayList<>();
        try (FlowPrintThread printer = new FlowPrintThread(new FlowPrinter(new PrintStream(slow, false,
                StandardCharsets.UTF_8), true), FlowPrintThread.FILE_BATCH)) {
            for (int port = 1; port <= 20_000; port++) {
                printer.print(udp(port, FlowState.CLOSED));
                expected.add(Integer.toString(port));
                if (port == 300 || port == 5_000) { // in the middle of a batch
                    printer.snapshot(List.of(udp(60_000 + port, FlowState.ACTIVE)), 3_000_000_000L);
                    expected.add((60_000 + port) + "s");
                    printer.flush();
                }
            }
        }
        List<String> printed = ports(bytes.toString(StandardCharsets.UTF_8));
        int i = 0;
        while (i < Math.min(expected.size(), printed.size()) && expected.get(i).equals(printed.get(i))) {
            i++;
        }
        assertEquals(expected.size(), i, "line " + i + " of " + printed.size() + ": expected flow "
                + (i < expected.size() ? expected.get(i) : "none") + ", printed "
                + (i < printed.size() ? printed.get(i) : "none"));
        assertEquals(expected.size(), printed.size());
    }

    /** Live, flush runs once a second: with nothing new it must not wake the printer's thread. */
    @Test
    void aFlushWithNothingNewLeavesTheOutputAlone() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int[] flushes = {0};
        OutputStream out = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                bytes.write(b);
            }

            @Override
            public synchronized void flush() {
                flushes[0]++;
            }
        };
        try (FlowPrintThread printer = new FlowPrintThread(new FlowPrinter(new PrintStream(out, false,
                StandardCharsets.UTF_8), true), FlowPrintThread.FILE_BATCH)) {
            for (int round = 1; round <= 2; round++) {
                for (int i = 0; i < 5; i++) {
                    printer.flush(); // nothing new: no task for the thread
                }
                printer.print(udp(round, FlowState.CLOSED));
                printer.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (flushes(out, flushes) < round && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                // the idle flushes were queued before the line: had one reached the output, this one would be early
                assertEquals(round, ports(contents(bytes)).size(), "lines when the output saw flush " + round);
                Thread.sleep(50);
                assertEquals(round, flushes(out, flushes), "flushes that reached the output after round " + round);
            }
        }
    }

    /** Live, records cross when the reader has caught up, or when a live batch is full; not every 256. */
    @Test
    void liveRecordsCrossWhenHandedOverOrWhenALiveBatchIsFull() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (bytes) {
                    bytes.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (bytes) {
                    bytes.write(b, off, len);
                }
            }
        };
        int batch = FlowPrintThread.LIVE_BATCH;
        try (FlowPrintThread printer = new FlowPrintThread(new FlowPrinter(new PrintStream(out, false,
                StandardCharsets.UTF_8), true), batch)) {
            for (int port = 1; port < batch; port++) {
                printer.print(udp(port, FlowState.CLOSED));
            }
            Thread.sleep(200);
            // had they crossed 256 at a time, the printer's 32 KiB writes would have reached the output by now
            assertEquals("", contents(bytes), "output before the hand-over");
            printer.handOver();
            awaitLines(bytes, batch - 1 - 300); // what the printer's buffer does not hold back

            for (int port = batch; port < 2 * batch; port++) { // a full batch crosses with no hand-over
                printer.print(udp(port, FlowState.CLOSED));
            }
            awaitLines(bytes, 2 * batch - 1 - 300);
        }
        List<String> printed = ports(contents(bytes));
        assertEquals(2 * batch - 1, printed.size());
        assertEquals("1", printed.get(0));
        assertEquals(Integer.toString(2 * batch - 1), printed.get(printed.size() - 1));
    }

    private static void awaitLines(ByteArrayOutputStream bytes, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ports(contents(bytes)).size() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        int lines = ports(contents(bytes)).size();
        assertTrue(lines >= atLeast, lines + " lines out, expected at least " + atLeast);
    }

    private static int flushes(OutputStream out, int[] flushes) {
        synchronized (out) {
            return flushes[0];
        }
    }

    private static String contents(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFailureOnThePrintersThreadReachesTheCallerWhichNeverWaitsForever() {
        PrintStream failing = new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) {
                throw new IllegalArgumentException("no room for lines");
            }
        };
        FlowPrintThread printer = new FlowPrintThread(new FlowPrinter(failing, true), FlowPrintThread.FILE_BATCH);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (printer) {
                for (int i = 0; i < 1_000_000; i++) { // more batches than the queue holds: the thread keeps taking them
                    printer.print(udp(i & 0xffff, FlowState.CLOSED));
                }
            }
        });
        assertEquals("printing flows failed: no room for lines", e.getMessage());
        printer.close(); // once is enough
    }
}
