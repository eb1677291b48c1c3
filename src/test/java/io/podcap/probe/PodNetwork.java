package io.podcap.probe;

import io.podcap.testing.TestNetns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A node with pods, all in namespaces the test makes (the host's network is left alone): a "node" namespace with a
 * bridge holding the gateway address .1 (like cni0), and pod namespaces with eth0 on veths enslaved to it (.2, .3,
 * ...), default route via the gateway. {@link #close()} kills the started processes and deletes the namespaces.
 */
final class PodNetwork implements AutoCloseable {
    static final String SUBNET = "10.244.77.";
    final String node;
    final List<String> pods = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private PodNetwork(String tag) {
        node = String.format("pc-%s-node-%d-%04x", tag, ProcessHandle.current().pid(),
                ThreadLocalRandom.current().nextInt(1 << 16));
    }

    static PodNetwork create(String tag, int podCount) throws IOException, InterruptedException {
        PodNetwork n = new PodNetwork(tag);
        try {
            n.build(podCount);
            return n;
        } catch (IOException | InterruptedException | RuntimeException e) {
            n.close();
            throw e;
        }
    }

    private void build(int podCount) throws IOException, InterruptedException {
        TestNetns.run("ip", "netns", "add", node).ok();
        ip(node, "link", "set", "lo", "up");
        ip(node, "link", "add", "cni0", "type", "bridge");
        ip(node, "addr", "add", gateway() + "/24", "dev", "cni0");
        ip(node, "link", "set", "cni0", "up");
        for (int i = 0; i < podCount; i++) {
            String pod = node.replace("-node-", "-pod" + i + "-");
            TestNetns.run("ip", "netns", "add", pod).ok();
            pods.add(pod);
            String veth = "veth" + i;
            ip(node, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", pod);
            ip(node, "link", "set", veth, "master", "cni0", "up");
            ip(pod, "addr", "add", podIp(i) + "/24", "dev", "eth0");
            ip(pod, "link", "set", "eth0", "up");
            ip(pod, "link", "set", "lo", "up");
            ip(pod, "route", "add", "default", "via", gateway());
        }
    }

    private static void ip(String ns, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", ns));
        command.addAll(List.of(args));
        TestNetns.run(command.toArray(String[]::new)).ok();
    }

    String gateway() {
        return SUBNET + "1";
    }

    String podIp(int i) {
        return SUBNET + (2 + i);
    }

    String spec(int pod) {
        return "netns:" + pods.get(pod);
    }

    static List<String> in(String ns, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(command));
        return all;
    }

    /** Runs a command in namespace {@code ns} and waits (at most 30 s). */
    TestNetns.Result exec(String ns, String... command) throws IOException, InterruptedException {
        return TestNetns.run(in(ns, command).toArray(String[]::new));
    }

    /** Starts a command in namespace {@code ns}; close() kills it. Its output goes to the test's stderr. */
    Process start(String ns, String... command) throws IOException {
        Process p = new ProcessBuilder(in(ns, command)).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        return p;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        List<String> left = new ArrayList<>();
        for (String ns : pods) {
            if (TestNetns.run("ip", "netns", "del", ns).exitCode() != 0) {
                left.add(ns);
            }
        }
        if (TestNetns.run("ip", "netns", "del", node).exitCode() != 0) {
            left.add(node);
        }
        if (!left.isEmpty()) {
            throw new IllegalStateException("could not delete namespaces " + left);
        }
    }
}
