package io.podcap.cli;

import io.podcap.capture.PacketHandler;
import picocli.CommandLine.Option;

/** What every capturing command asks alike: which interface, which packets, how much of each. */
final class PacketOptions {
    @Option(names = {"-i", "--iface"}, defaultValue = "any", description = "Interface in the namespace (default any).")
    String iface;

    @Option(names = {"-f", "--filter"}, paramLabel = "BPF", description = "Capture filter, tcpdump syntax.")
    String filter = "";

    @Option(names = {"-s", "--snaplen"}, defaultValue = "262144", description = "Bytes kept per packet.")
    int snaplen;

    PacketOptions() {}

    /** With a filter other than none by default (picocli keeps a mixin the command made itself). */
    PacketOptions(String defaultFilter) {
        this.filter = defaultFilter;
    }

    /** For {@code --read}: the file's packets through the filter, compiled by libpcap as a live capture's would be. */
    PacketHandler filtered(PacketHandler next) {
        return filter.isEmpty() ? next : new OfflineFilter(filter, snaplen, next);
    }
}
