package io.podcap.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pod-like namespaces on a bridge, as a CNI plugin wires them on a node: each namespace has {@code eth0}, its veth peer
 * is enslaved to a bridge in the host namespace, which holds the subnet's .1; pod i has .(10 + i). Names carry the pid
 * and a random part. {@link #close()} removes the namespaces, their veths, the bridge and started processes, also when
 * the JVM is stopped first. Call {@link Root#assume()} before.
 */
public final class TestNode implements AutoCloseable {
    private final String bridge;
    private final String subnet;
    private final List<Pod> pods = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::remove, "remove-test-node");
    private boolean closed;

    /** One pod-like namespace. */
    public record Pod(String name, String hostVeth, String address) {
        public String spec() { return "netns:" + name; }

        public String path() { return "/run/netns/" + name; }
    }

    private TestNode(String bridge, String subnet) {
        this.bridge = bridge;
        this.subnet = subnet;
    }

    public static TestNode create(String tag, int count) throws IOException, InterruptedException {
        int random = ThreadLocalRandom.current().nextInt(1 << 24);
        long pid = ProcessHandle.current().pid();
        TestNode node = new TestNode(String.format("pcb%06x", random), TestNetns.freeSubnet());
        Runtime.getRuntime().addShutdownHook(node.hook);
        try {
            TestNetns.run("ip", "link", "add", node.bridge, "type", "bridge").ok();
            TestNetns.run("ip", "addr", "add", node.subnet + "1/24", "dev", node.bridge).ok();
            TestNetns.run("ip", "link", "set", node.bridge, "up").ok();
            for (int i = 0; i < count; i++) {
                node.addPod(String.format("pc-%s-%d-%06x-%d", tag, pid, random, i),
                        String.format("pcn%06x%d", random, i), node.subnet + (10 + i));
            }
            return node;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                node.close();
            } catch (IOException | InterruptedException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void addPod(String name, String hostVeth, String address) throws IOException, InterruptedException {
        pods.add(new Pod(name, hostVeth, address)); // first, so close() removes it whatever fails below
        TestNetns.run("ip", "netns", "add", name).ok();
        TestNetns.run("ip", "link", "add", "name", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", name)
                .ok();
        TestNetns.run("ip", "link", "set", hostVeth, "master", bridge, "up").ok();
        TestNetns.run("ip", "-n", name, "addr", "add", address + "/24", "dev", "eth0").ok();
        TestNetns.run("ip", "-n", name, "link", "set", "eth0", "up").ok();
        TestNetns.run("ip", "-n", name, "link", "set", "lo", "up").ok();
    }

    public List<Pod> pods() { return pods; }

    public Pod pod(int i) { return pods.get(i); }

    public String bridge() { return bridge; }

    /** The bridge's address, the pods' gateway. */
    public String gateway() { return subnet + "1"; }

    public TestNetns.Result exec(Pod pod, String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", pod.name()));
        all.addAll(List.of(command));
        return TestNetns.run(all.toArray(String[]::new));
    }

    /** Starts a process inside a pod (e.g. {@code sleep 60}, to hold it like a pause container); close() kills it. */
    public Process start(Pod pod, String... command) throws IOException, InterruptedException {
        Process p = TestNetns.startIn(pod.name(), command);
        processes.add(p);
        return p;
    }

    /** Deletes one pod now (its processes first), as when Kubernetes deletes it. */
    public void deletePod(Pod pod, Process... holders) throws IOException, InterruptedException {
        for (Process p : holders) {
            p.destroyForcibly().waitFor();
        }
        TestNetns.run("ip", "link", "del", "dev", pod.hostVeth());
        TestNetns.run("ip", "netns", "del", pod.name());
    }

    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs remove() again, harmlessly
        }
        if (TestNetns.run("ip", "link", "show", "dev", bridge).exitCode() == 0) {
            throw new IllegalStateException("could not remove bridge " + bridge);
        }
        for (Pod p : pods) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of(p.path()))) {
                throw new IllegalStateException("could not remove namespace " + p.name());
            }
        }
    }

    private synchronized void remove() {
        closed = true;
        try {
            for (Process p : processes) {
                p.destroyForcibly().waitFor();
            }
            for (Pod p : pods) {
                TestNetns.run("ip", "link", "del", "dev", p.hostVeth());
                TestNetns.run("ip", "netns", "del", p.name());
            }
            TestNetns.run("ip", "link", "del", "dev", bridge);
        } catch (IOException e) {
            // close() checks what is left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
