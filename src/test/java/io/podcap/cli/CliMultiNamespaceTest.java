package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNode;
import io.podcap.testing.Tools;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** capture with --netns twice: one interface block per namespace; one namespace vanishing leaves the other going. */
class CliMultiNamespaceTest {
    private static final int PORT = 9333;

    @TempDir
    Path dir;

    private static void send(DatagramSocket socket, String address, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(data, data.length, InetAddress.getByName(address), PORT));
    }

    @Test
    void twoNamespacesInOneFileAndOneVanishes() throws Exception {
        Root.assume();
        Tools.require("tshark");
        Path file = dir.resolve("two.pcapng");
        try (TestNode node = TestNode.create("multi", 2)) {
            TestNode.Pod a = node.pod(0);
            TestNode.Pod b = node.pod(1);
            for (TestNode.Pod p : node.pods()) {
                node.exec(p, "ping", "-c", "1", "-W", "2", node.gateway()).ok();
            }
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return Cli.run("capture", "--netns", a.spec(), "--netns", b.spec(), "-i", "eth0",
                            "-f", "udp dst port " + PORT, "--duration", "5", "-w", file.toString());
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            long start = System.nanoTime();
            boolean deleted = false;
            try (DatagramSocket socket = new DatagramSocket()) {
                for (int i = 0; i < 1000 && !run.isDone(); i++) {
                    double t = (System.nanoTime() - start) / 1e9;
                    if (!deleted && t > 2.5) {
                        node.deletePod(b);
                        deleted = true;
                    }
                    send(socket, a.address(), (deleted ? "after-" : "a-") + i);
                    if (!deleted) {
                        send(socket, b.address(), "b-" + i);
                    }
                    Thread.sleep(20);
                }
            }
            Cli.Result r = run.get();
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("capturing on eth0 in " + a.spec()), r::toString);
            // several namespaces: smaller buffers each, unless asked otherwise
            assertTrue(r.stderr().contains("kernel buffer 4.0 MiB"), r::toString);
            assertTrue(r.stderr().contains("capturing on eth0 in " + b.spec()), r::toString);
            assertTrue(r.stderr().contains("capture in " + b.spec() + " ended: "), r::toString);

            List<String[]> rows = Tools.tsharkFields(file, "frame.interface_description", "udp.payload");
            int after = 0;
            int fromB = 0;
            for (String[] row : rows) {
                String payload = Tools.ascii(row[1]);
                TestNode.Pod to = payload.startsWith("b-") ? b : a;
                assertEquals("eth0 in " + to.spec() + " (ifindex 2)", row[0], payload);
                after += payload.startsWith("after-") ? 1 : 0;
                fromB += to == b ? 1 : 0;
            }
            assertTrue(fromB > 0, r::toString);
            assertTrue(after > 0, "the other namespace is still captured: " + r);

            // read back, each flow is where it was captured; copied, the blocks keep their descriptions
            Cli.Result flows = Cli.run("flows", "--read", file.toString(), "--json");
            assertEquals(0, flows.exitCode(), flows::toString);
            List<String> lines = flows.stdout().lines().toList();
            for (TestNode.Pod p : List.of(a, b)) {
                assertEquals(1, lines.stream().filter(l -> l.contains("\"server\":\"" + p.address() + ":" + PORT + "\"")
                        && l.contains("\"netns\":\"" + p.spec() + "\"")).count(), flows::toString);
            }
            Path copy = dir.resolve("copy.pcapng");
            Cli.Result c = Cli.run("capture", "--read", file.toString(), "-w", copy.toString());
            assertEquals(0, c.exitCode(), c::toString);
            assertEquals(rows.stream().map(row -> row[0]).toList(),
                    Tools.tsharkFields(copy, "frame.interface_description", "udp.payload").stream()
                            .map(row -> row[0]).toList());
        }
    }
}
