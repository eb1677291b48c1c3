package io.podcap.pcap;

/**
 * An interface of a capture file. {@code id} is what packets carry as {@code ifindex}: for pcapng the interface's
 * index counted over the whole file (sections after the first continue the numbering, as in Wireshark), for classic
 * pcap always 0. {@code name} and {@code description} are null when the file does not say.
 */
public record PcapInterface(int id, String name, String description, int linkType, int snaplen) {
}
