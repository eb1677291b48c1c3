package io.podcap.k8s;

import io.podcap.ns.NamespaceResolver;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code pod:NAMESPACE/NAME} and {@code ip:ADDRESS}: the namespace of a pod, or the one holding an address, found by
 * {@link NamespaceDiscovery} under {@link NodeRoots#fromEnvironment()} (or the roots given). The result is labelled
 * with the spec as written, e.g. {@code pod:default/web}. Registered for {@link NamespaceSpec#parse} in
 * {@code META-INF/services}.
 */
public final class PodSpecResolver implements NamespaceResolver {
    private static final int MAX_LISTED = 20;
    private final NodeRoots roots;

    /** For the ServiceLoader: the roots from the environment, read at each resolution. */
    public PodSpecResolver() {
        this(null);
    }

    public PodSpecResolver(NodeRoots roots) {
        this.roots = roots;
    }

    @Override
    public Set<String> kinds() {
        return Set.of("pod", "ip");
    }

    @Override
    public String forms() {
        return "pod:NAMESPACE/NAME, ip:ADDRESS";
    }

    /** Any spec: pod: and ip: here (with these roots), the others as {@link NamespaceSpec#parse} does. */
    public NamespaceSpec parse(String spec) {
        int colon = spec == null ? -1 : spec.indexOf(':');
        String kind = colon < 0 ? "" : spec.substring(0, colon);
        return kinds().contains(kind) ? resolve(kind, spec.substring(colon + 1)) : NamespaceSpec.parse(spec);
    }

    @Override
    public NamespaceSpec resolve(String kind, String value) {
        NamespaceDiscovery discovery = new NamespaceDiscovery(roots != null ? roots : NodeRoots.fromEnvironment());
        return kind.equals("pod") ? pod(discovery, value) : ip(discovery, value);
    }

    /** The one namespace of a pod: exactly one. */
    public PodNamespace podNamespace(NamespaceDiscovery discovery, String value) {
        int slash = value.indexOf('/');
        if (slash <= 0 || slash == value.length() - 1 || value.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("'pod:" + value + "': use pod:NAMESPACE/NAME, e.g. pod:default/web");
        }
        String namespace = value.substring(0, slash);
        String name = value.substring(slash + 1);
        List<PodNamespace> all = discovery.scan();
        List<PodNamespace> matches = all.stream().filter(ns -> ns.pod()
                .filter(p -> namespace.equals(p.namespace()) && name.equals(p.name())).isPresent()).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            Set<String> pods = new TreeSet<>();
            all.forEach(ns -> ns.pod().ifPresent(p -> pods.add(p.qualifiedName())));
            throw new IllegalArgumentException("no pod " + value + " on this node (" + listed("pods", pods) + ")");
        }
        throw new IllegalArgumentException("pod " + value + " has " + matches.size() + " network namespaces: "
                + matches.stream().map(PodNamespace::describe).collect(Collectors.joining(", ")));
    }

    private NamespaceSpec pod(NamespaceDiscovery discovery, String value) {
        return podNamespace(discovery, value).namespaceSpec().withLabel("pod:" + value);
    }

    private NamespaceSpec ip(NamespaceDiscovery discovery, String value) {
        InetAddress address = address(value);
        List<PodNamespace> all = discovery.discover();
        List<PodNamespace> matches = all.stream().filter(ns -> holds(ns, address)).toList();
        if (matches.size() == 1) {
            return matches.get(0).namespaceSpec().withLabel("ip:" + value);
        }
        if (matches.isEmpty()) {
            Set<String> addresses = new TreeSet<>();
            all.forEach(ns -> ns.interfaces().forEach(i -> i.addresses().stream().filter(a -> a.scope() == 0)
                    .forEach(a -> addresses.add(a.ip()))));
            throw new IllegalArgumentException("no network namespace on this node holds " + value + " ("
                    + listed("global addresses", addresses) + ")");
        }
        throw new IllegalArgumentException(value + " is in " + matches.size() + " network namespaces: "
                + matches.stream().map(PodNamespace::describe).collect(Collectors.joining(", "))
                + "; name one with pod:, netns: or pid:");
    }

    private static InetAddress address(String value) {
        // only literals: InetAddress would otherwise look a name up
        if (value.isEmpty() || !(value.indexOf(':') >= 0 || value.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            throw new IllegalArgumentException("'ip:" + value + "': an IPv4 or IPv6 address, e.g. ip:10.244.1.7");
        }
        try {
            return InetAddress.getByName(value);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'ip:" + value + "': not an IP address", e);
        }
    }

    private static boolean holds(PodNamespace ns, InetAddress address) {
        for (NetInterface i : ns.interfaces()) {
            for (NetInterface.Address a : i.addresses()) {
                if (a.inetAddress().equals(address)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String listed(String what, Set<String> items) {
        if (items.isEmpty()) {
            return "there are no " + what;
        }
        String shown = items.stream().limit(MAX_LISTED).collect(Collectors.joining(", "));
        return what + " here: " + shown + (items.size() > MAX_LISTED ? ", ... (" + items.size() + " in all)" : "");
    }
}
