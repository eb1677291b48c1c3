package io.podcap.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The caller's own namespace and bad namespace files: no root needed (listing links is not privileged). */
class InterfacesHostTest {
    @Test
    void hostListingMatchesIp() throws Exception {
        // other tests may add and remove links meanwhile: compare the links ip showed both before and after
        List<IpLink> before = IpLink.show(null);
        List<NetInterface> links = Interfaces.list(NamespaceSpec.host());
        List<IpLink> stable = new ArrayList<>(IpLink.show(null));
        stable.retainAll(before);
        assertTrue(stable.stream().anyMatch(l -> l.name().equals("lo")), stable::toString);
        for (IpLink expected : stable) {
            NetInterface i = links.stream().filter(l -> l.ifindex() == expected.ifindex()).findFirst()
                    .orElseThrow(() -> new AssertionError(expected + " missing from " + links));
            assertEquals(expected.name(), i.name());
            if (!expected.mac().isEmpty()) { // ip shows tunnels' addresses as IPv4, not in our hex form
                assertEquals(expected.mac(), i.mac(), i.name());
            }
        }
        for (NetInterface i : links) {
            assertEquals(Optional.empty(), i.hostPeer(), "no peer lookup in the host itself: " + i);
        }
    }

    @Test
    void loopback() {
        NetInterface lo = Interfaces.list(NamespaceSpec.host()).stream().filter(NetInterface::isLoopback).findFirst()
                .orElseThrow();
        assertEquals("lo", lo.name());
        assertTrue(lo.isUp());
        assertTrue(lo.addresses().stream().anyMatch(a -> a.toString().equals("127.0.0.1/8") && a.scope() == 254),
                lo.addresses()::toString);
    }

    @Test
    void aFileThatIsNoNamespaceIsAnArgumentError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Interfaces.list(NamespaceSpec.parse("path:/dev/null")));
        assertTrue(e.getMessage().contains("not a network namespace"), e.getMessage());
        assertTrue(e.getMessage().contains("path:/dev/null"), e.getMessage());
    }
}
