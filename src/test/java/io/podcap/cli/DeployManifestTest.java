package io.podcap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * deploy/daemonset.yaml agrees with the code: its container args parse with the CLI's own picocli model (every flag
 * exists, every value converts), it adds exactly the capabilities doctor checks, and nothing is privileged.
 */
class DeployManifestTest {
    private static final Path MANIFEST = Path.of("deploy/daemonset.yaml");

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object o = node;
        for (String key : path) {
            assertTrue(o instanceof Map, () -> "no " + String.join(".", path) + " in the manifest");
            o = ((Map<String, Object>) o).get(key);
        }
        return (T) o;
    }

    private static Map<String, Object> daemonSet() throws Exception {
        List<Object> docs = new ArrayList<>();
        new Yaml().loadAll(Files.readString(MANIFEST)).forEach(docs::add);
        return docs.stream().map(d -> (Map<String, Object>) at(d))
                .filter(d -> "DaemonSet".equals(d.get("kind"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> podSpec() throws Exception {
        return at(daemonSet(), "spec", "template", "spec");
    }

    private static List<Map<String, Object>> containers(Map<String, Object> pod) {
        List<Map<String, Object>> all = new ArrayList<>(at(pod, "initContainers"));
        all.addAll(at(pod, "containers"));
        return all;
    }

    @Test
    void containerArgsParseWithTheCliModel() throws Exception {
        for (Map<String, Object> c : containers(podSpec())) {
            List<String> args = ((List<Object>) at(c, "args")).stream().map(String::valueOf)
                    .map(a -> a.replace("$(HOST_IP)", "10.0.0.1")).toList(); // the kubelet substitutes env refs
            CommandLine cli = Main.commandLine();
            CommandLine sub = cli.getSubcommands().get(args.get(0));
            assertNotNull(sub, "no subcommand " + args.get(0));
            CommandSpec spec = sub.getCommandSpec();
            for (String a : args.subList(1, args.size())) {
                if (a.startsWith("-")) {
                    assertNotNull(spec.findOption(a), () -> args.get(0) + " has no option " + a);
                }
            }
            cli.parseArgs(args.toArray(String[]::new)); // throws on an unknown flag or a value that does not convert
        }
    }

    @Test
    void capabilitiesAreExactlyWhatDoctorChecksAndNothingIsPrivileged() throws Exception {
        Set<String> doctor = Arrays.stream(Capability.values()).map(Enum::name).collect(Collectors.toSet());
        Map<String, Object> pod = podSpec();
        assertEquals(true, pod.get("hostPID"));
        for (Map<String, Object> c : containers(pod)) {
            assertEquals(false, at(c, "securityContext", "privileged"), c.get("name") + " is not privileged");
            assertEquals(false, at(c, "securityContext", "allowPrivilegeEscalation"));
            assertEquals(List.of("ALL"), at(c, "securityContext", "capabilities", "drop"));
            assertEquals(doctor, Set.copyOf(at(c, "securityContext", "capabilities", "add")), c.get("name").toString());
        }
    }

    @Test
    void nodeDirectoriesAreMountedReadOnlyWhereDoctorLooks() throws Exception {
        Map<String, Object> pod = podSpec();
        Map<String, String> hostPaths = ((List<Map<String, Object>>) at(pod, "volumes")).stream()
                .filter(v -> v.containsKey("hostPath"))
                .collect(Collectors.toMap(v -> (String) v.get("name"), v -> at(v, "hostPath", "path")));
        for (Map<String, Object> c : containers(pod)) {
            List<Map<String, Object>> mounts = at(c, "volumeMounts");
            for (String node : List.of("/proc", "/run/netns", "/var/lib/kubelet")) {
                Map<String, Object> m = mounts.stream().filter(x -> ("/host" + node).equals(x.get("mountPath")))
                        .findFirst().orElseThrow(() -> new AssertionError(node + " not at /host" + node));
                assertEquals(node, hostPaths.get((String) m.get("name")));
                assertEquals(true, m.get("readOnly"), node + " is read-only");
            }
            mounts.stream().filter(m -> hostPaths.containsKey((String) m.get("name")))
                    .filter(m -> ((String) m.get("mountPath")).startsWith("/host/"))
                    .forEach(m -> assertEquals(true, m.get("readOnly"), m.toString()));
        }
        List<Object> doctorArgs = at(((List<Map<String, Object>>) at(pod, "initContainers")).get(0), "args");
        assertEquals(List.of("doctor", "--host-root", "/host"), doctorArgs);
    }

    @Test
    void metricsPortIsServedDeclaredAndAnnotatedForPrometheus() throws Exception {
        Map<String, Object> daemonSet = daemonSet();
        Map<String, Object> capture = ((List<Map<String, Object>>) at(daemonSet, "spec", "template", "spec",
                "containers")).get(0);
        List<String> args = ((List<Object>) at(capture, "args")).stream().map(String::valueOf).toList();
        String port = args.get(args.indexOf("--metrics-port") + 1);
        assertEquals(port, at(daemonSet, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
        assertEquals("true", at(daemonSet, "spec", "template", "metadata", "annotations", "prometheus.io/scrape"));
        assertEquals(Integer.valueOf(port),
                ((List<Map<String, Object>>) at(capture, "ports")).get(0).get("containerPort"));
        assertTrue(args.contains("--json-stats"), "JSON lines on stdout for the log pipeline");
        assertFalse(args.contains("-"), "stdout is for JSON lines, not pcap");
    }

    @Test
    void dockerfileShipsTheJarMavenBuilds() throws Exception {
        String dockerfile = Files.readString(Path.of("deploy/Dockerfile"));
        String version = new String(Files.readAllBytes(Path.of("pom.xml")))
                .replaceAll("(?s).*?<artifactId>podcap</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
        assertTrue(dockerfile.contains("/target/podcap-" + version + "-cli.jar "), "the shaded jar of " + version);
        assertTrue(dockerfile.contains("libpcap0.8") && dockerfile.contains("-Dpodcap.native.dir=/tmp"));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/opt/podcap/podcap\"]"), "the launcher, with its JVM options");
    }
}
