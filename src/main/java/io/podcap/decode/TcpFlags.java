package io.podcap.decode;

/** TCP header flag bits, as returned by {@link PacketDecoder#tcpFlags()}. */
public final class TcpFlags {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /** Accurate ECN (formerly the NS nonce bit), the lowest bit of the byte before the flags. */
    public static final int AE = 0x100;

    // tcpdump's order and letters; ACK is '.'
    private static final int[] BITS = {FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE};
    private static final char[] LETTERS = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W', 'A'};

    private TcpFlags() {
    }

    /** Appends the flags as tcpdump does inside {@code Flags [...]}: {@code S}, {@code S.}, {@code P.}, or {@code none}. */
    public static StringBuilder append(StringBuilder sb, int flags) {
        int before = sb.length();
        for (int i = 0; i < BITS.length; i++) {
            if ((flags & BITS[i]) != 0) {
                sb.append(LETTERS[i]);
            }
        }
        if (sb.length() == before) {
            sb.append("none");
        }
        return sb;
    }
}
