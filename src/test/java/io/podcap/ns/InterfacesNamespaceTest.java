package io.podcap.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.ns.NetInterface.Address;
import io.podcap.ns.NetInterface.HostPeer;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A pod-like namespace (eth0 inside, its veth peer on the host), listed by name, by pid and from the host side. */
class InterfacesNamespaceTest {
    private static TestNetns ns;

    @BeforeAll
    static void createNamespace() throws Exception {
        Root.assume();
        ns = TestNetns.create("ifaces");
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void podVethMatchesIpAndFindsItsHostPeer() throws Exception {
        List<NetInterface> links = Interfaces.list(NamespaceSpec.parse(ns.spec()));
        IpLink expected = IpLink.show(ns.name(), "eth0").get(0);
        IpLink host = IpLink.show(null, ns.hostVeth()).get(0);

        NetInterface eth0 = byName(links, "eth0");
        assertEquals(expected.ifindex(), eth0.ifindex());
        assertEquals(expected.peerIfindex(), eth0.iflink());
        assertEquals(host.ifindex(), eth0.iflink());
        assertEquals(expected.mac(), eth0.mac());
        assertTrue(eth0.isVeth());
        assertTrue(eth0.isUp());
        assertTrue(eth0.linkNetnsId() >= 0, "the peer is in another namespace");
        assertTrue(eth0.addresses().contains(new Address(ns.address(), 24, 0)), eth0.addresses()::toString);
        assertEquals(Optional.of(new HostPeer(ns.hostVeth(), host.ifindex())), eth0.hostPeer());

        NetInterface lo = byName(links, "lo");
        assertTrue(lo.isLoopback());
        assertEquals(Optional.empty(), lo.hostPeer());
        assertEquals(List.of("lo", "eth0"), links.stream().map(NetInterface::name).toList());
    }

    @Test
    void hostSideSeesThePodEndAsItsPeer() throws Exception {
        NetInterface hostVeth = byName(Interfaces.list(NamespaceSpec.host()), ns.hostVeth());
        NetInterface eth0 = byName(Interfaces.list(NamespaceSpec.parse(ns.spec())), "eth0");
        assertTrue(hostVeth.isVeth());
        assertEquals(eth0.ifindex(), hostVeth.iflink());
        assertTrue(hostVeth.addresses().contains(new Address(ns.hostAddress(), 24, 0)));
        assertEquals(Optional.empty(), hostVeth.hostPeer(), "the host's own veths get no peer lookup");
    }

    @Test
    void pidSpecListsTheProcessNamespace() throws Exception {
        Process sleeper = ns.start("sleep", "30");
        try {
            NamespaceSpec spec = NamespaceSpec.parse("pid:" + sleeper.pid());
            assertEquals(OptionalInt.of((int) sleeper.pid()), spec.pid());
            List<NetInterface> byPid = Interfaces.list(spec);
            List<NetInterface> byName = Interfaces.list(NamespaceSpec.parse(ns.spec()));
            assertEquals(names(byName), names(byPid));
            assertEquals(byName(byName, "eth0").ifindex(), byName(byPid, "eth0").ifindex());
            assertEquals(Optional.of(ns.hostVeth()), byName(byPid, "eth0").hostPeer().map(HostPeer::name));
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void pathSpecOfTheCallersOwnNamespaceLooksUpNoPeers() throws Exception {
        // the host seen through a file rather than "host": its veth leads into the pod, not to the host
        List<NetInterface> links = Interfaces.list(NamespaceSpec.parse("path:/proc/self/ns/net"));
        NetInterface hostVeth = byName(links, ns.hostVeth());
        assertFalse(hostVeth.hostPeer().isPresent(), hostVeth::toString);
    }

    private static NetInterface byName(List<NetInterface> links, String name) {
        return links.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + links));
    }

    private static List<String> names(List<NetInterface> links) {
        return links.stream().map(NetInterface::name).toList();
    }
}
