package io.podcap.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI bundles the container runtimes keep for running containers, read for the pod each belongs to and the
 * network namespace it joined:
 * <ul>
 * <li>containerd: {@code /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json} (k3s:
 *     {@code /run/k3s/containerd/...}), annotations {@code io.kubernetes.cri.sandbox-name}, {@code -namespace},
 *     {@code -uid};</li>
 * <li>CRI-O: {@code /run/containers/storage/overlay-containers/<id>/userdata/config.json} and the same under
 *     {@code /var/lib/containers/storage}, annotations {@code io.kubernetes.pod.name}, {@code .namespace},
 *     {@code .uid}.</li>
 * </ul>
 * A sandbox's {@code linux.namespaces} entry of type {@code network} names its namespace file
 * ({@code /var/run/netns/cni-...}); a container's names its sandbox's ({@code /proc/PID/ns/net}). Unreadable or
 * malformed files are skipped and counted.
 */
final class RuntimeMetadata {
    private static final Logger log = LoggerFactory.getLogger(RuntimeMetadata.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_CONFIG_BYTES = 4 << 20;

    /** One container's bundle: its id, runtime, pod, and the namespace file it joined (as the node names it). */
    record Container(String id, String runtime, String podUid, String podNamespace, String podName, String netnsPath) {
        PodIdentity identity() {
            return new PodIdentity(podUid, podNamespace, podName, runtime);
        }
    }

    private final List<Container> containers = new ArrayList<>();
    private int skipped;

    /** Reads every bundle under the roots. */
    static RuntimeMetadata scan(NodeRoots roots) {
        RuntimeMetadata m = new RuntimeMetadata();
        for (Path tasks : List.of(roots.resolve("/run/containerd/io.containerd.runtime.v2.task"),
                roots.resolve("/run/k3s/containerd/io.containerd.runtime.v2.task"))) {
            for (Path namespace : NodeFiles.list(tasks)) {
                for (Path bundle : NodeFiles.list(namespace)) {
                    m.read(bundle.resolve("config.json"), bundle.getFileName().toString(), "containerd");
                }
            }
        }
        for (Path storage : List.of(roots.resolve("/run/containers/storage/overlay-containers"),
                roots.resolve("/var/lib/containers/storage/overlay-containers"))) {
            for (Path container : NodeFiles.list(storage)) {
                m.read(container.resolve("userdata/config.json"), container.getFileName().toString(), "cri-o");
            }
        }
        return m;
    }

    List<Container> containers() {
        return containers;
    }

    /** Bundles that could not be read or parsed. */
    int skipped() {
        return skipped;
    }

    private void read(Path config, String id, String runtime) {
        if (!Files.isRegularFile(config)) {
            return;
        }
        try {
            if (Files.size(config) > MAX_CONFIG_BYTES) {
                throw new IOException("larger than " + MAX_CONFIG_BYTES + " bytes");
            }
            Map<String, String> annotations = new HashMap<>();
            String netns = parse(Files.readAllBytes(config), annotations);
            Container c = runtime.equals("containerd")
                    ? new Container(id, runtime, annotations.get("io.kubernetes.cri.sandbox-uid"),
                            annotations.get("io.kubernetes.cri.sandbox-namespace"),
                            annotations.get("io.kubernetes.cri.sandbox-name"), netns)
                    : new Container(id, runtime, annotations.get("io.kubernetes.pod.uid"),
                            annotations.get("io.kubernetes.pod.namespace"), annotations.get("io.kubernetes.pod.name"),
                            netns);
            if (c.podUid != null || c.podName != null || c.netnsPath != null) {
                containers.add(c);
            }
        } catch (IOException | RuntimeException e) {
            skipped++;
            log.debug("skipping {}: {}", config, e.toString());
        }
    }

    /** Collects the string annotations; returns the network namespace path, or null. */
    private static String parse(byte[] json, Map<String, String> annotations) throws IOException {
        String netns = null;
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("annotations") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        if (p.nextToken() == JsonToken.VALUE_STRING) {
                            annotations.put(key, p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (field.equals("linux") && value == JsonToken.START_OBJECT) {
                    netns = linuxNetns(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return netns;
    }

    /** Inside "linux": the path of the namespaces entry of type network. */
    private static String linuxNetns(JsonParser p) throws IOException {
        String netns = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (!field.equals("namespaces") || value != JsonToken.START_ARRAY) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String type = null;
                String path = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    if (key.equals("type")) {
                        type = p.getText();
                    } else if (key.equals("path")) {
                        path = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
                if ("network".equals(type) && path != null && !path.isEmpty()) {
                    netns = path;
                }
            }
        }
        return netns;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", found " + actual);
        }
    }
}
