package io.podcap.cli;

import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import io.podcap.ns.NetInterface;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podcap ifaces}: the interfaces inside a namespace, with each veth's host-side peer. */
@Command(name = "ifaces", description = "List the interfaces inside a network namespace.")
final class IfacesCommand implements Callable<Integer> {
    @Option(names = "--netns", paramLabel = "SPEC", defaultValue = "host",
            description = "pid:PID, netns:NAME, pod:NS/NAME, ip:ADDR, path:FILE or host (default).")
    String netns;

    @Override
    public Integer call() {
        NamespaceSpec spec = NamespaceSpec.parse(netns);
        List<NetInterface> interfaces = Interfaces.list(spec);
        PrintStream out = System.out;
        out.println("interfaces in " + spec);
        out.printf("%-7s %-16s %-8s %-6s %-17s %-5s %-36s %s%n",
                "IFINDEX", "NAME", "KIND", "IFLINK", "MAC", "STATE", "ADDRESSES", "HOST PEER");
        for (NetInterface i : interfaces) {
            String addresses = i.addresses().stream().map(String::valueOf).collect(Collectors.joining(","));
            String peer = i.hostPeer().map(h -> h.name() + " (ifindex " + h.ifindex() + ")").orElse("");
            out.printf("%-7d %-16s %-8s %-6d %-17s %-5s %-36s %s%n", i.ifindex(), i.name(),
                    i.kind().isEmpty() ? "-" : i.kind(), i.iflink(), i.mac().isEmpty() ? "-" : i.mac(),
                    i.isUp() ? "up" : "down", addresses.isEmpty() ? "-" : addresses, peer);
        }
        return 0;
    }
}
