package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineBufferTest {
    @Test
    void countsAsLongToStringWritesThem() {
        long[] values = {0, 7, 9, 10, 99, 100, 999_999_999, 1_000_000_000, Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L, 12_345_678_901L, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        for (long v : values) {
            assertEquals(Long.toString(v), new LineBuffer(16).append(v).toString());
        }
    }

    @Test
    void zeroPaddedDigitsAndDigitCounts() {
        assertEquals("007|0000|123456|5", new LineBuffer(4).append(7, 3).append('|').append(0, 4).append('|')
                .append(123456, 6).append('|').append(5, 1).toString());
        for (long v : new long[] {0, 9, 10, 99, 100, Integer.MAX_VALUE, Long.MAX_VALUE}) {
            assertEquals(Long.toString(v).length(), LineBuffer.digits(v));
        }
    }

    @Test
    void textAsUtf8AsTheEncoderWritesIt() {
        // a surrogate pair, a lone surrogate (the encoder's '?'), two- and three-byte characters, ASCII around them
        String text = "eth0@ns-ü-中-\uD834\uDD1E-\uD834-end";
        LineBuffer b = new LineBuffer(16).append("x=").utf8(text).append(' ').utf8(text, 5, 9);
        byte[] expected = ("x=" + text + " " + text.substring(5, 9)).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(new PrintStream(out));
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test
    void growsPastItsFirstSizeAndStartsOverWhenCleared() {
        LineBuffer b = new LineBuffer(16);
        String expected = "a".repeat(1000) + "-".repeat(3000) + "12345";
        b.repeat('a', 1000).repeat('-', 3000).repeat('z', -4).append(12345);
        assertEquals(expected, b.toString());
        assertEquals(4005, b.length());
        assertEquals("ok", b.clear().append("ok").toString());
    }
}
