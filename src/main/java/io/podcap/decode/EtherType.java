package io.podcap.decode;

/** EtherType values that {@link PacketDecoder} looks at. */
public final class EtherType {
    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    public static final int VLAN = 0x8100;
    public static final int IPV6 = 0x86DD;
    public static final int QINQ = 0x88A8;
    /** Pre-standard 802.1ad service tag, still emitted by some switches. */
    public static final int QINQ_OLD = 0x9100;

    private EtherType() {
    }

    static boolean isVlanTag(int etherType) {
        return etherType == VLAN || etherType == QINQ || etherType == QINQ_OLD;
    }
}
