package io.podcap.pcap;

/** Capture file formats {@link PcapReader} reads. */
public enum PcapFormat {
    /** Classic libpcap format, microsecond or nanosecond timestamps, either byte order. */
    PCAP,
    /** pcapng, any number of sections and interfaces. */
    PCAPNG
}
