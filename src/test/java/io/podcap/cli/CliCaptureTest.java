package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.Tools;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user runs it, against a real namespace: ifaces, capture -w, --read, bad live input, demo. */
class CliCaptureTest {
    private static final int PORT = 9777;
    private static TestNetns ns;

    @TempDir
    Path dir;

    @BeforeAll
    static void namespace() throws Exception {
        Root.assume();
        ns = TestNetns.create("cli");
        ns.exec("ping", "-c", "1", "-W", "2", ns.hostAddress()).ok();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (ns != null) {
            ns.close();
        }
    }

    /** Runs the CLI while sending datagrams to the namespace, until it exits (at most 2000 of them). */
    private static Cli.Result runWhileSending(String... args) throws Exception {
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return Cli.run(args);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress to = InetAddress.getByName(ns.address());
            for (int i = 0; i < 2000 && !run.isDone(); i++) {
                byte[] data = ("cli-" + i).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(data, data.length, to, PORT));
                Thread.sleep(10);
            }
        }
        return run.get();
    }

    @Test
    void captureWritesAPcapngThatTcpdumpAndTsharkCount() throws Exception {
        Tools.require("tshark");
        Path file = dir.resolve("cli.pcapng");
        Cli.Result r = runWhileSending("capture", "--netns", ns.spec(), "--iface", "eth0",
                "--filter", "udp dst port " + PORT, "--count", "20", "-w", file.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stderr().contains("20 packets captured"), r::toString);
        assertTrue(r.stderr().contains("kernel buffer 32.0 MiB"), r::toString);
        assertTrue(r.stderr().contains("0 dropped by kernel") && r.stderr().contains("0 dropped by ring"),
                r::toString);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(20, Tools.run("tcpdump", "-nn", "-r", file.toString()).ok().lines().size());
        List<String[]> rows = Tools.tsharkFields(file, "frame.interface_description", "udp.dstport");
        assertEquals(20, rows.size());
        assertTrue(rows.get(0)[0].contains("eth0 in " + ns.spec()), rows.get(0)[0]);

        // The same file through --read, with a filter that keeps a known subset.
        Cli.Result all = Cli.run("capture", "--read", file.toString());
        assertEquals(0, all.exitCode(), all::toString);
        assertEquals(20, all.stdout().lines().count(), all::toString);
        assertTrue(all.stdout().contains(ns.address() + "." + PORT + ": UDP"), all::toString);
        Cli.Result none = Cli.run("capture", "--read", file.toString(), "--filter", "tcp");
        assertEquals(0, none.exitCode(), none::toString);
        assertEquals("", none.stdout(), none::toString);
    }

    @Test
    void ifacesShowsTheVethAndItsHostPeer() throws Exception {
        Cli.Result r = Cli.run("ifaces", "--netns", ns.spec());
        assertEquals(0, r.exitCode(), r::toString);
        String eth0 = r.stdout().lines().filter(l -> l.contains(" eth0 ")).findFirst().orElseThrow(
                () -> new AssertionError(r));
        assertTrue(eth0.contains(ns.address() + "/24"), eth0);
        assertTrue(eth0.contains(ns.hostVeth()), eth0);
        assertTrue(eth0.contains("veth"), eth0);
        String mac = ns.exec("cat", "/sys/class/net/eth0/address").ok().stdout().strip();
        assertTrue(eth0.contains(mac), eth0 + " lacks " + mac);
    }

    @Test
    void badLiveInputIsOneLineAndExitTwo() throws Exception {
        Cli.Result iface = Cli.run("capture", "--netns", ns.spec(), "--iface", "eth7", "-c", "1");
        assertEquals(2, iface.exitCode(), iface::toString);
        assertTrue(iface.stderr().strip().lines().count() == 1 && iface.stderr().contains("eth7"), iface::toString);
        Cli.Result filter = Cli.run("capture", "--netns", ns.spec(), "--filter", "udp prot 53", "-c", "1",
                "-w", dir.resolve("never.pcapng").toString());
        assertEquals(2, filter.exitCode(), filter::toString);
        assertTrue(filter.stderr().contains("does not compile"), filter::toString);
        assertFalse(Files.exists(dir.resolve("never.pcapng")), "no empty file is left behind");
    }

    @Test
    void demoRunsAndLeavesNothingBehind() throws Exception {
        Cli.Result r = Cli.run("demo", "--probes", "2");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("probe 2: GET /healthz -> HTTP/1.1 200 OK"), r::toString);
        assertTrue(r.stdout().contains("Flags [R.]"), r::toString);
        assertTrue(r.stdout().contains("0 dropped by kernel"), r::toString);
        // it ends with where the probes come from: the bridge's gateway address, as the kubelet, every ~0.2 s
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("http +10\\.2\\d\\d\\.\\d+\\.1 +kubelet +10\\.2\\d\\d"
                + "\\.\\d+\\.2:8080 +/healthz +0\\.[1-3]\\d +2 +2 +0 +0 .*\"kube-probe/1\\.29\".*")), r::toString);
        String namespaces = TestNetns.run("ip", "netns", "list").ok().stdout();
        assertFalse(namespaces.contains("podcap-demo-"), namespaces);
        String links = TestNetns.run("ip", "-o", "link").ok().stdout();
        assertFalse(links.contains("pcdemo") || links.contains("pcveth"), links);
    }
}
