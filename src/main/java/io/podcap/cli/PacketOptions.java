package io.podcap.cli;

import io.podcap.capture.CaptureOptions;
import io.podcap.capture.PacketHandler;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What every capturing command asks alike: which interface, which packets, how much of each, how much memory. */
final class PacketOptions {
    /** No picocli default, so that one given with {@code --read} can be told from none. */
    @Option(names = {"-i", "--iface"}, description = "Interface in the namespace (default any).")
    String iface;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "Capture filter, tcpdump syntax.")
    String filter = "";

    @Option(names = {"-s", "--snaplen"}, defaultValue = "262144", description = "Bytes kept per packet.")
    int snaplen;

    @Option(names = "--buffer-size", paramLabel = "BYTES",
            description = "Kernel capture buffer per namespace (default 32 MiB; 4 MiB each when capturing several).")
    Integer bufferSize;

    @Option(names = "--ring-size", paramLabel = "BYTES", description = "Ring the reader copies packets into before"
            + " handing them on, one per command, a power of two (default 1 MiB).")
    Integer ringSize;

    PacketOptions() {}

    /** With a filter other than none by default (picocli keeps a mixin the command made itself). */
    PacketOptions(String defaultFilter) {
        this.filter = defaultFilter;
    }

    /**
     * Sets interface, filter, snaplen and buffer sizes. The kernel's buffer is held for as long as a namespace is
     * captured, so with {@code several} (--all-pods on a node of a hundred pods) it is 4 MiB a namespace instead of 32.
     */
    <B extends CaptureOptions<B>> B configure(B builder, boolean several) {
        return builder.device(iface()).filter(filter).snaplen(snaplen).bufferSize(bufferSize(several))
                .ringSize(ringSize());
    }

    /** For {@code --read}: the interface and buffer sizes are a live capture's, so given with it they are an error. */
    void checkForRead() {
        List<String> given = new ArrayList<>();
        if (iface != null) {
            given.add("--iface");
        }
        if (bufferSize != null) {
            given.add("--buffer-size");
        }
        if (ringSize != null) {
            given.add("--ring-size");
        }
        FileReads.liveOnly(!given.isEmpty(), String.join(", ", given));
    }

    String iface() {
        return iface != null ? iface : "any";
    }

    int bufferSize(boolean several) {
        return bufferSize != null ? bufferSize : several ? 4 << 20 : 32 << 20;
    }

    int ringSize() {
        return ringSize != null ? ringSize : 1 << 20;
    }

    /** For {@code --read}: the file's packets through the filter, compiled by libpcap as a live capture's would be. */
    PacketHandler filtered(PacketHandler next) {
        return filter.isEmpty() ? next : new OfflineFilter(filter, snaplen, next);
    }
}
