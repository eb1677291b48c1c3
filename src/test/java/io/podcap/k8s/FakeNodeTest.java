package io.podcap.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.ns.NamespaceSpec;
import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNode;
import io.podcap.testing.Tools;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's files in a temporary root (cgroups, containerd and CRI-O bundles, kubelet pod directories) wired to real
 * namespaces held by sleeping processes: pod identity in each layout, pod: and ip: resolution and their errors, and
 * captures named by pod, one pod or all of them.
 */
class FakeNodeTest {
    static final int PORT = 9444;
    static final String UID_A = "1a2b3c4d-0000-4000-8000-00000000000a";
    static final String UID_B = "1a2b3c4d-0000-4000-8000-00000000000b";
    static final String UID_C = "1a2b3c4d-0000-4000-8000-00000000000c";
    static final String ID_A = "a".repeat(64);
    static final String ID_B = "b".repeat(64);
    static final String ID_C = "c".repeat(64);

    @TempDir
    static Path root;
    static TestNode node;
    static FakeNode fake;
    static long[] pids = new long[3];

    @BeforeAll
    static void node() throws Exception {
        Root.assume();
        node = TestNode.create("fake", 3);
        for (int i = 0; i < 3; i++) {
            pids[i] = node.start(node.pod(i), "sleep", "60").pid();
        }
        fake = new FakeNode(root);
        wirePodA(fake, node.pod(0), pids[0]);
        // B: CRI-O, cgroupfs driver, cgroup v1; its bundle names no namespace path, its container id joins them
        String cgroupB = "/kubepods/besteffort/pod" + UID_B + "/" + ID_B;
        fake.process(pids[1], "pause", "12:pids:" + cgroupB + "\n4:memory:" + cgroupB + "\n0::/\n",
                procNet(pids[1]));
        fake.crio(ID_B, Map.of("io.kubernetes.pod.name", "web-b", "io.kubernetes.pod.namespace", "team-b",
                "io.kubernetes.pod.uid", UID_B, "io.kubernetes.cri-o.ContainerType", "sandbox"), null);
        // C: no runtime metadata, only the kubelet's pod directory
        fake.process(pids[2], "nginx", "0::/kubepods/burstable/pod" + UID_C + "/" + ID_C + "\n", procNet(pids[2]));
        fake.kubeletPod(UID_C, node.pod(2).address(), "web-c", "team-c");
        // an address held by two namespaces, for the ambiguity
        for (int i = 0; i < 2; i++) {
            node.exec(node.pod(i), "ip", "addr", "add", ambiguousAddress() + "/32", "dev", "lo").ok();
        }
        for (TestNode.Pod pod : node.pods()) {
            node.exec(pod, "ping", "-c", "1", "-W", "2", node.gateway()).ok();
        }
    }

    /** A: containerd with the systemd driver on cgroup v2; the sandbox's namespace is pinned in run/netns. */
    static void wirePodA(FakeNode fake, TestNode.Pod pod, long pid) throws Exception {
        fake.netnsFile("cni-aaaa", Path.of(pod.path()));
        fake.process(pid, "pause", "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + UID_A.replace('-', '_') + ".slice/cri-containerd-" + ID_A + ".scope\n", procNet(pid));
        fake.containerd(ID_A, Map.of("io.kubernetes.cri.container-type", "sandbox",
                "io.kubernetes.cri.sandbox-name", "web-a", "io.kubernetes.cri.sandbox-namespace", "team-a",
                "io.kubernetes.cri.sandbox-uid", UID_A), "/var/run/netns/cni-aaaa");
    }

    static Path procNet(long pid) {
        return Path.of("/proc/" + pid + "/ns/net");
    }

    static String ambiguousAddress() {
        return node.gateway().replaceAll("\\.1$", ".200");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static Map<String, PodNamespace> byPod(List<PodNamespace> all) {
        return all.stream().filter(ns -> ns.pod().isPresent())
                .collect(Collectors.toMap(ns -> ns.pod().get().qualifiedName(), ns -> ns));
    }

    private static long inode(String path) throws Exception {
        return ((Number) Files.getAttribute(Path.of(path), "unix:ino")).longValue();
    }

    @Test
    void eachLayoutTellsItsPod() throws Exception {
        List<PodNamespace> all = new NamespaceDiscovery(fake.roots()).scan();
        assertEquals(4, all.size(), () -> all.toString());
        Map<String, PodNamespace> pods = byPod(all);
        assertEquals(new PodIdentity(UID_A, "team-a", "web-a", "containerd"), pods.get("team-a/web-a").pod().get());
        assertEquals(new PodIdentity(UID_B, "team-b", "web-b", "cri-o"), pods.get("team-b/web-b").pod().get());
        assertEquals(new PodIdentity(UID_C, "team-c", "web-c", "kubelet"), pods.get("team-c/web-c").pod().get());
        for (int i = 0; i < 3; i++) {
            PodNamespace ns = pods.get("team-" + "abc".charAt(i) + "/web-" + "abc".charAt(i));
            assertEquals(inode(node.pod(i).path()), ns.inode());
            assertEquals(List.of(new NodeProcess((int) pids[i], i == 2 ? "nginx" : "pause")), ns.processes());
        }
        assertEquals("path:" + root.resolve("run/netns/cni-aaaa"), pods.get("team-a/web-a").spec());
        assertEquals("path:" + root.resolve("proc/" + pids[1] + "/ns/net"), pods.get("team-b/web-b").spec());
        PodNamespace host = all.stream().filter(PodNamespace::host).findFirst().orElseThrow();
        assertEquals("host", host.spec());
        assertEquals(Optional.empty(), host.pod());
    }

    @Test
    void podSpecsResolveToThePodsNamespace() throws Exception {
        PodSpecResolver resolver = new PodSpecResolver(fake.roots());
        for (int i = 0; i < 3; i++) {
            String name = "team-" + "abc".charAt(i) + "/web-" + "abc".charAt(i);
            NamespaceSpec spec = resolver.parse("pod:" + name);
            assertEquals("pod:" + name, spec.label());
            assertEquals(inode(node.pod(i).path()), NamespaceDiscovery.inode(spec));
        }
        NamespaceSpec byIp = resolver.parse("ip:" + node.pod(2).address());
        assertEquals("ip:" + node.pod(2).address(), byIp.label());
        assertEquals(inode(node.pod(2).path()), NamespaceDiscovery.inode(byIp));
        assertEquals(NamespaceSpec.parse(node.pod(1).spec()), resolver.parse(node.pod(1).spec()));
    }

    @Test
    void namespaceSpecParseResolvesPodsUnderTheConfiguredHostRoot() throws Exception {
        // NamespaceSpec finds PodSpecResolver through META-INF/services; the root comes from the property
        System.setProperty("podcap.host.root", root.toString());
        try {
            NamespaceSpec spec = NamespaceSpec.parse("pod:team-c/web-c");
            assertEquals("pod:team-c/web-c", spec.label());
            assertEquals(inode(node.pod(2).path()), NamespaceDiscovery.inode(spec));
        } finally {
            System.clearProperty("podcap.host.root");
        }
    }

    @Test
    void unknownPodsAndAmbiguousAddressesAreClearErrors() {
        PodSpecResolver resolver = new PodSpecResolver(fake.roots());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> resolver.parse("pod:team-x/nope"));
        assertEquals("no pod team-x/nope on this node (pods here: team-a/web-a, team-b/web-b, team-c/web-c)",
                unknown.getMessage());
        IllegalArgumentException ambiguous = assertThrows(IllegalArgumentException.class,
                () -> resolver.parse("ip:" + ambiguousAddress()));
        assertTrue(ambiguous.getMessage().startsWith(ambiguousAddress() + " is in 2 network namespaces: "),
                ambiguous.getMessage());
        assertTrue(ambiguous.getMessage().contains("pod team-a/web-a uid " + UID_A), ambiguous.getMessage());
        assertTrue(ambiguous.getMessage().contains("pod team-b/web-b uid " + UID_B), ambiguous.getMessage());
        IllegalArgumentException nowhere = assertThrows(IllegalArgumentException.class,
                () -> resolver.parse("ip:192.0.2.77"));
        assertTrue(nowhere.getMessage().startsWith("no network namespace on this node holds 192.0.2.77 (global "
                + "addresses here: "), nowhere.getMessage());
        assertTrue(nowhere.getMessage().contains(node.pod(1).address()), nowhere.getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolver.parse("pod:no-slash"));
        assertThrows(IllegalArgumentException.class, () -> resolver.parse("ip:not-an-address"));
    }

    @Test
    void podsCommandReadsTheHostRoot() throws Exception {
        Cli.Result r = Cli.run("pods", "--json", "--host-root", root.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(4, r.stdout().lines().count(), r::toString);
        assertTrue(r.stdout().contains("\"pod\":{\"namespace\":\"team-a\",\"name\":\"web-a\",\"uid\":\"" + UID_A
                + "\",\"source\":\"containerd\"}"), r::toString);
        Cli.Result unknown = Cli.run("capture", "--host-root", root.toString(), "--netns", "pod:team-x/nope");
        assertEquals(2, unknown.exitCode(), unknown::toString);
        assertEquals("podcap: no pod team-x/nope on this node (pods here: team-a/web-a, team-b/web-b, team-c/web-c)",
                unknown.stderr().trim());
    }

    static void send(String address, String text, int count) throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            for (int i = 0; i < count; i++) {
                byte[] data = (text + i).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(data, data.length, InetAddress.getByName(address), PORT));
            }
        }
    }

    @Test
    void captureByPodNameNamesThePodInThePcapng() throws Exception {
        Tools.require("tshark");
        Path file = root.resolveSibling(root.getFileName() + "-pod.pcapng");
        try {
            Cli.Result r = CliRun.whileSending(() -> send(node.pod(0).address(), "a", 1), "capture", "--host-root",
                    root.toString(), "--netns", "pod:team-a/web-a", "-i", "eth0", "-f", "udp dst port " + PORT,
                    "-c", "5", "-w", file.toString());
            assertEquals(0, r.exitCode(), r::toString);
            List<String[]> rows = Tools.tsharkFields(file, "frame.interface_description");
            assertEquals(5, rows.size());
            for (String[] row : rows) {
                assertEquals("eth0 in pod team-a/web-a uid " + UID_A + " (pod:team-a/web-a) (ifindex 2)", row[0]);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void allPodsCaptureOneInterfaceBlockPerPod() throws Exception {
        Tools.require("tshark");
        Path file = root.resolveSibling(root.getFileName() + "-all.pcapng");
        try {
            int[] turn = {0};
            Cli.Result r = CliRun.whileSending(() -> {
                int i = turn[0]++ % 3;
                send(node.pod(i).address(), "p" + i + "-", 1);
            }, "capture", "--host-root", root.toString(), "--all-pods", "-i", "eth0", "-f", "udp dst port " + PORT,
                    "--duration", "3", "-w", file.toString());
            assertEquals(0, r.exitCode(), r::toString);
            List<String[]> rows = Tools.tsharkFields(file, "frame.interface_id", "frame.interface_description",
                    "ip.dst");
            assertTrue(rows.size() >= 30, r::toString);
            for (String[] row : rows) {
                int pod = List.of(node.pod(0).address(), node.pod(1).address(), node.pod(2).address()).indexOf(row[2]);
                String name = "team-" + "abc".charAt(pod) + "/web-" + "abc".charAt(pod);
                assertTrue(row[1].startsWith("eth0 in pod " + name + " uid "), String.join(" ", row));
            }
            assertEquals(3, rows.stream().map(row -> row[0]).distinct().count(), "three interface blocks");
            List<String[]> isb = Tools.pcapngBlockFields(file, "pcapng.options.option.data.interface.received");
            assertEquals(3, isb.get(0)[0].split(",").length, "a statistics block per interface");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
