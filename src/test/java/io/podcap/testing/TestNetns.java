package io.podcap.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace made with ip(8) for a test, like a pod: {@code eth0} inside, its veth peer in the host
 * namespace, a /24 from 10.200-249.x.0 that no host route uses (host end .1, inside .2, default route via the host
 * end). Names carry the pid and a random part, so concurrent test runs do not collide. {@link #close()} removes
 * everything, and a shutdown hook does so when the JVM is stopped first. Call {@link Root#assume()} before.
 */
public final class TestNetns implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;
    private static final Pattern IPV4_PREFIX = Pattern.compile("\\b(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)(?:/(\\d+))?\\b");

    private final String name;
    private final String hostVeth;
    private final String subnet; // "10.x.y."
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::remove, "remove-test-netns");
    private boolean closed;

    /** What a command printed and how it ended. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** This result when the command exited 0; else an exception with its stderr. */
        public Result ok() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ": " + stderr);
            }
            return this;
        }
    }

    private TestNetns(String name, String hostVeth, String subnet) {
        this.name = name;
        this.hostVeth = hostVeth;
        this.subnet = subnet;
    }

    /** Creates the namespace; tag (letters and digits) shows in its name, to tell which test left it behind. */
    public static TestNetns create(String tag) throws IOException, InterruptedException {
        int random = ThreadLocalRandom.current().nextInt(1 << 24);
        long pid = ProcessHandle.current().pid();
        TestNetns ns = new TestNetns(String.format("pc-%s-%d-%06x", tag, pid, random),
                String.format("pcv%06x%02x", random, pid & 0xff), freeSubnet());
        Runtime.getRuntime().addShutdownHook(ns.hook);
        try {
            String n = ns.name;
            run("ip", "netns", "add", n).ok();
            run("ip", "link", "add", "name", ns.hostVeth, "type", "veth", "peer", "name", "eth0", "netns", n).ok();
            run("ip", "addr", "add", ns.hostAddress() + "/24", "dev", ns.hostVeth).ok();
            run("ip", "link", "set", ns.hostVeth, "up").ok();
            run("ip", "-n", n, "addr", "add", ns.address() + "/24", "dev", "eth0").ok();
            run("ip", "-n", n, "link", "set", "eth0", "up").ok();
            run("ip", "-n", n, "link", "set", "lo", "up").ok();
            run("ip", "-n", n, "route", "add", "default", "via", ns.hostAddress()).ok();
            return ns;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                ns.close();
            } catch (IOException | InterruptedException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The name {@code ip netns} knows it by. */
    public String name() { return name; }

    /** The namespace file, for pc_ns_open and NamespaceSpec's {@code path:}. */
    public String path() { return "/run/netns/" + name; }

    /** The NamespaceSpec text for it. */
    public String spec() { return "netns:" + name; }

    /** The veth end inside the namespace. */
    public String veth() { return "eth0"; }

    /** The veth end in the host namespace. */
    public String hostVeth() { return hostVeth; }

    /** The address of {@link #veth()}, in a /24. */
    public String address() { return subnet + "2"; }

    /** The address of {@link #hostVeth()}, in the same /24. */
    public String hostAddress() { return subnet + "1"; }

    /** Runs a command inside the namespace and waits for it. */
    public Result exec(String... command) throws IOException, InterruptedException {
        return run(inside(command));
    }

    /**
     * Starts a command inside the namespace and returns once it is there (ip netns exec enters, then execs, so the
     * process keeps its pid). close() kills it.
     */
    public Process start(String... command) throws IOException, InterruptedException {
        Process p = startIn(name, command);
        processes.add(p);
        return p;
    }

    /** Starts a command in the named namespace and returns once it is there; the caller kills it. */
    static Process startIn(String netns, String... command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        all.addAll(List.of(command));
        Process p = new ProcessBuilder(all).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Object want = Files.getAttribute(Path.of("/run/netns/" + netns), "unix:ino");
        Path own = Path.of("/proc/" + p.pid() + "/ns/net");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                if (want.equals(Files.getAttribute(own, "unix:ino"))) {
                    return p;
                }
            } catch (IOException e) {
                // exited already: reported below
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not start inside " + netns);
            }
            Thread.sleep(5);
        }
    }

    /** Runs a command and waits for it, at most 30 s. */
    public static Result run(String... command) throws IOException, InterruptedException {
        File out = File.createTempFile("podcap-cmd", ".out");
        File err = File.createTempFile("podcap-cmd", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS
                        + " s");
            }
            return new Result(List.of(command), p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** Kills the started processes and deletes the veth pair and the namespace; throws if something remains. */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs remove() again, harmlessly
        }
        if (Files.exists(Path.of(path())) || run("ip", "link", "show", "dev", hostVeth).exitCode() == 0) {
            throw new IllegalStateException("could not remove namespace " + name + " or veth " + hostVeth);
        }
    }

    private synchronized void remove() {
        closed = true;
        try {
            for (Process p : processes) {
                p.destroyForcibly().waitFor();
            }
            // the pair goes with either end; deleted first, as a process still inside would keep the namespace alive
            run("ip", "link", "del", "dev", hostVeth);
            run("ip", "netns", "del", name);
        } catch (IOException e) {
            // close() checks what is left
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String[] inside(String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(command));
        return all.toArray(String[]::new);
    }

    /** A random 10.200-249.x.0/24 that overlaps no route or address of the host, as its first three octets. */
    static String freeSubnet() throws IOException, InterruptedException {
        String used = run("ip", "-4", "-o", "route", "show", "table", "all").ok().stdout()
                + run("ip", "-4", "-o", "addr", "show").ok().stdout();
        List<int[]> prefixes = new ArrayList<>(); // {address, length}
        Matcher m = IPV4_PREFIX.matcher(used);
        while (m.find()) {
            int address = 0;
            for (int i = 1; i <= 4; i++) {
                address = address << 8 | Integer.parseInt(m.group(i)) & 0xff;
            }
            prefixes.add(new int[] {address, m.group(5) != null ? Integer.parseInt(m.group(5)) : 32});
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int b = 200 + random.nextInt(50);
            int c = random.nextInt(256);
            int candidate = 10 << 24 | b << 16 | c << 8;
            if (prefixes.stream().noneMatch(p -> overlaps(candidate, 24, p[0], p[1]))) {
                return "10." + b + "." + c + ".";
            }
        }
        throw new IllegalStateException("no free 10.2xx.x.0/24 among the host's routes");
    }

    private static boolean overlaps(int a, int lengthA, int b, int lengthB) {
        int shorter = Math.min(lengthA, lengthB);
        return shorter == 0 || (a >>> (32 - shorter)) == (b >>> (32 - shorter));
    }
}
