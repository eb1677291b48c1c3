package io.podcap.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of output built straight as UTF-8 bytes, in one buffer reused after each write. A flow's line is mostly ASCII
 * field names, labels and numbers: appended as chars to a StringBuilder and encoded afterwards, the lines took twice
 * the CPU.
 */
final class LineBuffer {
    private byte[] bytes;
    private int length;

    /** Room for {@code capacity} bytes before it grows. */
    LineBuffer(int capacity) {
        bytes = new byte[capacity];
    }

    LineBuffer clear() {
        length = 0;
        return this;
    }

    int length() {
        return length;
    }

    /** An ASCII character. */
    LineBuffer append(char c) {
        room(1);
        bytes[length++] = (byte) c;
        return this;
    }

    /** ASCII text (field names, labels, addresses), copied as bytes. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): for ASCII, what is wanted, without a copy
    LineBuffer append(String ascii) {
        int n = ascii.length();
        room(n);
        ascii.getBytes(0, n, bytes, length);
        length += n;
        return this;
    }

    /** Any text, as UTF-8. */
    LineBuffer utf8(String s) {
        return utf8(s, 0, s.length());
    }

    LineBuffer utf8(String s, int from, int to) {
        room(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { // rare: the rest through the encoder (surrogate pairs, and '?' for a lone one)
                byte[] utf8 = s.substring(i, to).getBytes(StandardCharsets.UTF_8);
                room(utf8.length);
                System.arraycopy(utf8, 0, bytes, length, utf8.length);
                length += utf8.length;
                return this;
            }
            bytes[length++] = (byte) c;
        }
        return this;
    }

    /** A count: digits with int arithmetic up to 2^31 (all but the largest counters). */
    LineBuffer append(long v) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            return append(Long.toString(v));
        }
        int x = (int) v;
        int digits = 1;
        for (int p = 10; digits < 10 && x >= p; p *= 10) {
            digits++;
        }
        room(digits);
        int end = length + digits;
        for (int i = end - 1; i >= length; i--) {
            int q = x / 10;
            bytes[i] = (byte) ('0' + x - q * 10);
            x = q;
        }
        length = end;
        return this;
    }

    /** {@code v} (0 or more) in exactly {@code width} digits, zeros in front. */
    LineBuffer append(long v, int width) {
        room(width);
        int end = length + width;
        for (int i = end - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length = end;
        return this;
    }

    /** Decimal digits of a count (0 or more). */
    static int digits(long n) {
        int d = 1;
        for (long x = n; x >= 10; x /= 10) {
            d++;
        }
        return d;
    }

    /** {@code n} copies of an ASCII character (none when {@code n <= 0}). */
    LineBuffer repeat(char c, int n) {
        room(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) c;
        }
        return this;
    }

    void writeTo(PrintStream out) {
        out.write(bytes, 0, length);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private void room(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + n, 2 * bytes.length));
        }
    }
}
