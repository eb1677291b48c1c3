package io.podcap.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Segments placed by position: split, overlapping, out of order, before the start and past the end. */
class PrefixBuffersTest {
    private static final int SIZE = 256;

    @Test
    void contiguousLengthGrowsOnlyOverFilledBytes() {
        PrefixBuffers p = new PrefixBuffers(2, SIZE);
        int b = p.acquire();
        ByteBuf seg = Unpooled.wrappedBuffer(bytes(100, 1));
        assertEquals(0, p.put(b, 70, seg, 0, 30)); // a hole at 0-69
        assertEquals(63, p.put(b, 0, seg, 0, 63)); // up to the hole at 63-69
        assertEquals(100, p.put(b, 60, seg, 0, 10)); // closes the hole, reaches the earlier segment's end
        assertEquals(100, p.put(b, -20, seg, 0, 20)); // entirely before the start
        assertEquals(SIZE, p.put(b, 100, Unpooled.wrappedBuffer(bytes(400, 2)), 0, 400)); // cut at the end
    }

    @Test
    void randomSegmentsAgreeWithAByteByByteModel() {
        Random random = new Random(7);
        PrefixBuffers p = new PrefixBuffers(3, SIZE);
        for (int round = 0; round < 500; round++) {
            int b = p.acquire();
            byte[] stream = bytes(SIZE + 300, round); // stream[100 + i] is byte i of the direction
            byte[] expected = new byte[SIZE];
            boolean[] filled = new boolean[SIZE];
            ByteBuf source = Unpooled.wrappedBuffer(stream);
            for (int k = 0; k < 12; k++) {
                int position = random.nextInt(SIZE + 100) - 50;
                int length = random.nextInt(130);
                int got = p.put(b, position, source, 100 + position, length);
                for (int i = Math.max(position, 0); i < Math.min(position + length, SIZE); i++) {
                    expected[i] = stream[100 + i];
                    filled[i] = true;
                }
                int contiguous = 0;
                while (contiguous < SIZE && filled[contiguous]) {
                    contiguous++;
                }
                assertEquals(contiguous, got, "round " + round + " segment " + k);
                byte[] actual = Arrays.copyOfRange(p.data(), p.offset(b), p.offset(b) + contiguous);
                assertArrayEquals(Arrays.copyOf(expected, contiguous), actual);
            }
            p.release(b);
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
            a[i] = (byte) (i * 31 + seed);
        }
        return a;
    }
}
