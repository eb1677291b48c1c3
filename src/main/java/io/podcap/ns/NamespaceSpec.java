package io.podcap.ns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which network namespace to look into, as the user names it: {@code pid:PID} (a process's, e.g. a pod's container),
 * {@code netns:NAME} (one made by {@code ip netns add}), {@code path:FILE} (any namespace file or bind mount) or
 * {@code host} (the caller's own); {@link NamespaceResolver}s add forms such as {@code pod:NAMESPACE/NAME} and
 * {@code ip:ADDRESS}. Parsing checks that the namespace exists, so a typo fails here with a clear
 * message rather than later inside a native call. Immutable.
 */
public final class NamespaceSpec {
    private static final List<NamespaceResolver> RESOLVERS = ServiceLoader.load(NamespaceResolver.class).stream()
            .map(ServiceLoader.Provider::get).toList();
    static final String FORMS = "pid:PID, netns:NAME, path:FILE"
            + RESOLVERS.stream().map(r -> ", " + r.forms()).collect(Collectors.joining()) + " or host";
    private static final Path PROC = Path.of("/proc");
    /* ip(8) keeps its namespaces in /run/netns; older systems have /var/run/netns, usually the same directory. */
    private static final List<Path> NETNS_DIRS = List.of(Path.of("/run/netns"), Path.of("/var/run/netns"));
    private static final NamespaceSpec HOST = new NamespaceSpec(null, "host", -1);

    private final String path;
    private final String label;
    private final int pid;

    private NamespaceSpec(String path, String label, int pid) {
        this.path = path;
        this.label = label;
        this.pid = pid;
    }

    /** Parses a spec; throws IllegalArgumentException naming the problem (unknown process, unknown name, ...). */
    public static NamespaceSpec parse(String spec) {
        return parse(spec, PROC, NETNS_DIRS);
    }

    /** The caller's own namespace. */
    public static NamespaceSpec host() {
        return HOST;
    }

    /* The roots are parameters so that tests can exercise the lookups and their errors without root. */
    static NamespaceSpec parse(String spec, Path proc, List<Path> netnsDirs) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no namespace given: use " + FORMS);
        }
        if (spec.equals("host")) {
            return HOST;
        }
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String value = colon < 0 ? "" : spec.substring(colon + 1);
        switch (kind) {
            case "pid":
                return forPid(value, proc);
            case "netns":
                return forName(value, netnsDirs);
            case "path":
                return forPath(value);
            default:
                for (NamespaceResolver r : RESOLVERS) {
                    if (r.kinds().contains(kind)) {
                        return r.resolve(kind, value);
                    }
                }
                throw new IllegalArgumentException("unknown namespace spec '" + spec + "': use " + FORMS);
        }
    }

    private static NamespaceSpec forPid(String value, Path proc) {
        int pid;
        try {
            pid = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        if (pid <= 0) {
            throw new IllegalArgumentException("'pid:" + value + "': a process id is a positive number, e.g. pid:1234");
        }
        // the process's directory, not ns/net: that link is unreadable to non-root even when the process exists
        if (!Files.isDirectory(proc.resolve(Integer.toString(pid)))) {
            throw new IllegalArgumentException("no process " + pid);
        }
        return new NamespaceSpec(proc.resolve(pid + "/ns/net").toString(), "pid:" + pid, pid);
    }

    private static NamespaceSpec forName(String name, List<Path> dirs) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'netns:" + name + "': a namespace name as `ip netns list` shows it");
        }
        for (Path dir : dirs) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                return new NamespaceSpec(file.toString(), "netns:" + name, -1);
            }
        }
        TreeSet<String> existing = new TreeSet<>();
        for (Path dir : dirs) {
            existing.addAll(names(dir));
        }
        throw new IllegalArgumentException("no network namespace named '" + name + "' in " + dirs + " ("
                + (existing.isEmpty() ? "there are none" : "there are: " + String.join(", ", existing)) + ")");
    }

    private static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            TreeSet<String> names = new TreeSet<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            return List.copyOf(names);
        } catch (IOException e) {
            return List.of(); // only used to enrich an error message
        }
    }

    private static NamespaceSpec forPath(String file) {
        if (file.isEmpty()) {
            throw new IllegalArgumentException("'path:' needs a file, e.g. path:/run/netns/NAME");
        }
        if (!Files.exists(Path.of(file))) {
            throw new IllegalArgumentException("no such file: " + file);
        }
        return new NamespaceSpec(file, "path:" + file, -1);
    }

    /** The same namespace under another label, e.g. {@code pod:default/web} for what was found as a netns file. */
    public NamespaceSpec withLabel(String label) {
        return new NamespaceSpec(path, Objects.requireNonNull(label, "label"), pid);
    }

    /** The namespace file to open, or null for the caller's own namespace. */
    public String path() {
        return path;
    }

    /** How messages name the namespace: {@code pid:1234}, {@code netns:demo}, {@code path:/x}, {@code host}. */
    public String label() {
        return label;
    }

    /** The process for {@code pid:} specs. */
    public OptionalInt pid() {
        return pid > 0 ? OptionalInt.of(pid) : OptionalInt.empty();
    }

    /** True for {@code host}: the caller's own namespace. */
    public boolean isHost() {
        return path == null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamespaceSpec other && label.equals(other.label) && Objects.equals(path, other.path);
    }

    @Override
    public int hashCode() {
        return label.hashCode();
    }

    @Override
    public String toString() {
        return label;
    }
}
