package io.podcap.flow;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Recognizes the start of an HTTP/1.x request and copies its first line, without allocating. */
final class HttpRequestLine {
    private static final byte[][] METHODS = {
            ascii("GET "), ascii("POST "), ascii("PUT "), ascii("HEAD "), ascii("DELETE "), ascii("OPTIONS "),
            ascii("PATCH "), ascii("CONNECT "), ascii("TRACE ")};

    private HttpRequestLine() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Copies the request line at {@code offset} (up to CR or LF, at most {@code dst.length} bytes, printable ASCII
     * only) into {@code dst}; returns its length.
     */
    static int copy(ByteBuf buf, int offset, int length, byte[] dst) {
        int n = Math.min(length, dst.length);
        for (int i = 0; i < n; i++) {
            byte b = buf.getByte(offset + i);
            if (b == '\r' || b == '\n') {
                return i;
            }
            dst[i] = b >= 0x20 && b < 0x7f ? b : (byte) '?';
        }
        return n;
    }

    /** Whether the bytes at {@code offset} start with an HTTP/1.x method and a space. */
    static boolean startsWithMethod(ByteBuf buf, int offset, int length) {
        for (byte[] m : METHODS) {
            if (length >= m.length && matches(buf, offset, m)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(ByteBuf buf, int offset, byte[] m) {
        for (int i = 0; i < m.length; i++) {
            if (buf.getByte(offset + i) != m[i]) {
                return false;
            }
        }
        return true;
    }

    static String text(byte[] line, int length) {
        return new String(line, 0, length, StandardCharsets.US_ASCII);
    }
}
