package io.podcap.netfilter;

/**
 * A packet logged by an iptables/nft LOG rule (a kernel log line) or an NFLOG rule (a netlink record). The prefix is
 * the rule's {@code --log-prefix}/{@code --nflog-prefix}, trimmed; {@code hook} is the netfilter hook for NFLOG records
 * ({@code PREROUTING}, {@code INPUT}, ...), null for kernel log lines, which do not say.
 */
public record LogEvent(Source source, long timeNanos, String prefix, String hook, PacketFields packet)
        implements NetfilterEvent {
}
