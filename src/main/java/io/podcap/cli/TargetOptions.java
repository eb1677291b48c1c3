package io.podcap.cli;

import io.podcap.capture.CaptureGroup;
import io.podcap.k8s.NamespaceDiscovery;
import io.podcap.k8s.PodNamespace;
import io.podcap.k8s.PodSpecResolver;
import io.podcap.ns.NamespaceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which namespaces a live command captures in: {@code --netns} (repeatable), {@code --all-pods}, {@code --follow},
 * and where the node's files are. Opens a {@link CaptureGroup} over them and, with {@code --follow}, keeps it in step
 * with the node: namespaces that appear are added, ones that vanish are removed. Members are keyed by namespace inode,
 * so one namespace named twice is captured once.
 */
final class TargetOptions {
    private static final Logger log = LoggerFactory.getLogger(TargetOptions.class);

    @Option(names = "--netns", paramLabel = "SPEC",
            description = "pid:PID, netns:NAME, path:FILE, pod:NAMESPACE/NAME, ip:ADDRESS or host (default);"
                    + " repeatable.")
    List<String> specs = new ArrayList<>();

    @Option(names = "--all-pods", description = "Every network namespace of the node except its own.")
    boolean allPods;

    @Option(names = "--follow",
            description = "Add namespaces that appear (with --all-pods, or a pod: that restarts), drop vanished ones.")
    boolean follow;

    @Mixin
    NodeRootsOptions roots;

    /** A group over the targets and, with --follow, what keeps it current. */
    final class Targets {
        private final CaptureGroup group;
        private final NamespaceDiscovery discovery;
        private final Map<Long, CaptureGroup.Member> byInode = new HashMap<>();
        private final Set<Long> unopenable = new HashSet<>();

        private Targets(CaptureGroup group, NamespaceDiscovery discovery) {
            this.group = group;
            this.discovery = discovery;
        }

        CaptureGroup group() {
            return group;
        }

        /** With --follow: rescans the node and adds and removes members to match. */
        void refresh() {
            if (!follow) {
                return;
            }
            Map<Long, Target> wanted = wanted(discovery.scan());
            for (Map.Entry<Long, CaptureGroup.Member> e : List.copyOf(byInode.entrySet())) {
                CaptureGroup.Member m = e.getValue();
                if (m.state() != CaptureGroup.State.RUNNING) {
                    byInode.remove(e.getKey());
                    unopenable.add(e.getKey()); // its capture ended on its own (reported): not tried again
                } else if (!wanted.containsKey(e.getKey())) {
                    log.info("{} has vanished", m.description());
                    group.remove(m);
                    byInode.remove(e.getKey());
                }
            }
            for (Map.Entry<Long, Target> e : wanted.entrySet()) {
                if (!byInode.containsKey(e.getKey()) && !unopenable.contains(e.getKey())) {
                    log.info("{} has appeared", e.getValue().description);
                    addLeniently(e.getKey(), e.getValue());
                }
            }
        }

        private void addLeniently(long inode, Target t) {
            try {
                byInode.put(inode, group.add(t.spec, t.description));
            } catch (RuntimeException e) {
                unopenable.add(inode); // said once, not at every rescan
                log.warn("cannot capture in {}: {}", t.description, e.getMessage());
            }
        }
    }

    private record Target(NamespaceSpec spec, String description) {}

    /**
     * Resolves the targets and opens the group. A --netns that does not resolve or open is an error; a namespace of
     * --all-pods that cannot be opened (no such interface there, gone meanwhile) is skipped with a warning.
     */
    /** A file to read ({@code --read}, may be null) and live targets exclude each other. */
    void checkNoneWith(Path input) {
        if (input != null && (!specs.isEmpty() || allPods || follow)) {
            throw new IllegalArgumentException("--read excludes --netns, --all-pods and --follow");
        }
    }

    /** Whether more than one namespace may be captured (each then gets smaller buffers by default). */
    boolean several() {
        return allPods || follow || specs.size() > 1;
    }

    Targets open(CaptureGroup.Builder builder) {
        if (follow && !allPods && specs.isEmpty()) {
            throw new IllegalArgumentException("--follow needs --all-pods or --netns");
        }
        NamespaceDiscovery discovery = new NamespaceDiscovery(roots.roots());
        boolean discover = allPods || follow || specs.stream().anyMatch(s -> s.startsWith("pod:") || s.startsWith("ip:"));
        List<PodNamespace> scan = discover ? discovery.scan() : List.of();
        Map<Long, Target> explicit = explicit(scan, true);
        explicit.values().forEach(t -> builder.add(t.spec, t.description));
        CaptureGroup group = builder.keepRunningWhenEmpty(true).open();
        Targets targets = new Targets(group, discovery);
        List<CaptureGroup.Member> opened = group.members();
        int i = 0;
        for (Long inode : explicit.keySet()) {
            targets.byInode.put(inode, opened.get(i++));
        }
        if (allPods) {
            pods(scan).forEach((inode, t) -> {
                if (!targets.byInode.containsKey(inode)) {
                    targets.addLeniently(inode, t);
                }
            });
        }
        if (targets.byInode.isEmpty() && !follow) {
            group.close();
            throw new IllegalArgumentException("no network namespace to capture in" + (allPods ? " could be opened" : ""));
        }
        group.keepRunningWhenEmpty(follow);
        return targets;
    }

    /**
     * --netns values (host when none and no --all-pods), described with their pod when discovery knows it. Strict: a
     * spec that does not resolve is an error; else (--follow's rescans) it is left out until it does.
     */
    private Map<Long, Target> explicit(List<PodNamespace> scan, boolean strict) {
        List<String> given = specs.isEmpty() && !allPods && !follow ? List.of("host") : specs;
        PodSpecResolver resolver = roots.resolver();
        Map<Long, Target> out = new LinkedHashMap<>();
        for (String s : given) {
            NamespaceSpec spec;
            try {
                spec = resolver.parse(s);
            } catch (IllegalArgumentException e) {
                if (strict) {
                    throw e;
                }
                log.debug("{} does not resolve now: {}", s, e.getMessage());
                continue;
            }
            long inode = NamespaceDiscovery.inode(spec);
            String description = scan.stream().filter(ns -> ns.inode() == inode).findFirst()
                    .flatMap(PodNamespace::pod).map(p -> p.describe() + " (" + spec.label() + ")")
                    .orElse(spec.label());
            out.putIfAbsent(inode, new Target(spec, description));
        }
        return out;
    }

    /** Every namespace but the node's own (and this process's), from --all-pods. */
    private static Map<Long, Target> pods(List<PodNamespace> scan) {
        Map<Long, Target> out = new LinkedHashMap<>();
        for (PodNamespace ns : scan) {
            if (!ns.host() && !ns.spec().equals("host")) {
                try {
                    out.put(ns.inode(), new Target(ns.namespaceSpec(), ns.describe()));
                } catch (IllegalArgumentException gone) {
                    log.debug("{} vanished while looking: {}", ns.spec(), gone.getMessage());
                }
            }
        }
        return out;
    }

    /** What --follow captures in as the node is now. */
    private Map<Long, Target> wanted(List<PodNamespace> scan) {
        Map<Long, Target> out = explicit(scan, false);
        if (allPods) {
            pods(scan).forEach(out::putIfAbsent);
        }
        return out;
    }
}
