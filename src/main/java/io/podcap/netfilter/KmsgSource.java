package io.podcap.netfilter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernel log records from {@code /dev/kmsg} (LOG target lines, legacy TRACE lines), read on their own thread from
 * now on: records older than the start are skipped. Inside a namespace other than the host's, LOG writes nothing
 * unless {@code net.netfilter.nf_log_all_netns=1}.
 */
public final class KmsgSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KmsgSource.class);
    private static final Path KMSG = Path.of("/dev/kmsg");

    private final FileChannel channel;
    private final Thread reader;
    private final KernelLogParser parser;
    private volatile long old;

    public KmsgSource(Consumer<? super NetfilterEvent> sink) throws IOException {
        this.channel = FileChannel.open(KMSG, StandardOpenOption.READ);
        long now = ToolSource.now();
        // kmsg stamps records with the monotonic clock, which System.nanoTime reads too
        this.parser = new KernelLogParser(now - System.nanoTime());
        long since = now - 1_000_000_000L;
        this.reader = new Thread(() -> read(e -> {
            if (e.timeNanos() >= since) {
                sink.accept(e);
            } else {
                old++;
            }
        }), "podcap-kmsg");
        reader.setDaemon(true);
        reader.start();
    }

    /** Whether nf_log_all_netns is on, so that LOG rules in namespaces other than the host's write to the log. */
    public static boolean logsAllNamespaces() {
        try {
            return "1".equals(Files.readString(Path.of("/proc/sys/net/netfilter/nf_log_all_netns"))
                    .strip());
        } catch (IOException e) {
            return false;
        }
    }

    private void read(Consumer<NetfilterEvent> sink) {
        ByteBuffer buf = ByteBuffer.allocate(8192); // one read returns one record
        while (true) {
            buf.clear();
            int n;
            try {
                n = channel.read(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // EPIPE: records were overwritten before we read them; the next read goes on from the oldest left
                log.debug("/dev/kmsg: {}", e.getMessage());
                continue;
            }
            if (n < 0) {
                return;
            }
            String record = new String(buf.array(), 0, n, StandardCharsets.UTF_8);
            int newline = record.indexOf('\n');
            parser.parse(newline < 0 ? record : record.substring(0, newline), sink);
        }
    }

    public KernelLogParser parser() {
        return parser;
    }

    /** Records from before the start, skipped. */
    public long old() {
        return old;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        channel.close();
        reader.interrupt();
        reader.join(2000);
    }
}
