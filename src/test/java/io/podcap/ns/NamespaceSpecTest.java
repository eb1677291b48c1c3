package io.podcap.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing against the real /proc, and against stand-in netns directories so that no root is needed. */
class NamespaceSpecTest {
    @TempDir
    Path tmp;

    @Test
    void hostIsTheCallersOwnNamespace() {
        NamespaceSpec host = NamespaceSpec.parse("host");
        assertNull(host.path());
        assertEquals("host", host.label());
        assertEquals("host", host.toString());
        assertEquals(OptionalInt.empty(), host.pid());
        assertTrue(host.isHost());
        assertEquals(NamespaceSpec.host(), host);
    }

    @Test
    void pidOfALiveProcess() {
        long self = ProcessHandle.current().pid();
        NamespaceSpec spec = NamespaceSpec.parse("pid:" + self);
        assertEquals("/proc/" + self + "/ns/net", spec.path());
        assertEquals("pid:" + self, spec.label());
        assertEquals("pid:" + self, spec.toString());
        assertEquals(OptionalInt.of((int) self), spec.pid());
        assertEquals(NamespaceSpec.parse("pid:" + self), spec);
        assertNotEquals(NamespaceSpec.host(), spec);
    }

    @Test
    void pidOfNoProcess() {
        // above any pid_max the kernel allows (2^22)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamespaceSpec.parse("pid:999999999"));
        assertEquals("no process 999999999", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pid", "pid:", "pid:abc", "pid:0", "pid:-5", "pid:12x", "pid:99999999999"})
    void pidMustBeAPositiveNumber(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamespaceSpec.parse(spec));
        assertTrue(e.getMessage().contains("process id is a positive number"), e.getMessage());
    }

    @Test
    void netnsFromTheFirstDirectoryThatHasIt() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run/netns"));
        Path varRun = Files.createDirectories(tmp.resolve("var/run/netns"));
        Files.createFile(run.resolve("demo"));
        Files.createFile(varRun.resolve("demo"));
        NamespaceSpec spec = parse("netns:demo", run, varRun);
        assertEquals(run.resolve("demo").toString(), spec.path());
        assertEquals("netns:demo", spec.label());
        assertEquals(OptionalInt.empty(), spec.pid());
    }

    @Test
    void netnsFallsBackToVarRun() throws IOException {
        Path varRun = Files.createDirectories(tmp.resolve("var/run/netns"));
        Files.createFile(varRun.resolve("old"));
        NamespaceSpec spec = parse("netns:old", tmp.resolve("run/netns"), varRun); // the first does not exist
        assertEquals(varRun.resolve("old").toString(), spec.path());
        assertEquals("netns:old", spec.toString());
    }

    @Test
    void unknownNetnsListsTheOnesThatExist() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run/netns"));
        Path varRun = Files.createDirectories(tmp.resolve("var/run/netns"));
        Files.createFile(run.resolve("beta"));
        Files.createFile(run.resolve("alpha"));
        Files.createFile(varRun.resolve("alpha")); // the same name in both is listed once
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("netns:gamma", run, varRun));
        assertTrue(e.getMessage().startsWith("no network namespace named 'gamma'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(there are: alpha, beta)"), e.getMessage());
    }

    @Test
    void unknownNetnsWhenThereAreNone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("netns:gamma", tmp.resolve("a"), tmp.resolve("b")));
        assertTrue(e.getMessage().endsWith("(there are none)"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"netns", "netns:", "netns:..", "netns:.", "netns:../../etc/passwd", "netns:a/b"})
    void netnsNameIsOneFileName(String spec) throws IOException {
        Files.createDirectories(tmp.resolve("run/netns"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(spec, tmp.resolve("run/netns"), tmp.resolve("var/run/netns")));
        assertTrue(e.getMessage().contains("a namespace name as `ip netns list` shows it"), e.getMessage());
    }

    @Test
    void pathToAnExistingFile() throws IOException {
        Path file = Files.createFile(tmp.resolve("ns"));
        NamespaceSpec spec = NamespaceSpec.parse("path:" + file);
        assertEquals(file.toString(), spec.path());
        assertEquals("path:" + file, spec.label());
        assertEquals(OptionalInt.empty(), spec.pid());
    }

    @Test
    void pathMustExist() {
        Path missing = tmp.resolve("missing");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NamespaceSpec.parse("path:" + missing));
        assertEquals("no such file: " + missing, e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NamespaceSpec.parse("path:"));
        assertTrue(e.getMessage().contains("needs a file"), e.getMessage());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "1234", "HOST", "host:", "container:abc"})
    void unknownFormsNameTheAcceptedOnes(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamespaceSpec.parse(spec));
        assertTrue(e.getMessage().endsWith("use pid:PID, netns:NAME, path:FILE, pod:NAMESPACE/NAME, ip:ADDRESS or host"), e.getMessage());
    }

    private static NamespaceSpec parse(String spec, Path run, Path varRun) {
        return NamespaceSpec.parse(spec, Path.of("/proc"), List.of(run, varRun));
    }
}
