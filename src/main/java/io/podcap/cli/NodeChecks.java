package io.podcap.cli;

import io.podcap.capture.Capture;
import io.podcap.capture.Native;
import io.podcap.k8s.NodeRoots;
import io.podcap.ns.Interfaces;
import io.podcap.ns.NamespaceSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What this machine allows podcap to do, as a list of checks. Files of the node are read where {@link NodeRoots} says
 * ({@code /} on the node itself, {@code /host} in the DaemonSet, which mounts the node's directories there).
 */
final class NodeChecks {
    enum Status { OK, WARN, FAIL }

    /** One line of {@code podcap doctor}; a critical FAIL means capture cannot work. */
    record Check(Status status, String name, String detail, boolean critical) {
        boolean blocksCapture() {
            return critical && status == Status.FAIL;
        }
    }

    private final NodeRoots node;
    private final List<Check> checks = new ArrayList<>();

    private NodeChecks(NodeRoots node) {
        this.node = node;
    }

    static List<Check> run(NodeRoots node) {
        NodeChecks c = new NodeChecks(node);
        c.capabilities();
        if (c.nativeLibrary()) {
            c.capture();
        }
        c.kernel();
        c.namespaces();
        c.runtimes();
        return List.copyOf(c.checks);
    }

    private void add(Status status, String name, String detail, boolean critical) {
        checks.add(new Check(status, name, detail, critical));
    }

    private void capabilities() {
        long eff;
        try {
            eff = Capability.effective();
        } catch (IOException | RuntimeException e) {
            add(Status.FAIL, "capabilities", "cannot read /proc/self/status: " + e.getMessage(), true);
            return;
        }
        for (Capability cap : Capability.values()) {
            boolean has = cap.in(eff);
            add(has ? Status.OK : cap.critical ? Status.FAIL : Status.WARN, cap.kernelName(),
                    (has ? "effective: " : "missing, needed for ") + cap.why, cap.critical);
        }
    }

    private boolean nativeLibrary() {
        try {
            Native.ensureLoaded();
            String version = Native.libpcapVersion();
            add(Status.OK, "native library", "libpodcap loads; " + version, true);
            boolean v3 = version.contains("TPACKET_V3");
            add(v3 ? Status.OK : Status.WARN, "TPACKET_V3", v3 ? "libpcap uses the block ring (TPACKET_V3)"
                    : "libpcap was built without TPACKET_V3: one system call per packet, more kernel drops", false);
            return true;
        } catch (LinkageError | RuntimeException e) {
            add(Status.FAIL, "native library", Main.message(e), true);
            return false;
        }
    }

    /** The real thing, briefly: a packet socket, and entering a namespace as a pod capture does. */
    private void capture() {
        try (Capture c = Capture.builder().device("lo").snaplen(128).bufferSize(1 << 16).ringSize(1 << 16)
                .handler(p -> { }).open()) {
            add(Status.OK, "capture", "opened a capture on lo (" + c.namespace() + ")", true);
        } catch (RuntimeException e) {
            add(Status.FAIL, "capture", Main.message(e), true);
        }
        try {
            // setns(2) even into our own namespace takes CAP_SYS_ADMIN (and a seccomp profile that allows it)
            int n = Interfaces.list(NamespaceSpec.parse("path:/proc/self/ns/net")).size();
            add(Status.OK, "setns", "entered a network namespace and listed its " + count(n, "interface"), true);
        } catch (RuntimeException e) {
            add(Status.FAIL, "setns", Main.message(e), true);
        }
    }

    private void kernel() {
        String release = System.getProperty("os.version");
        add(Status.OK, "kernel", "Linux " + release, false);
        Path proc = node.proc();
        boolean nflog = contains(proc.resolve("net/netfilter/nf_log"), "nfnetlink_log")
                || contains(proc.resolve("net/ip_tables_targets"), "NFLOG");
        add(nflog ? Status.OK : Status.WARN, "nflog", nflog ? "nfnetlink_log is loaded"
                : "nfnetlink_log not loaded (modprobe nfnetlink_log; trace needs it)" + module(release, "nfnetlink_log"),
                false);
        boolean trace = contains(proc.resolve("net/ip_tables_targets"), "TRACE");
        add(trace ? Status.OK : Status.WARN, "TRACE target", trace ? "xt_TRACE is loaded"
                : "xt_TRACE not loaded (iptables loads it on first use)" + module(release, "xt_TRACE"), false);
        Path allNetns = proc.resolve("sys/net/netfilter/nf_log_all_netns");
        String value = read(allNetns);
        if ("1".equals(value)) {
            add(Status.OK, "nf_log_all_netns", "1: LOG and TRACE in pod namespaces reach the kernel log", false);
        } else {
            add(Status.WARN, "nf_log_all_netns", (value == null ? "not readable at " + allNetns : value)
                    + ": LOG and TRACE in pod namespaces are not logged (sysctl -w net.netfilter.nf_log_all_netns=1)",
                    false);
        }
    }

    private String module(String release, String name) {
        Path dep = node.root().resolve("lib/modules/" + release + "/modules.dep");
        return Files.isReadable(dep) ? contains(dep, "/" + name + ".ko") ? ", module present" : ", no module"
                : "";
    }

    private void namespaces() {
        Path proc = node.proc();
        Set<String> namespaces = new HashSet<>();
        int processes = 0;
        int unreadable = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path pid : pids) {
                processes++;
                try {
                    namespaces.add(Files.readSymbolicLink(pid.resolve("ns/net")).toString());
                } catch (IOException e) {
                    unreadable++; // gone, or protected from us (CAP_SYS_PTRACE, another user namespace)
                }
            }
            String skipped = unreadable > 0 ? " (" + unreadable + " not readable: pid: specs cannot use them)" : "";
            add(Status.OK, "/proc namespaces", count(namespaces.size(), "network namespace") + " among "
                    + count(processes, "process") + " in " + proc + skipped, false);
        } catch (IOException e) {
            add(Status.WARN, "/proc namespaces", "cannot list " + proc + ": " + e.getMessage(), false);
        }
        Path netns = node.run().resolve("netns");
        try (DirectoryStream<Path> names = Files.newDirectoryStream(netns)) {
            int n = 0;
            for (Path ignored : names) {
                n++;
            }
            add(Status.OK, "/run/netns", count(n, "named namespace") + " in " + netns + " (netns:NAME specs)", false);
        } catch (IOException e) {
            add(Status.WARN, "/run/netns", netns + " is not there: no netns:NAME specs (CNIs keep pod sandboxes"
                    + " there)", false);
        }
    }

    private void runtimes() {
        dir("containerd", node.run().resolve("containerd/io.containerd.runtime.v2.task/k8s.io"));
        dir("CRI-O", node.run().resolve("containers/storage"));
        dir("kubelet", node.kubelet().resolve("pods"));
    }

    private void dir(String name, Path dir) {
        boolean there = Files.isDirectory(dir);
        add(there ? Status.OK : Status.WARN, name, (there ? "found " : "not found: ") + dir, false);
    }

    private static boolean contains(Path file, String text) {
        String s = read(file);
        return s != null && s.contains(text);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /** "1 interface", "4 interfaces", "2 processes". */
    private static String count(long n, String noun) {
        return n + " " + (n == 1 ? noun : noun + (noun.endsWith("s") ? "es" : "s"));
    }
}
