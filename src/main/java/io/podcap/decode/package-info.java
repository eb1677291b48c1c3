/**
 * Allocation-free header decoding of captured packets: {@link io.podcap.decode.PacketDecoder} reads link (Ethernet with
 * VLAN tags, Linux SLL/SLL2, raw IP, BSD loopback), IPv4/IPv6 (with options and extension headers) and TCP/UDP/ICMP
 * headers straight from a packet's buffer.
 */
package io.podcap.decode;
