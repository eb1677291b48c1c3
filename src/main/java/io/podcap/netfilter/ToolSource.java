package io.podcap.netfilter;

import io.podcap.ns.NamespaceSpec;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A monitoring tool run inside a namespace ({@code xtables-monitor --trace}, {@code nft monitor trace},
 * {@code conntrack -E}) whose output lines a parser turns into events. Reads on its own thread; {@link #close()}
 * stops the tool and waits for the last line.
 */
public final class ToolSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ToolSource.class);

    private final List<String> command;
    private final Process process;
    private final Thread reader;
    private final LineParser parser;
    private volatile String lastError;

    private ToolSource(List<String> command, LineParser parser, Consumer<? super NetfilterEvent> sink)
            throws IOException {
        this.command = command;
        this.parser = parser;
        this.process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        this.reader = new Thread(() -> read(sink), "podcap-" + command.get(command.size() - 1));
        reader.setDaemon(true);
        reader.start();
        Thread errors = new Thread(this::readErrors, "podcap-stderr");
        errors.setDaemon(true);
        errors.start();
    }

    /** {@code xtables-monitor --trace} in the namespace. */
    public static ToolSource xtablesMonitor(NamespaceSpec ns, Consumer<? super NetfilterEvent> sink) throws IOException {
        return new ToolSource(NamespaceCommand.inside(ns, "xtables-monitor", "--trace"),
                new XtablesMonitorParser(ToolSource::now), sink);
    }

    /** {@code nft monitor trace} in the namespace. */
    public static ToolSource nftMonitor(NamespaceSpec ns, Consumer<? super NetfilterEvent> sink) throws IOException {
        return new ToolSource(NamespaceCommand.inside(ns, "nft", "monitor", "trace"), new NftTraceParser(ToolSource::now),
                sink);
    }

    /** {@code conntrack -E -o timestamp} in the namespace. */
    public static ToolSource conntrack(NamespaceSpec ns, Consumer<? super NetfilterEvent> sink) throws IOException {
        return new ToolSource(NamespaceCommand.inside(ns, "conntrack", "-E", "-o", "timestamp"),
                new ConntrackParser(ToolSource::now), sink);
    }

    /** The wall clock in epoch nanoseconds: how live sources stamp lines that carry no time. */
    public static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private void read(Consumer<? super NetfilterEvent> sink) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                parser.parse(line, sink);
            }
        } catch (IOException e) {
            log.debug("{} output ended: {}", command, e.getMessage());
        }
    }

    private void readErrors() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lastError = line;
                log.debug("{}: {}", command.get(command.size() - 1), line);
            }
        } catch (IOException e) {
            // the tool ended
        }
    }

    /**
     * Waits until the tool has opened its netlink socket (it subscribes right after), at most {@code timeout}; false
     * when it has not, or has ended.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
        while (process.isAlive() && System.nanoTime() < deadline) {
            try (Stream<java.nio.file.Path> list = Files.list(fds)) {
                if (list.anyMatch(ToolSource::isSocket)) {
                    Thread.sleep(50); // from socket() to bind() with the groups
                    return true;
                }
            } catch (IOException e) {
                // not there yet, or gone: the loop checks
            }
            Thread.sleep(10);
        }
        return false;
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the tool is still running; when not, {@link #lastError()} usually says why. */
    public boolean isAlive() {
        return process.isAlive();
    }

    public String lastError() {
        return lastError;
    }

    public String command() {
        return String.join(" ", command);
    }

    public LineParser parser() {
        return parser;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        reader.join(2000);
    }
}
