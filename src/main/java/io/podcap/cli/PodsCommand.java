package io.podcap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.podcap.k8s.NamespaceDiscovery;
import io.podcap.k8s.NodeProcess;
import io.podcap.k8s.PodIdentity;
import io.podcap.k8s.PodNamespace;
import io.podcap.ns.NetInterface;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podcap pods}: every network namespace of the node, its pod, processes and interfaces. */
@Command(name = "pods", description = "List the node's network namespaces with their pods, processes and interfaces.")
final class PodsCommand implements Callable<Integer> {
    private static final int MAX_PROCESSES_SHOWN = 4;

    @Option(names = "--json", description = "One JSON object per namespace and line.")
    boolean json;

    @Mixin
    NodeRootsOptions roots;

    @Override
    public Integer call() throws IOException {
        List<PodNamespace> namespaces = new NamespaceDiscovery(roots.roots()).discover();
        if (json) {
            json(namespaces, System.out);
        } else {
            table(namespaces, System.out);
        }
        return 0;
    }

    private static void table(List<PodNamespace> namespaces, PrintStream out) {
        out.printf("%-11s %-34s %-36s %-36s %s%n", "INODE", "SPEC", "POD", "UID", "PROCESSES");
        for (PodNamespace ns : namespaces) {
            PodIdentity pod = ns.pod().orElse(null);
            String processes = ns.host() ? "(the node's)" : ns.processes().stream().limit(MAX_PROCESSES_SHOWN)
                    .map(String::valueOf).collect(Collectors.joining(" "))
                    + (ns.processes().size() > MAX_PROCESSES_SHOWN
                            ? " +" + (ns.processes().size() - MAX_PROCESSES_SHOWN) : "");
            out.printf("%-11d %-34s %-36s %-36s %s%n", ns.inode(), ns.spec(),
                    pod == null ? "-" : pod.qualifiedName(), pod == null || pod.uid() == null ? "-" : pod.uid(),
                    processes.isEmpty() ? "-" : processes);
            if (ns.error() != null) {
                out.println("            interfaces: " + ns.error());
            }
            for (NetInterface i : ns.interfaces()) {
                if (i.isLoopback()) {
                    continue;
                }
                String addresses = i.addresses().stream().map(String::valueOf).collect(Collectors.joining(","));
                out.printf("            %-16s %-36s %s%n", i.name() + "@" + i.ifindex(),
                        addresses.isEmpty() ? "-" : addresses,
                        i.hostPeer().map(h -> "host peer " + h.name() + "@" + h.ifindex()).orElse(""));
            }
        }
    }

    private static void json(List<PodNamespace> namespaces, PrintStream out) throws IOException {
        JsonFactory factory = new JsonFactory();
        for (PodNamespace ns : namespaces) {
            try (JsonGenerator g = factory.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
                g.writeStartObject();
                g.writeNumberField("inode", ns.inode());
                g.writeStringField("spec", ns.spec());
                g.writeBooleanField("host", ns.host());
                g.writeArrayFieldStart("netnsFiles");
                for (String f : ns.netnsFiles()) {
                    g.writeString(f);
                }
                g.writeEndArray();
                PodIdentity pod = ns.pod().orElse(null);
                if (pod == null) {
                    g.writeNullField("pod");
                } else {
                    g.writeObjectFieldStart("pod");
                    g.writeStringField("namespace", pod.namespace());
                    g.writeStringField("name", pod.name());
                    g.writeStringField("uid", pod.uid());
                    g.writeStringField("source", pod.source());
                    g.writeEndObject();
                }
                g.writeArrayFieldStart("processes");
                for (NodeProcess p : ns.processes()) {
                    g.writeStartObject();
                    g.writeNumberField("pid", p.pid());
                    g.writeStringField("command", p.command());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("interfaces");
                for (NetInterface i : ns.interfaces()) {
                    interfaceJson(g, i);
                }
                g.writeEndArray();
                g.writeStringField("error", ns.error());
                g.writeEndObject();
            }
            out.println();
        }
        out.flush();
    }

    private static void interfaceJson(JsonGenerator g, NetInterface i) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", i.name());
        g.writeNumberField("ifindex", i.ifindex());
        g.writeStringField("kind", i.kind());
        g.writeStringField("mac", i.mac());
        g.writeBooleanField("up", i.isUp());
        g.writeArrayFieldStart("addresses");
        for (NetInterface.Address a : i.addresses()) {
            g.writeString(a.toString());
        }
        g.writeEndArray();
        if (i.hostPeer().isPresent()) {
            g.writeObjectFieldStart("hostPeer");
            g.writeStringField("name", i.hostPeer().get().name());
            g.writeNumberField("ifindex", i.hostPeer().get().ifindex());
            g.writeEndObject();
        } else {
            g.writeNullField("hostPeer");
        }
        g.writeEndObject();
    }
}
