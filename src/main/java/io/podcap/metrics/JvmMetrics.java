package io.podcap.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The process's memory, so that a capture running for days can be watched: heap used and resident set size. */
public final class JvmMetrics {
    private static final Path STATUS = Path.of("/proc/self/status");

    private JvmMetrics() {}

    public static List<Metric> of() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        return List.of(
                Metric.gauge("podcap_jvm_heap_used_bytes", "Java heap in use (live and not yet collected)", Map.of(),
                        () -> memory.getHeapMemoryUsage().getUsed()),
                Metric.gauge("podcap_jvm_heap_after_gc_bytes",
                        "Java heap in use right after each pool's last collection: what stays (0 before any)",
                        Map.of(), () -> heapPools.stream().map(MemoryPoolMXBean::getCollectionUsage)
                                .filter(Objects::nonNull).mapToLong(MemoryUsage::getUsed).sum()),
                Metric.gauge("podcap_jvm_heap_committed_bytes", "Java heap reserved from the OS", Map.of(),
                        () -> memory.getHeapMemoryUsage().getCommitted()),
                Metric.gauge("podcap_process_resident_memory_bytes", "Resident set size (VmRSS; NaN off Linux)",
                        Map.of(), JvmMetrics::residentBytes));
    }

    /** VmRSS from /proc/self/status, in bytes; NaN when it cannot be read. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0; // "VmRSS:  123456 kB"
                }
            }
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            // not Linux, or no /proc
        }
        return Double.NaN;
    }
}
