package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster's pod networks as the node's routes through CNI devices show them. */
class NodeAddressesTest {
    @Test
    void podNetworksFromTheRoutesOfSeveralCnis() {
        String flannel = """
                default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.10 metric 100
                10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
                10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1
                192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10
                """;
        assertEquals(List.of("10.244.0.0/24", "10.244.1.0/24"), NodeAddresses.podNetworks(flannel));
        String calico = """
                blackhole 10.233.64.0/26 proto bird
                10.233.64.5 dev cali1234abcd scope link
                10.233.65.0/26 via 192.168.1.11 dev tunl0 proto bird onlink
                10.233.66.0/26 via 192.168.1.12 dev vxlan.calico onlink
                """;
        assertEquals(List.of("10.233.64.0/26", "10.233.65.0/26", "10.233.66.0/26"), NodeAddresses.podNetworks(calico));
        String cilium = """
                10.0.0.0/24 via 10.0.1.53 dev cilium_host proto kernel src 10.0.1.53 mtu 1450
                10.0.1.0/24 via 10.0.1.53 dev cilium_host proto kernel src 10.0.1.53
                10.0.1.53 dev cilium_host proto kernel scope link
                """;
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/24"), NodeAddresses.podNetworks(cilium));
        String weave = "10.32.0.0/12 dev weave proto kernel scope link src 10.36.0.0\n"
                + "172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown\n";
        assertEquals(List.of("10.32.0.0/12"), NodeAddresses.podNetworks(weave));
        assertEquals(List.of("fd00:10:244:1::/64"),
                NodeAddresses.podNetworks("fd00:10:244:1::/64 dev cni0 proto kernel metric 256 pref medium\n"));
    }
}
