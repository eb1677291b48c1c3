package io.podcap.decode;

/** IP protocol numbers (IANA) that {@link PacketDecoder} knows, as upper-layer protocols or IPv6 extension headers. */
public final class IpProtocol {
    public static final int HOPOPT = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int IPV6_ROUTING = 43;
    public static final int IPV6_FRAGMENT = 44;
    public static final int ESP = 50;
    public static final int AH = 51;
    public static final int ICMPV6 = 58;
    public static final int IPV6_NONXT = 59;
    public static final int IPV6_DSTOPTS = 60;

    private IpProtocol() {
    }

    /** A short name as tcpdump prints it ({@code TCP}, {@code ICMP6}, {@code ip-proto-47}). */
    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "ICMP";
            case TCP -> "TCP";
            case UDP -> "UDP";
            case ESP -> "ESP";
            case AH -> "AH";
            case ICMPV6 -> "ICMP6";
            default -> "ip-proto-" + protocol;
        };
    }
}
