package io.podcap.netfilter;

import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two namespaces the test owns, wired like a node and a pod behind a ClusterIP with kube-proxy's masquerade rule
 * missing: "node" has the VIP on a portless bridge named kube-ipvs0 and a nat OUTPUT DNAT from VIP:80 to the
 * backend's :8080; "backend" (the pod) has only its connected /24, which does not cover the VIP, and a TCP listener.
 * Nothing touches the host's namespace: the two are joined by a veth of their own. Firewall rules live and die with
 * the namespaces; {@link #close()} (and a shutdown hook) removes them and the processes.
 */
final class KubeNode implements AutoCloseable {
    static final int SERVICE_PORT = 80;
    static final int BACKEND_PORT = 8080;

    final String node;
    final String backend;
    final String nodeIp;
    final String backendIp;
    final String vip;
    int lastConnect = -1;
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::remove, "remove-kube-node");

    private KubeNode(String tag) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String id = String.format("%d-%05x", ProcessHandle.current().pid(), r.nextInt(1 << 20));
        node = "pc-" + tag + "n-" + id;
        backend = "pc-" + tag + "b-" + id;
        int b = r.nextInt(256);
        nodeIp = "10.251." + b + ".1";
        backendIp = "10.251." + b + ".2";
        vip = "10.96." + b + ".10";
    }

    static KubeNode create(String tag) throws IOException, InterruptedException {
        Tools.require("iptables");
        Tools.require("nc");
        KubeNode k = new KubeNode(tag);
        Runtime.getRuntime().addShutdownHook(k.hook);
        try {
            run("ip", "netns", "add", k.node);
            run("ip", "netns", "add", k.backend);
            run("ip", "-n", k.node, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", k.backend);
            run("ip", "-n", k.node, "addr", "add", k.nodeIp + "/24", "dev", "eth0");
            run("ip", "-n", k.backend, "addr", "add", k.backendIp + "/24", "dev", "eth0");
            for (String ns : List.of(k.node, k.backend)) {
                run("ip", "-n", ns, "link", "set", "eth0", "up");
                run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            run("ip", "-n", k.node, "link", "add", "kube-ipvs0", "type", "bridge");
            run("ip", "-n", k.node, "addr", "add", k.vip + "/32", "dev", "kube-ipvs0");
            k.node("iptables", "-t", "nat", "-A", "OUTPUT", "-d", k.vip + "/32", "-p", "tcp", "--dport",
                    Integer.toString(SERVICE_PORT), "-j", "DNAT", "--to-destination", k.backendIp + ":" + BACKEND_PORT);
            k.start(k.backend, "nc", "-lk", Integer.toString(BACKEND_PORT));
            return k;
        } catch (IOException | InterruptedException | RuntimeException e) {
            k.close();
            throw e;
        }
    }

    String nodeSpec() {
        return "netns:" + node;
    }

    String backendSpec() {
        return "netns:" + backend;
    }

    TestNetns.Result node(String... command) throws IOException, InterruptedException {
        return in(node, command);
    }

    TestNetns.Result backend(String... command) throws IOException, InterruptedException {
        return in(backend, command);
    }

    /** Connects from the node to VIP:80 (nc -z, 2 s): 0 when it worked. */
    int connectToService() throws IOException, InterruptedException {
        return in(node, "nc", "-z", "-w", "2", vip, Integer.toString(SERVICE_PORT)).exitCode();
    }

    /** kube-proxy's missing piece: masquerade what the node sends to the backend network. */
    void addMasquerade() throws IOException, InterruptedException {
        node("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE");
    }

    void start(String ns, String... command) throws IOException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(command));
        synchronized (processes) {
            processes.add(new ProcessBuilder(all).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
    }

    private static TestNetns.Result in(String ns, String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(command));
        return TestNetns.run(all.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        TestNetns.run(command).ok();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs remove() again, harmlessly
        }
        if (Files.exists(Path.of("/run/netns/" + node)) || Files.exists(Path.of("/run/netns/" + backend))) {
            throw new IllegalStateException("could not remove " + node + " or " + backend);
        }
    }

    private void remove() {
        try {
            synchronized (processes) {
                for (Process p : processes) {
                    p.destroyForcibly().waitFor();
                }
            }
            TestNetns.run("ip", "netns", "del", node);
            TestNetns.run("ip", "netns", "del", backend);
        } catch (IOException e) {
            // close() checks what is left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
