package io.podcap.netfilter;

/** Something netfilter reported about a packet or a connection: a LOG/NFLOG record, a trace hop, a conntrack event. */
public sealed interface NetfilterEvent permits LogEvent, TraceHop, ConntrackEvent {
    /** When it happened, in nanoseconds since the epoch, or -1 when the source gives no usable time. */
    long timeNanos();

    /** Where it came from. */
    Source source();

    enum Source {
        LOG("log"), NFLOG("nflog"), LEGACY_TRACE("trace"), XTABLES_MONITOR("xtables-monitor"),
        NFT_MONITOR("nft-monitor"), CONNTRACK("conntrack");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
