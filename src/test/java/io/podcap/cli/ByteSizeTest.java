package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
    private final ByteSize size = new ByteSize();

    @Test
    void binaryMultiples() {
        assertEquals(4096L, size.convert("4096"));
        assertEquals(64L << 10, size.convert("64K"));
        assertEquals(100L << 20, size.convert("100M"));
        assertEquals(100L << 20, size.convert("100MiB"));
        assertEquals(1L << 30, size.convert("1g"));
        assertEquals(2L << 40, size.convert("2TB"));
    }

    @Test
    void nonsenseIsRefused() {
        for (String bad : new String[] {"", "M", "12Q", "-1M", "1.5G", "99999999999T"}) {
            assertThrows(IllegalArgumentException.class, () -> size.convert(bad), bad);
        }
    }
}
