package io.podcap.probe;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the analysis knows about addresses, to say who a connection comes from: the node's own addresses (its
 * namespace: node IP, bridge gateway such as cni0's .1, weave's 10.36.0.0, cilium_host, kube-ipvs0 addresses), the
 * pods on this node with their names, and the cluster's pod CIDRs. Immutable; lookups allocate nothing.
 *
 * <p>Addresses are kept as 128-bit pairs, IPv4 as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}), as {@link #lo(int)} makes
 * them from a decoder's IPv4 fields.
 */
public final class AddressRoles {
    private static final long V4_MAPPED = 0xffff_0000_0000L;
    private static final AddressRoles NONE = builder().build();

    private final long[] node; // pairs hi, lo
    private final long[] pods;
    private final String[] podNames;
    private final long[] cidrs; // triples hi, lo, prefix length (of 128)
    /**
     * Outside the CIDRs: external when they are known, else unknown. Decided once, so that a lookup takes the same
     * branches whatever the node knows: the JIT compiles them during a warm-up with other roles than the capture's.
     */
    private final SourceRole outside;
    private final List<String> text;

    private AddressRoles(Builder b) {
        node = toArray(b.node);
        pods = toArray(b.pods);
        podNames = b.podNames.toArray(new String[0]);
        cidrs = b.cidrs.stream().mapToLong(Long::longValue).toArray();
        outside = cidrs.length == 0 ? SourceRole.UNKNOWN : SourceRole.EXTERNAL;
        text = List.copyOf(b.text);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Knows nothing: every client is {@link SourceRole#UNKNOWN} unless the detector learns it. */
    public static AddressRoles none() {
        return NONE;
    }

    /** The low half of an IPv4 address in the 128-bit form. */
    static long lo(int ipv4) {
        return V4_MAPPED | (ipv4 & 0xffff_ffffL);
    }

    /** The role of an address: node, pod-local, pod-remote (inside a cluster CIDR), external, or unknown. */
    public SourceRole role(long hi, long lo) {
        if (find(node, hi, lo) >= 0) {
            return SourceRole.NODE;
        }
        if (find(pods, hi, lo) >= 0) {
            return SourceRole.POD_LOCAL;
        }
        for (int i = 0; i < cidrs.length; i += 3) {
            if (inPrefix(hi, lo, cidrs[i], cidrs[i + 1], (int) cidrs[i + 2])) {
                return SourceRole.POD_REMOTE;
            }
        }
        return outside;
    }

    /** The name of the local pod with this address, or null. */
    public String podName(long hi, long lo) {
        int i = find(pods, hi, lo);
        return i < 0 ? null : podNames[i / 2];
    }

    /** What was given, for messages: {@code node 10.244.1.1}, {@code pod 10.244.1.5 web-0}, {@code cluster ...}. */
    public List<String> describe() {
        return text;
    }

    private static int find(long[] pairs, long hi, long lo) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i] == hi && pairs[i + 1] == lo) {
                return i;
            }
        }
        return -1;
    }

    static boolean inPrefix(long hi, long lo, long netHi, long netLo, int length) {
        if (length <= 64) {
            return length == 0 || (hi ^ netHi) >>> (64 - length) == 0;
        }
        return hi == netHi && (length == 128 || (lo ^ netLo) >>> (128 - length) == 0);
    }

    private static long[] toArray(List<long[]> list) {
        long[] a = new long[list.size() * 2];
        for (int i = 0; i < list.size(); i++) {
            a[2 * i] = list.get(i)[0];
            a[2 * i + 1] = list.get(i)[1];
        }
        return a;
    }

    /** Parses an IP literal (never a host name) into {hi, lo}. */
    static long[] parse(String ip) {
        String s = ip.trim();
        if (s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            throw new IllegalArgumentException("not an IP address: '" + ip + "'");
        }
        byte[] b;
        try {
            b = InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + ip + "'", e);
        }
        if (b.length == 4) {
            int v4 = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
            return new long[] {0, lo(v4)};
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | b[i] & 0xff;
            lo = lo << 8 | b[8 + i] & 0xff;
        }
        return new long[] {hi, lo};
    }

    public static final class Builder {
        private final List<long[]> node = new ArrayList<>();
        private final List<long[]> pods = new ArrayList<>();
        private final List<String> podNames = new ArrayList<>();
        private final List<Long> cidrs = new ArrayList<>();
        private final List<String> text = new ArrayList<>();

        private Builder() {
        }

        /** An address of the node's own namespace (node IP, bridge gateway, tunnel, kube-ipvs0). */
        public Builder nodeAddress(String ip) {
            node.add(parse(ip));
            text.add("node " + ip);
            return this;
        }

        /** A pod on this node and its name (e.g. {@code default/web-0}, or a namespace spec when no name is known). */
        public Builder localPod(String ip, String name) {
            pods.add(parse(ip));
            podNames.add(name);
            text.add("pod " + ip + " " + name);
            return this;
        }

        /** A pod network of the cluster, e.g. {@code 10.244.0.0/16} or {@code fd00:10:244::/56}. */
        public Builder clusterCidr(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("not a CIDR (address/length): '" + cidr + "'");
            }
            long[] net = parse(cidr.substring(0, slash));
            int length;
            try {
                length = Integer.parseInt(cidr.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR (address/length): '" + cidr + "'", e);
            }
            boolean v4 = net[0] == 0 && (net[1] & ~0xffff_ffffL) == V4_MAPPED;
            if (length < 0 || length > (v4 ? 32 : 128)) {
                throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
            }
            cidrs.add(net[0]);
            cidrs.add(net[1]);
            cidrs.add((long) (v4 ? length + 96 : length));
            text.add("cluster " + cidr);
            return this;
        }

        public AddressRoles build() {
            return new AddressRoles(this);
        }
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "no addresses known" : String.join(", ", text);
    }
}
