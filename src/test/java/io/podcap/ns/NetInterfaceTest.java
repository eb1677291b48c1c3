package io.podcap.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.ns.NetInterface.Address;
import io.podcap.ns.NetInterface.OperState;
import java.net.Inet6Address;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The line format of Native.links, as the native side writes it. */
class NetInterfaceTest {
    @Test
    void podVeth() {
        NetInterface i = NetInterface.parse(String.join("\t", "2", "17", "0", "0", "69699", "1500", "6", "eth0",
                "veth", "02:5c:11:22:33:44", "12", "1", "inet/10.0.0.2/24/0,inet6/fe80::5c:11ff:fe22:3344/64/253",
                "2"));
        assertEquals(2, i.ifindex());
        assertEquals(17, i.iflink());
        assertEquals(0, i.linkNetnsId());
        assertEquals(0, i.master());
        assertEquals(1500, i.mtu());
        assertEquals(OperState.UP, i.operState());
        assertEquals("eth0", i.name());
        assertEquals("veth", i.kind());
        assertEquals("02:5c:11:22:33:44", i.mac());
        assertEquals(12, i.rxPackets());
        assertEquals(1, i.rxDropped());
        assertEquals(List.of(new Address("10.0.0.2", 24, 0), new Address("fe80::5c:11ff:fe22:3344", 64, 253)),
                i.addresses());
        assertEquals("10.0.0.2/24", i.addresses().get(0).toString());
        assertTrue(i.addresses().get(1).isIpv6());
        assertTrue(i.addresses().get(1).inetAddress() instanceof Inet6Address);
        assertEquals(2, i.addrTotal());
        assertTrue(i.isUp());
        assertTrue(i.isVeth());
        assertFalse(i.isLoopback());
        assertEquals(Optional.empty(), i.hostPeer());
    }

    @Test
    void loopbackWithoutKindAndAddressesCut() {
        NetInterface i = NetInterface.parse("1\t1\t-1\t0\t73\t65536\t0\tlo\t\t00:00:00:00:00:00\t0\t0\t"
                + "inet/127.0.0.1/8/254\t40");
        assertEquals(-1, i.linkNetnsId());
        assertEquals("", i.kind());
        assertEquals(OperState.UNKNOWN, i.operState());
        assertTrue(i.isLoopback());
        assertTrue(i.isUp());
        assertFalse(i.isVeth());
        assertEquals(1, i.addresses().size());
        assertEquals(40, i.addrTotal());
    }

    @Test
    void noMacNoAddressesDown() {
        NetInterface i = NetInterface.parse("5\t5\t-1\t3\t4098\t1480\t2\ttun0\ttun\t\t0\t0\t\t0");
        assertEquals("", i.mac());
        assertEquals(List.of(), i.addresses());
        assertEquals(3, i.master());
        assertEquals(OperState.DOWN, i.operState());
        assertFalse(i.isUp());
    }

    @Test
    void escapedNameIsUtf8() {
        // "é" is c3 a9 in UTF-8; the backslash itself is escaped too
        NetInterface i = NetInterface.parse("7\t7\t-1\t0\t0\t1500\t0\tcaf\\xc3\\xa9\\x5c1\tdummy\t\t0\t0\t\t0");
        assertEquals("café\\1", i.name());
    }

    @Test
    void countersAreUnsigned64() {
        NetInterface i = NetInterface.parse("3\t3\t-1\t0\t4294967295\t1500\t6\tx\t\t\t18446744073709551615\t0\t\t0");
        assertEquals(-1, i.rxPackets()); // 2^64-1 as Java sees it: callers use Long.toUnsignedString
        assertEquals(-1, i.flags());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "1\t2", "x\t1\t-1\t0\t0\t1500\t0\tlo\t\t\t0\t0\t\t0", "1\t1\t-1\t0\t0\t1500\t0\tlo\t\t\t0\t0\tinet/1.2.3.4\t0",
        "1\t1\t-1\t0\t0\t1500\t0\tlo\t\t\t0\t0\tipx/1/2/3\t0", "1\t1\t-1\t0\t0\t1500\t0\tbad\\q\t\t\t0\t0\t\t0",
        "1\t1\t-1\t0\t0\t1500\t0\tlo\t\t\t0\t0\t\t0\textra"})
    void malformedLinesAreRejected(String line) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetInterface.parse(line));
        assertTrue(e.getMessage().startsWith("malformed interface line"), e.getMessage());
    }
}
