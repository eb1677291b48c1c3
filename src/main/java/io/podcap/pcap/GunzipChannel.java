package io.podcap.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A gzip stream as a channel. A stream cut short ends where it is cut, so that the capture's last whole packet is
 * read and the cut reported as the capture's; damaged compressed data is a format error after the packets before.
 */
final class GunzipChannel implements ReadableByteChannel {
    private final Path file;
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private boolean open = true;

    GunzipChannel(Path file, InputStream compressed) throws IOException {
        this.file = file;
        try {
            this.in = new GZIPInputStream(compressed, 1 << 16);
        } catch (EOFException e) {
            throw new PcapFormatException(file, 0, "truncated gzip header");
        } catch (ZipException e) {
            throw new PcapFormatException(file, 0, "damaged gzip header (" + e.getMessage() + ")");
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            int n = in.read(chunk, 0, Math.min(chunk.length, dst.remaining()));
            if (n > 0) {
                dst.put(chunk, 0, n);
            }
            return n;
        } catch (EOFException cut) {
            return -1;
        } catch (ZipException e) {
            throw new PcapFormatException(file, -1, "damaged gzip data (" + e.getMessage() + ")");
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        in.close();
    }
}
