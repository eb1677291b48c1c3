package io.podcap.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM ask a command to stop: it then finishes its files and exits 0 on its own (the JVM's default
 * would run shutdown hooks and exit 130 or 143 while the files are still being written). A second signal exits at
 * once, with 128 + the signal's number.
 */
final class StopSignals implements AutoCloseable {
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    StopSignals(PrintStream err, Runnable stop) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, s -> {
                if (stopping.getAndSet(true)) {
                    Runtime.getRuntime().halt(128 + s.getNumber());
                }
                err.println("\npodcap: SIG" + s.getName() + ", stopping (again to quit at once)");
                stop.run();
            }));
        }
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
