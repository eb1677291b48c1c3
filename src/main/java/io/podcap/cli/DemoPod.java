package io.podcap.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throwaway pod-like network namespace wired as bridge CNIs do it: a bridge in the node namespace with the gateway
 * address (.1, like cni0), a veth pair whose pod end is eth0 (.2) inside the namespace. close() removes all of it.
 */
final class DemoPod implements AutoCloseable {
    final String namespace;
    final String bridge;
    final String hostVeth;
    final String gateway;
    final String podIp;
    private final List<List<String>> undo = new ArrayList<>();

    private DemoPod(String tag, String subnet) {
        this.namespace = "podcap-demo-" + tag;
        this.bridge = "pcdemo" + tag;
        this.hostVeth = "pcveth" + tag;
        this.gateway = subnet + ".1";
        this.podIp = subnet + ".2";
    }

    static DemoPod create() {
        String tag = Long.toString(ProcessHandle.current().pid() % 100_000);
        DemoPod pod = new DemoPod(tag, freeSubnet());
        try {
            pod.build();
            return pod;
        } catch (RuntimeException e) {
            pod.close();
            throw e;
        }
    }

    /** A 10.2xx.y.0/24 no route of this node mentions, so the demo never shadows a real network. */
    private static String freeSubnet() {
        String routes = Shell.run("ip", "-4", "route", "show", "table", "all");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 100; i++) {
            String subnet = "10." + (200 + random.nextInt(50)) + "." + random.nextInt(250);
            if (!routes.contains(subnet + ".")) {
                return subnet;
            }
        }
        throw new IllegalStateException("no free 10.2xx.y.0/24 subnet for the demo pod");
    }

    private void build() {
        step(List.of("ip", "netns", "delete", namespace), "ip", "netns", "add", namespace);
        step(List.of("ip", "link", "delete", bridge), "ip", "link", "add", bridge, "type", "bridge");
        Shell.run("ip", "addr", "add", gateway + "/24", "dev", bridge);
        Shell.run("ip", "link", "set", bridge, "up");
        step(List.of("ip", "link", "delete", hostVeth),
                "ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
        Shell.run("ip", "link", "set", hostVeth, "master", bridge, "up");
        inside("ip", "addr", "add", podIp + "/24", "dev", "eth0");
        inside("ip", "link", "set", "eth0", "up");
        inside("ip", "link", "set", "lo", "up");
        inside("ip", "route", "add", "default", "via", gateway);
    }

    /** Runs a command and remembers how to undo it. */
    private void step(List<String> undoCommand, String... command) {
        Shell.run(command);
        undo.add(0, undoCommand);
    }

    void inside(String... command) {
        Shell.run(insideCommand(command).toArray(String[]::new));
    }

    List<String> insideCommand(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }

    /** Removes everything made, last first; reports what could not be removed. */
    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (List<String> command : undo) {
            String failure = Shell.tryRun(command);
            if (failure != null) {
                failures.add(failure);
            }
        }
        undo.clear();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("demo clean-up incomplete: " + String.join("; ", failures));
        }
    }
}
