package io.podcap.ns;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One interface of a network namespace, as rtnetlink reports it.
 *
 * @param ifindex     index inside its namespace
 * @param iflink      the link it sits on; for a veth, the peer's ifindex in the peer's namespace; else its own ifindex
 * @param linkNetnsId the namespace id of the peer as this namespace knows it, -1 when the peer is in the same one
 * @param master      ifindex of the bridge or bond it is enslaved to, 0 when none
 * @param flags       IFF_* flags ({@link #isUp()}, {@link #isLoopback()})
 * @param addrTotal   addresses the kernel reported; more than {@code addresses().size()} when the native side
 *                    kept only the first 32
 * @param hostPeer    for a veth whose other end is in the host namespace, that end
 */
public record NetInterface(int ifindex, int iflink, int linkNetnsId, int master, int flags, int mtu,
                           OperState operState, String name, String kind, String mac, long rxPackets, long rxDropped,
                           List<Address> addresses, int addrTotal, Optional<HostPeer> hostPeer) {
    private static final int IFF_UP = 0x1;
    private static final int IFF_LOOPBACK = 0x8;
    private static final int FIELDS = 14;

    public NetInterface {
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mac, "mac");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(hostPeer, "hostPeer");
    }

    /** RFC 2863 operational state; the ordinals are the kernel's IF_OPER_* values. */
    public enum OperState { UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP }

    /**
     * An IPv4 or IPv6 address of the interface.
     *
     * @param ip    the address as text (IPv6 compressed, as inet_ntop writes it)
     * @param scope the kernel's RT_SCOPE_*: 0 global, 253 link, 254 host
     */
    public record Address(String ip, int prefixLength, int scope) {
        public boolean isIpv6() {
            return ip.indexOf(':') >= 0;
        }

        /** The address as an InetAddress; parsing a literal does no name lookup. */
        public InetAddress inetAddress() {
            try {
                return InetAddress.getByName(ip);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("not an IP literal: " + ip, e);
            }
        }

        @Override
        public String toString() {
            return ip + "/" + prefixLength;
        }
    }

    /** The host-side end of a pod's veth: what to capture on from the host to see the pod's traffic. */
    public record HostPeer(String name, int ifindex) {}

    /** Administratively up (IFF_UP); {@link #operState()} says whether the link itself is. */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    public boolean isLoopback() {
        return (flags & IFF_LOOPBACK) != 0;
    }

    public boolean isVeth() {
        return kind.equals("veth");
    }

    NetInterface withHostPeer(HostPeer peer) {
        return new NetInterface(ifindex, iflink, linkNetnsId, master, flags, mtu, operState, name, kind, mac,
                rxPackets, rxDropped, addresses, addrTotal, Optional.of(peer));
    }

    /**
     * Parses one line of {@code Native.links}, the only definition of its format: 14 tab-separated fields,
     * <pre>
     * ifindex iflink link_netnsid master flags mtu operstate name kind mac rx_packets rx_dropped addresses addr_total
     * </pre>
     * all numbers decimal (flags unsigned, operstate IF_OPER_*); name and kind with bytes outside printable ASCII and
     * the backslash written as {@code \xHH} (the name bytes are read as UTF-8); kind empty for devices without one
     * (lo, most NICs); mac lower-case {@code aa:bb:cc:dd:ee:ff}, empty when the device has none; addresses
     * comma-separated {@code family/address/prefix/scope} with family {@code inet} or {@code inet6} and scope
     * RT_SCOPE_*, e.g. {@code inet/10.0.0.2/24/0,inet6/fe80::1/64/253}, empty when there are none.
     */
    static NetInterface parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != FIELDS) {
            throw malformed(line, FIELDS + " tab-separated fields expected, found " + f.length);
        }
        try {
            int operstate = Integer.parseInt(f[6]);
            OperState[] states = OperState.values();
            return new NetInterface(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), Integer.parseUnsignedInt(f[4]), Integer.parseInt(f[5]),
                    operstate >= 0 && operstate < states.length ? states[operstate] : OperState.UNKNOWN,
                    unescape(f[7]), unescape(f[8]), f[9], Long.parseUnsignedLong(f[10]),
                    Long.parseUnsignedLong(f[11]), addresses(f[12], line), Integer.parseInt(f[13]), Optional.empty());
        } catch (NumberFormatException e) {
            throw malformed(line, e.getMessage());
        }
    }

    private static List<Address> addresses(String field, String line) {
        List<Address> out = new ArrayList<>();
        if (field.isEmpty()) {
            return out;
        }
        for (String a : field.split(",")) {
            String[] p = a.split("/", -1);
            if (p.length != 4 || !(p[0].equals("inet") || p[0].equals("inet6"))) {
                throw malformed(line, "address '" + a + "' is not family/address/prefix/scope");
            }
            out.add(new Address(p[1], Integer.parseInt(p[2]), Integer.parseInt(p[3])));
        }
        return out;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                bytes.write(c); // the native side escapes everything that is not printable ASCII
            } else if (i + 3 < s.length() && s.charAt(i + 1) == 'x') {
                bytes.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                throw new NumberFormatException("bad escape in '" + s + "'");
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException malformed(String line, String why) {
        return new IllegalArgumentException("malformed interface line from the native side (" + why + "): "
                + line.replace('\t', ' '));
    }
}
