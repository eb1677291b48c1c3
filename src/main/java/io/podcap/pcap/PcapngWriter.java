package io.podcap.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Writes pcapng: one section per file, nanosecond timestamps, optional rotation by size and/or time.
 * A failure while writing or rotating ends the writer; the owner sees the exception and opens a new one if it wants.
 *
 * <p>Not thread-safe: one thread (the capture consumer) owns the writer. {@link #writePacket} allocates nothing: it
 * stages the block in a reusable direct buffer and writes to the file only when that buffer is full (or on
 * {@link #flush()}). Each rotated file is complete on its own: it starts with the section header and all interface
 * blocks added so far, in the same order, so interface ids mean the same in every file.
 */
public final class PcapngWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PcapngWriter.class);
    static final int STAGING_BYTES = 1 << 20;

    private final Path path;
    private final FileRotation rotation;
    private final LongSupplier clock;
    private final Consumer<PcapngWriter> beforeFileClose;
    private final byte[] shb;
    private final List<byte[]> idbs = new ArrayList<>();
    private final boolean special;

    private ByteBuffer stagingNio;
    private ByteBuf staging;       // same memory as stagingNio; writerIndex = staged bytes
    private FileChannel channel;
    private Path currentPath;
    private long fileBytes;        // bytes of the current file, staged ones included
    private long filePackets;
    private long fileOpenedMillis;
    private boolean finishingFile; // the hook is running: no rotation from inside it
    private boolean closed;

    private long packetsWritten;
    private long bytesWritten;
    private int filesWritten;

    private PcapngWriter(Builder b) throws IOException {
        this.path = Objects.requireNonNull(b.path, "path");
        this.clock = b.clock;
        this.beforeFileClose = b.beforeFileClose;
        this.special = OutputFiles.isSpecial(path);
        long size = special ? 0 : b.rotateSizeBytes;
        long seconds = special ? 0 : b.rotateSeconds;
        if (special && (b.rotateSizeBytes > 0 || b.rotateSeconds > 0)) {
            log.warn("{} is not a regular file; not rotating", path);
        }
        this.rotation = new FileRotation(path, size, seconds, b.keep);
        this.shb = PcapngBlocks.shb(System.getProperty("os.name") + " " + System.getProperty("os.version"),
                b.userAppl);
        allocateStaging(STAGING_BYTES);
        openFile();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Declares an interface and returns its id for {@link #writePacket}. May be called at any time; the IDB goes
     * into the current file now and into every later file.
     */
    public int addInterface(String name, String description, int linkType, int snaplen) throws IOException {
        return addInterface(name, description, linkType, snaplen, null);
    }

    /** As {@link #addInterface(String, String, int, int)}, recording the capture filter (if_filter). */
    public int addInterface(String name, String description, int linkType, int snaplen, String filter)
            throws IOException {
        ensureOpen();
        if (linkType < 0 || linkType > 0xFFFF) {
            throw new IllegalArgumentException("link type out of range: " + linkType);
        }
        byte[] idb = PcapngBlocks.idb(name, description, linkType, snaplen, filter);
        idbs.add(idb);
        stage(idb);
        return idbs.size() - 1;
    }

    /**
     * Writes an Enhanced Packet Block with {@code caplen} bytes of {@code buf} from absolute index {@code offset}
     * (the buffer's indexes are not touched). Allocation-free.
     */
    public void writePacket(int ifaceId, long tsNanos, ByteBuf buf, int offset, int caplen, int wirelen)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("writer is closed");
        }
        if (ifaceId < 0 || ifaceId >= idbs.size()) {
            throw new IllegalArgumentException("unknown interface id " + ifaceId);
        }
        if (caplen < 0 || wirelen < caplen) {
            throw new IllegalArgumentException("bad lengths: caplen " + caplen + ", wirelen " + wirelen);
        }
        int len = PcapngBlocks.epbLength(caplen);
        if (!finishingFile && filePackets > 0) {
            maybeRotate(len);
        }
        reserve(len);
        PcapngBlocks.writeEpb(staging, ifaceId, tsNanos, buf, offset, caplen, wirelen);
        fileBytes += len;
        bytesWritten += len;
        filePackets++;
        packetsWritten++;
    }

    /**
     * Writes an Interface Statistics Block. Counters that are negative are unknown and left out; pcapng has no
     * option for drops in our ring, so those go in a comment {@code ring_dropped=N}.
     *
     * <p>Meant to be called from the {@link Builder#beforeFileClose} hook, a {@code Consumer}, so a failed write
     * surfaces as {@link UncheckedIOException} (and from {@link #close()} as the IOException it wraps).
     */
    public void writeInterfaceStatistics(int ifaceId, long tsNanos, long received, long kernelDropped,
                                         long interfaceDropped, long ringDropped, long delivered) {
        ensureOpen();
        if (ifaceId < 0 || ifaceId >= idbs.size()) {
            throw new IllegalArgumentException("unknown interface id " + ifaceId);
        }
        try {
            stage(PcapngBlocks.isb(ifaceId, tsNanos, received, kernelDropped, interfaceDropped, ringDropped,
                    delivered));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes out everything staged. A failed write (disk full...) leaves the file incomplete, so it ends the
     * writer: later writes throw {@link IllegalStateException}.
     */
    public void flush() throws IOException {
        if (channel == null || staging.writerIndex() == 0) {
            return;
        }
        stagingNio.clear().limit(staging.writerIndex());
        try {
            while (stagingNio.hasRemaining()) {
                channel.write(stagingNio);
            }
        } catch (IOException | RuntimeException e) {
            closed = true;
            FileChannel ch = channel;
            channel = null;
            closeChannel(ch, e);
            throw e;
        } finally {
            staging.clear();
        }
    }

    /** Runs the before-close hook, flushes and closes the file. Calling it again does nothing. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            finishFile();
        } finally {
            closed = true;
        }
    }

    public long packetsWritten() {
        return packetsWritten;
    }

    /** Bytes of all blocks written (headers included), over all files. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Files started, the current one included. */
    public int filesWritten() {
        return filesWritten;
    }

    /** The file being written now (the given path itself unless rotating). */
    public Path currentPath() {
        return currentPath;
    }

    /** Number of interfaces added. */
    public int interfaceCount() {
        return idbs.size();
    }

    private void maybeRotate(int nextBlockLen) throws IOException {
        if (rotation.bySize() && rotation.sizeExceeded(fileBytes, nextBlockLen)
                || rotation.byTime() && rotation.timeExceeded(fileOpenedMillis, clock.getAsLong())) {
            try {
                finishFile();
                openFile();
            } catch (IOException | RuntimeException e) {
                closed = true; // no complete file to write to any more
                throw e;
            }
        }
    }

    private void openFile() throws IOException {
        fileOpenedMillis = clock.getAsLong();
        Path next = rotation.nextPath(fileOpenedMillis);
        channel = OutputFiles.open(next);
        currentPath = next;
        filesWritten++;
        fileBytes = 0;
        filePackets = 0;
        rotation.created(next);
        log.debug("writing {}", next);
        stage(shb);
        for (byte[] idb : idbs) {
            stage(idb);
        }
    }

    private void finishFile() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            return;
        }
        try {
            if (beforeFileClose != null) {
                finishingFile = true;
                try {
                    beforeFileClose.accept(this);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                } finally {
                    finishingFile = false;
                }
            }
            flush();
        } finally {
            channel = null;
            staging.clear();
            closeChannel(ch, null);
        }
    }

    /** Closes a file (never stdout); with {@code failure} set, a close error is added to it instead of thrown. */
    private void closeChannel(FileChannel ch, Exception failure) throws IOException {
        if (OutputFiles.isStdout(currentPath)) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
    }

    private void stage(byte[] block) throws IOException {
        reserve(block.length);
        staging.writeBytes(block);
        fileBytes += block.length;
        bytesWritten += block.length;
    }

    /** Makes room for {@code len} bytes, flushing first; grows only for a block bigger than the whole buffer. */
    private void reserve(int len) throws IOException {
        if (staging.writableBytes() >= len) {
            return;
        }
        flush();
        if (staging.capacity() < len) {
            allocateStaging(len);
        }
    }

    private void allocateStaging(int capacity) {
        stagingNio = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        staging = Unpooled.wrappedBuffer(stagingNio).clear();
    }

    private void ensureOpen() {
        if (closed || channel == null) {
            throw new IllegalStateException("writer is closed");
        }
    }

    public static final class Builder {
        private Path path;
        private long rotateSizeBytes;
        private long rotateSeconds;
        private int keep;
        private LongSupplier clock = System::currentTimeMillis;
        private String userAppl = "podcap";
        private Consumer<PcapngWriter> beforeFileClose;

        private Builder() {
        }

        /** Output file; {@code -} writes to stdout. Devices and FIFOs are written as they are, without rotation. */
        public Builder path(Path path) {
            this.path = path;
            return this;
        }

        /** Start a new file before one would grow beyond this many bytes (0: no size limit). */
        public Builder rotateSizeBytes(long bytes) {
            this.rotateSizeBytes = bytes;
            return this;
        }

        /** Start a new file when the current one is this old (0: no time limit). */
        public Builder rotateSeconds(long seconds) {
            this.rotateSeconds = seconds;
            return this;
        }

        /** Keep at most this many rotated files, the current one included, deleting the oldest (0: keep all). */
        public Builder keep(int files) {
            this.keep = files;
            return this;
        }

        /** Wall clock in milliseconds, for file names and time rotation. */
        public Builder clock(LongSupplier millis) {
            this.clock = Objects.requireNonNull(millis);
            return this;
        }

        /** shb_userappl of each section. */
        public Builder userAppl(String userAppl) {
            this.userAppl = userAppl;
            return this;
        }

        /** Called just before each file is finished (rotation and close), e.g. to write statistics blocks. */
        public Builder beforeFileClose(Consumer<PcapngWriter> hook) {
            this.beforeFileClose = hook;
            return this;
        }

        public PcapngWriter open() throws IOException {
            return new PcapngWriter(this);
        }
    }
}
