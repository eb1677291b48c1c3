package io.podcap.ns;

import io.podcap.capture.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Lists the interfaces of a namespace and, for a pod's veths, finds their host-side ends. */
public final class Interfaces {
    private static final Logger log = LoggerFactory.getLogger(Interfaces.class);
    private static final Path OWN_NAMESPACE = Path.of("/proc/self/ns/net");

    private Interfaces() {}

    /**
     * The interfaces of the namespace, sorted by ifindex. Errors come from the native side: IllegalArgumentException
     * when the file is not a network namespace, CapturePermissionException without CAP_SYS_ADMIN, else
     * CaptureException.
     */
    public static List<NetInterface> list(NamespaceSpec spec) {
        Native.ensureLoaded();
        List<NetInterface> links = parse(Native.links(spec.path(), spec.label()));
        if (links.stream().noneMatch(Interfaces::peerElsewhere) || isOwnNamespace(spec)) {
            return links;
        }
        Map<Integer, NetInterface> host = new HashMap<>();
        for (NetInterface h : parse(Native.links(null, "host"))) {
            host.put(h.ifindex(), h);
        }
        List<NetInterface> out = new ArrayList<>(links.size());
        for (NetInterface l : links) {
            NetInterface h = peerElsewhere(l) ? host.get(l.iflink()) : null;
            // both ends must point at each other: the ifindex alone may be an unrelated host device when the peer is
            // in some third namespace (a veth between two pods)
            if (h != null && h.isVeth() && h.iflink() == l.ifindex()) {
                out.add(l.withHostPeer(new NetInterface.HostPeer(h.name(), h.ifindex())));
                continue;
            }
            if (peerElsewhere(l)) {
                log.debug("{} in {}: its peer (ifindex {}) is not in the host namespace", l.name(), spec, l.iflink());
            }
            out.add(l);
        }
        return List.copyOf(out);
    }

    private static boolean peerElsewhere(NetInterface l) {
        return l.isVeth() && l.linkNetnsId() >= 0;
    }

    /* host, or a spec that names the caller's own namespace by another route (pid:1 on the host): its veths' peers
     * are in pods, not in the host, so there is nothing to look up. */
    private static boolean isOwnNamespace(NamespaceSpec spec) {
        if (spec.isHost()) {
            return true;
        }
        try {
            return Files.getAttribute(Path.of(spec.path()), "unix:ino")
                    .equals(Files.getAttribute(OWN_NAMESPACE, "unix:ino"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // the both-ends check in list() still keeps wrong peers out
        }
    }

    private static List<NetInterface> parse(String[] lines) {
        List<NetInterface> out = new ArrayList<>(lines.length);
        for (String line : lines) {
            out.add(NetInterface.parse(line));
        }
        return List.copyOf(out);
    }
}
