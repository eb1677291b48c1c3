package io.podcap.flow;

import java.util.List;

/**
 * One flow as an immutable value: made when a flow ends (and for snapshots), never per packet.
 *
 * @param protocol          IP protocol number ({@link io.podcap.decode.IpProtocol})
 * @param ipVersion         4 or 6
 * @param clientAddress     the client's address in text form; which side is the client: see {@link FlowTable}
 * @param clientPort        -1 for protocols without ports
 * @param firstTimestampNanos first packet, nanoseconds since the epoch
 * @param c2sBytes          bytes client to server, counted as the packets' lengths on the wire with their link headers
 *                          (as tcpdump and tshark count frames)
 * @param handshakeRttNanos from the client's last SYN to its ACK of the SYN-ACK; -1 when not seen
 * @param synRetransmits    client SYNs after the first
 * @param retransmits       TCP segments (data, FIN, or a repeated SYN-ACK) whose sequence numbers were already seen
 * @param rstFrom           who sent the first RST, or null
 * @param finFrom           who sent a FIN (possibly {@link Side#BOTH}), or null
 * @param zeroWindow        segments advertising a zero receive window
 * @param iface             interface it was seen on, as its source names it
 * @param netns             where it was seen: its packet source's {@code namespace(ifindex)} (a spec label, a capture
 *                          group member's description, {@code file:NAME}, or for a file podcap wrote the namespace
 *                          its interface block names); null when the packets had no source
 * @param httpRequest       the first HTTP/1.x request line the client sent, when its payload was captured, or null
 * @param flags             user flags set by listeners ({@link FlowTable#orFlags})
 */
public record FlowRecord(int protocol, int ipVersion, String clientAddress, int clientPort, String serverAddress,
                         int serverPort, long firstTimestampNanos, long lastTimestampNanos, long c2sPackets,
                         long c2sBytes, long s2cPackets, long s2cBytes, FlowState state, FlowEnd end,
                         long handshakeRttNanos, int synRetransmits, int retransmits, Side rstFrom, Side finFrom,
                         int zeroWindow, String iface, String netns, String httpRequest, List<FlowProblem> problems,
                         int flags) {

    /** {@code ip:port}, {@code [v6]:port}, or the bare address for protocols without ports. */
    public String client() {
        return endpoint(clientAddress, clientPort);
    }

    public String server() {
        return endpoint(serverAddress, serverPort);
    }

    public boolean hasProblem(FlowProblem p) {
        return problems.contains(p);
    }

    private String endpoint(String address, int port) {
        if (port < 0) {
            return address;
        }
        return ipVersion == 6 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
