package io.podcap.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podcap.testing.Cli;
import io.podcap.testing.Root;
import io.podcap.testing.TestNetns;
import io.podcap.testing.TestNode;
import io.podcap.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** capture --all-pods --follow while a namespace is created and deleted: picked up, dropped, the pod goes on. */
class FollowTest {
    @TempDir
    Path dir;

    @Test
    void namespacesThatComeAndGoAreFollowed() throws Exception {
        Root.assume();
        Tools.require("tshark");
        Path root = Files.createDirectories(dir.resolve("host"));
        Path file = dir.resolve("follow.pcapng");
        FakeNode fake = new FakeNode(root);
        try (TestNode node = TestNode.create("follow", 1)) {
            TestNode.Pod pod = node.pod(0);
            FakeNodeTest.wirePodA(fake, pod, node.start(pod, "sleep", "60").pid());
            node.exec(pod, "ping", "-c", "1", "-W", "2", node.gateway()).ok();
            TestNetns[] later = {null};
            long start = System.nanoTime();
            int[] phase = {0};
            try {
                Cli.Result r = CliRun.whileSending(() -> {
                    double t = (System.nanoTime() - start) / 1e9;
                    if (phase[0] == 0 && t > 1.5) {
                        later[0] = TestNetns.create("followed");
                        later[0].exec("ping", "-c", "1", "-W", "2", later[0].hostAddress()).ok();
                        fake.netnsFile("cni-later", Path.of(later[0].path()));
                        phase[0] = 1;
                    } else if (phase[0] == 1 && t > 4.5) {
                        Files.delete(root.resolve("run/netns/cni-later"));
                        phase[0] = 2;
                    } else if (phase[0] == 2 && t > 7) {
                        later[0].close(); // after podcap dropped it
                        phase[0] = 3;
                    }
                    FakeNodeTest.send(pod.address(), phase[0] == 3 ? "late-" : "a-", 1);
                    if (phase[0] == 1) {
                        FakeNodeTest.send(later[0].address(), "later-", 1);
                    }
                }, "capture", "--host-root", root.toString(), "--all-pods", "--follow", "-i", "eth0",
                        "-f", "udp dst port " + FakeNodeTest.PORT, "--duration", "9", "-w", file.toString());
                assertEquals(0, r.exitCode(), r::toString);
                String spec = "path:" + root.resolve("run/netns/cni-later");
                assertTrue(r.stderr().contains(spec + " has appeared"), r::toString);
                assertTrue(r.stderr().contains(spec + " has vanished"), r::toString);
                assertTrue(r.stderr().contains("stopped capturing in " + spec), r::toString);

                List<String[]> rows = Tools.tsharkFields(file, "frame.interface_description", "udp.payload");
                long fromLater = 0;
                long late = 0;
                for (String[] row : rows) {
                    String payload = Tools.ascii(row[1]);
                    if (payload.startsWith("later-")) {
                        assertEquals("eth0 in " + spec + " (ifindex 2)", row[0]);
                        fromLater++;
                    } else {
                        assertTrue(row[0].startsWith("eth0 in pod team-a/web-a"), row[0]);
                        late += payload.startsWith("late-") ? 1 : 0;
                    }
                }
                assertTrue(fromLater > 0, "packets of the namespace that appeared: " + r);
                assertTrue(late > 0, "the pod is still captured after the other namespace went: " + r);
            } finally {
                if (later[0] != null) {
                    later[0].close();
                }
            }
        }
    }
}
