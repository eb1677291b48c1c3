package io.podcap.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code podcap train} (hidden): the training run behind the JVM's AOT cache (see {@code ./podcap}). It writes the
 * warm-up's made-up traffic to a pcap file in a private temporary directory and runs {@code flows} over it, as table
 * and as JSON, so that the cache holds the classes those load and the profiles of their per-packet path; what they
 * print is not meant to be read. Only {@code flows}: with {@code capture} and {@code probes} in the same run the
 * reader's call to its handler would see three kinds of handler, too many for the compiler to inline any. The
 * directory is removed at the end.
 */
@Command(name = "train", hidden = true, description = "Training run for the JVM's AOT cache (used by ./podcap).")
final class TrainCommand implements Callable<Integer> {
    /** 131,072 packets: enough for the per-packet paths' profiles to settle, a few seconds in all. */
    static final int BATCHES = 2048;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("podcap-train"); // mode 0700
        try {
            Path pcap = dir.resolve("warm-up.pcap");
            writeClassicPcap(pcap);
            List<String[]> runs = List.of(
                    new String[] {"flows", "--read", pcap.toString()},
                    new String[] {"flows", "--json", "--read", pcap.toString()});
            for (String[] args : runs) {
                int exit = Main.run(args);
                if (exit != 0) {
                    throw new IllegalStateException("training run '" + String.join(" ", args) + "' exited " + exit);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return 0;
    }

    /** The warm-up traffic as tcpdump -w writes it: classic pcap, microseconds, Ethernet. */
    static void writeClassicPcap(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(262144).putInt(1);
            out.write(header.array());
            ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            WarmUp.feed(p -> {
                long micros = p.timestampNanos() / 1000;
                record.clear().putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000))
                        .putInt(p.caplen()).putInt(p.wirelen());
                try {
                    out.write(record.array());
                    p.data().getBytes(p.offset(), out, p.caplen());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, BATCHES);
        }
    }
}
