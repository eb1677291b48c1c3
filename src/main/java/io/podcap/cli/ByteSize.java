package io.podcap.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/** A size such as {@code 4096}, {@code 64K}, {@code 100M} or {@code 1G} (binary multiples; a trailing B or iB is fine). */
final class ByteSize implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(?:I?B)?");

    @Override
    public Long convert(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 500K, 100M, 1G)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        int shift = unit.isEmpty() ? 0 : 10 * ("KMGT".indexOf(unit) + 1);
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("size too large: " + text);
        }
        return n << shift;
    }
}
