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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** A reader that goes away ({@code | head}) ends the command soon and quietly with 141, as SIGPIPE ends tcpdump. */
    @Test
    void aClosedStdoutEndsTheCommandQuietly() throws Exception {
        Path file = dir.resolve("many.pcap"); // 20,000 UDP packets: their lines are more than a pipe holds
        ByteBuffer b = ByteBuffer.allocate(24 + 20_000 * (16 + 60)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        byte[] frame = new byte[60];
        ByteBuffer.wrap(frame).putShort(12, (short) 0x0800).put(14, (byte) 0x45).putShort(16, (short) 46)
                .put(22, (byte) 64).put(23, (byte) 17).putInt(26, 0x0a000001).putInt(30, 0x0a000002)
                .putShort(34, (short) 5000).putShort(36, (short) 53).putShort(38, (short) 26);
        for (int i = 0; i < 20_000; i++) { // each from a port of its own: a flow, a line, each
            ByteBuffer.wrap(frame).putShort(34, (short) (1024 + i));
            b.putInt(i / 1000).putInt(i % 1000 * 1000).putInt(60).putInt(60).put(frame);
        }
        Files.write(file, b.array());
        String[][] commands = {
            {"capture", "--read", file.toString()},
            {"capture", "--read", file.toString(), "-w", "-"},
            {"flows", "--read", file.toString(), "--json"},
            {"capture", "--netns", ns.spec(), "-i", "eth0"},
            {"capture", "--netns", ns.spec(), "-i", "eth0", "-w", "-"},
            {"flows", "--netns", ns.spec(), "-i", "eth0", "--interval", "0.2", "--json"},
        };
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress to = InetAddress.getByName(ns.address());
            for (String[] args : commands) {
                Process p = Cli.start(args);
                try {
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    for (int i = 0; p.getInputStream().available() == 0 && System.nanoTime() < deadline; i++) {
                        byte[] data = ("cli-" + i).getBytes(StandardCharsets.US_ASCII);
                        socket.send(new DatagramPacket(data, data.length, to, PORT));
                        Thread.sleep(10);
                    }
                    p.getInputStream().close(); // as head does once it has its lines
                    for (int i = 0; p.isAlive() && System.nanoTime() < deadline; i++) {
                        byte[] data = ("more-" + i).getBytes(StandardCharsets.US_ASCII);
                        socket.send(new DatagramPacket(data, data.length, to, PORT));
                        Thread.sleep(10);
                    }
                    assertFalse(p.isAlive(), () -> String.join(" ", args) + " still runs");
                    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(141, p.exitValue(), () -> String.join(" ", args) + "\n" + err);
                    assertFalse(err.contains("podcap: ") || err.contains("\tat "), err);
                } finally {
                    p.destroyForcibly().waitFor();
                }
            }
        }
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
        Cli.Result r = Cli.run("demo");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().contains("probe 3: GET /healthz -> HTTP/1.1 200 OK"), r::toString);
        assertTrue(r.stdout().contains("Flags [R.]"), r::toString);
        assertTrue(r.stdout().contains("0 dropped by kernel"), r::toString);
        // it ends with where the probes come from: the bridge's gateway address, as the kubelet, every 0.5 s, none
        // missed (the server's slow first answer does not move the next probe)
        assertTrue(r.stdout().lines().anyMatch(l -> l.matches("http +10\\.2\\d\\d\\.\\d+\\.1 +kubelet +10\\.2\\d\\d"
                + "\\.\\d+\\.2:8080 +/healthz +0\\.(4[5-9]|5[0-5]) +3 +3 +0 +0 .*\"kube-probe/1\\.29\".*")),
                r::toString);
        String namespaces = TestNetns.run("ip", "netns", "list").ok().stdout();
        assertFalse(namespaces.contains("podcap-demo-"), namespaces);
        String links = TestNetns.run("ip", "-o", "link").ok().stdout();
        assertFalse(links.contains("pcdemo") || links.contains("pcveth"), links);
    }
}
