package io.podcap.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.podcap.ns.NetInterface;
import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The node as it is: pod-like namespaces on a bridge are each found once, with addresses, processes, host peers. */
class PodDiscoveryTest {
    private static TestNode node;
    private static Process sleeper;

    @BeforeAll
    static void node() throws Exception {
        Root.assume();
        node = TestNode.create("disc", 3);
        sleeper = node.start(node.pod(0), "sleep", "60");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static int hostIfindex(String name) throws Exception {
        return Integer.parseInt(Files.readString(Path.of("/sys/class/net/" + name + "/ifindex")).trim());
    }

    @Test
    void everyPodNamespaceIsFoundOnceWithItsAddressAndHostPeer() throws Exception {
        List<PodNamespace> all = new NamespaceDiscovery(NodeRoots.host()).discover();
        assertEquals(all.size(), all.stream().map(PodNamespace::inode).distinct().count(), "one entry per inode");
        Map<String, PodNamespace> bySpec = all.stream().collect(Collectors.toMap(PodNamespace::spec, Function.identity()));
        for (TestNode.Pod pod : node.pods()) {
            PodNamespace ns = bySpec.get(pod.spec());
            assertTrue(ns != null, pod.spec() + " not found in " + bySpec.keySet());
            assertEquals(List.of(pod.path()), ns.netnsFiles().stream().filter(f -> f.startsWith("/run/")).toList());
            assertEquals(Files.getAttribute(Path.of(pod.path()), "unix:ino"), ns.inode());
            NetInterface eth0 = ns.interfaces().stream().filter(i -> i.name().equals("eth0")).findFirst().orElseThrow();
            assertEquals(pod.address() + "/24", eth0.addresses().get(0).toString());
            assertEquals(pod.hostVeth(), eth0.hostPeer().orElseThrow().name());
            assertEquals(hostIfindex(pod.hostVeth()), eth0.hostPeer().get().ifindex());
            assertFalse(ns.host());
            assertTrue(ns.pod().isEmpty(), "no kubelet here: no pod identity");
        }
        PodNamespace held = bySpec.get(node.pod(0).spec());
        assertEquals(List.of(new NodeProcess((int) sleeper.pid(), "sleep")), held.processes());
        assertTrue(bySpec.get(node.pod(1).spec()).processes().isEmpty());
        assertTrue(bySpec.containsKey("host"), "this process's own namespace is listed as host");
    }

    @Test
    void podsJsonIsOneObjectPerLine() throws Exception {
        Cli.Result r = Cli.run("pods", "--json");
        assertEquals(0, r.exitCode(), r::toString);
        JsonFactory json = new JsonFactory();
        for (String line : r.stdout().lines().toList()) {
            try (JsonParser p = json.createParser(line)) {
                while (p.nextToken() != null) {
                    // a parse error fails the test
                }
            }
        }
        for (TestNode.Pod pod : node.pods()) {
            String line = r.stdout().lines().filter(l -> l.contains("\"spec\":\"" + pod.spec() + "\"")).findFirst()
                    .orElseThrow(() -> new AssertionError(pod.spec() + " missing: " + r));
            assertTrue(line.contains("\"addresses\":[\"" + pod.address() + "/24\""), line);
            assertTrue(line.contains("\"hostPeer\":{\"name\":\"" + pod.hostVeth() + "\",\"ifindex\":"
                    + hostIfindex(pod.hostVeth()) + "}"), line);
        }
        String held = r.stdout().lines().filter(l -> l.contains(node.pod(0).spec())).findFirst().orElseThrow();
        assertTrue(held.contains("{\"pid\":" + sleeper.pid() + ",\"command\":\"sleep\"}"), held);
    }

    @Test
    void podsTableShowsEachNamespaceAndItsInterfaces() throws Exception {
        Cli.Result r = Cli.run("pods");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("INODE"), r::toString);
        for (TestNode.Pod pod : node.pods()) {
            assertTrue(r.stdout().contains(pod.spec()), r::toString);
            assertTrue(r.stdout().lines().anyMatch(l -> l.contains(pod.address() + "/24")
                    && l.contains("host peer " + pod.hostVeth() + "@")), r::toString);
        }
    }
}
