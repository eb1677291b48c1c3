package io.podcap.pcap;

import io.podcap.capture.PacketHandler;
import io.podcap.capture.PacketSource;
import io.podcap.capture.PacketView;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads a pcap or pcapng file and hands its packets to a {@link PacketHandler}, the same way a live capture does.
 *
 * <p>Allocation-free per packet: the file is read through one large reusable buffer and one {@link PacketView} is
 * re-pointed at each packet. A batch ({@link #read}) never spans a refill of that buffer, so every packet of a batch
 * stays in place until {@link PacketHandler#onBatchEnd()} returns; a batch may therefore hold fewer packets than
 * asked for. Not thread-safe.
 *
 * <p>Errors are {@link PcapFormatException}s with a one-line message naming the file. When the file is cut short or
 * a record is malformed, every complete packet before it is delivered (and its batch ended) before the exception is
 * thrown.
 */
public final class PcapReader implements AutoCloseable {
    private static final int READ_ALL_BATCH = 4096;

    private final Path file;
    private final ReadableByteChannel channel;
    private final ReadBuffer in;
    private final RecordDecoder decoder;
    private final PacketSource source;
    private final PacketView view = new PacketView();
    private List<PcapInterface> interfacesCopy = List.of();
    private long packetsRead;
    private long bytesRead;
    private boolean closed;

    private PcapReader(Path file, ReadableByteChannel channel, ReadBuffer in, RecordDecoder decoder) {
        this.file = file;
        this.channel = channel;
        this.in = in;
        this.decoder = decoder;
        Path name = file.getFileName();
        this.source = new FileSource(name == null ? file.toString() : name.toString(), decoder.interfaces);
    }

    /** Opens a file, telling the format by its magic number, and reads its header. */
    public static PcapReader open(Path file) throws IOException {
        return open(file, ReadBuffer.DEFAULT_CAPACITY);
    }

    /**
     * Reads a capture from a stream (standard input, a pipe from a remote tcpdump, a socket) instead of a file, read
     * once from start to end; {@code name} stands for it in errors and as the packets' source. Closing the reader
     * closes the stream.
     */
    public static PcapReader open(ReadableByteChannel in, String name) throws IOException {
        return open(in, Path.of(name), ReadBuffer.DEFAULT_CAPACITY);
    }

    /** With a given read buffer size (it still grows for a larger record). */
    static PcapReader open(Path file, int bufferBytes) throws IOException {
        return open(openChannel(file), file, bufferBytes);
    }

    private static PcapReader open(ReadableByteChannel ch, Path file, int bufferBytes) throws IOException {
        try {
            ReadBuffer in = new ReadBuffer(ch, bufferBytes);
            if (in.fill(2) && in.getUnsignedByte(in.pos) == 0x1f && in.getUnsignedByte(in.pos + 1) == 0x8b) {
                // gzip, as rotated captures often are (tshark and Wireshark read them too); byte offsets in errors
                // are then the uncompressed capture's
                in = new ReadBuffer(new GunzipChannel(file, in.unparsed()), bufferBytes);
            }
            RecordDecoder decoder = decoderFor(file, in);
            decoder.readHeader();
            return new PcapReader(file, ch, in, decoder);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Reads up to {@code maxPackets} packets, calling {@code handler.onPacket} for each and {@code onBatchEnd} once
     * after them. Returns how many were delivered (at least one), or -1 at the end of the file.
     */
    public int read(PacketHandler handler, int maxPackets) throws IOException {
        if (closed) {
            throw new IllegalStateException("reader is closed");
        }
        if (maxPackets <= 0) {
            return 0;
        }
        int n = 0;
        try {
            while (n < maxPackets) {
                int r = decoder.next();
                if (r == RecordDecoder.PACKET) {
                    RecordDecoder d = decoder;
                    view.wrap(in.viewBuf(), d.dataOffset, d.caplen, d.wirelen, d.tsNanos, d.ifindex, d.linkType,
                            source);
                    packetsRead++;
                    bytesRead += d.caplen;
                    n++;
                    handler.onPacket(view);
                } else if (r == RecordDecoder.NEED_MORE) {
                    if (n > 0) {
                        break; // refilling would move the bytes under this batch's packets
                    }
                    if (!in.fill(decoder.need)) {
                        if (in.available() == 0) {
                            return -1;
                        }
                        throw decoder.truncated();
                    }
                }
            }
        } catch (PcapFormatException e) {
            if (n > 0) {
                handler.onBatchEnd(); // the packets before a malformed record are whole: a handler may hold them
            }
            throw e;
        }
        handler.onBatchEnd();
        return n;
    }

    /** Reads to the end of the file; returns the number of packets. */
    public long readAll(PacketHandler handler) throws IOException {
        long total = 0;
        int n;
        while ((n = read(handler, READ_ALL_BATCH)) >= 0) {
            total += n;
        }
        return total;
    }

    public PcapFormat format() {
        return decoder.format();
    }

    /**
     * Interfaces known so far: for pcapng those defined before the first packet once opened, more as later
     * interface blocks are read; for classic pcap the single interface 0.
     */
    public List<PcapInterface> interfaces() {
        if (interfacesCopy.size() != decoder.interfaces.size()) {
            interfacesCopy = List.copyOf(decoder.interfaces);
        }
        return interfacesCopy;
    }

    /** What the packets' {@link PacketView#source()} is: {@code file:NAME}. */
    public PacketSource source() {
        return source;
    }

    public Path file() {
        return file;
    }

    public long packetsRead() {
        return packetsRead;
    }

    /** Captured bytes of the packets delivered (the sum of their caplen). */
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    private static FileChannel openChannel(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a capture file");
        }
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(file.toString(), null, "permission denied");
        }
    }

    private static RecordDecoder decoderFor(Path file, ReadBuffer in) throws IOException {
        if (!in.fill(4)) {
            throw new PcapFormatException(file, 0, in.available() == 0
                    ? "empty file, not a pcap or pcapng file"
                    : "not a pcap or pcapng file (only " + in.available() + " bytes)");
        }
        int magic = in.getIntLE(0);
        if (magic == ClassicPcapDecoder.MAGIC_MICROS || magic == ClassicPcapDecoder.MAGIC_NANOS) {
            return new ClassicPcapDecoder(file, in, ByteOrder.LITTLE_ENDIAN, magic == ClassicPcapDecoder.MAGIC_NANOS);
        }
        int swapped = Integer.reverseBytes(magic);
        if (swapped == ClassicPcapDecoder.MAGIC_MICROS || swapped == ClassicPcapDecoder.MAGIC_NANOS) {
            return new ClassicPcapDecoder(file, in, ByteOrder.BIG_ENDIAN, swapped == ClassicPcapDecoder.MAGIC_NANOS);
        }
        if (magic == PcapngBlocks.SHB) {
            return new PcapngDecoder(file, in);
        }
        throw new PcapFormatException(file, 0,
                "not a pcap or pcapng file (magic 0x" + String.format("%08x", magic) + ")");
    }
}
