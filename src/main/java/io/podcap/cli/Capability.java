package io.podcap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Linux capabilities podcap uses, what for, and whether capture cannot work without one. */
enum Capability {
    NET_RAW(13, true, "packet sockets: every capture"),
    SYS_ADMIN(21, true, "setns(2) into pod network namespaces"),
    SYS_PTRACE(19, false, "pid: specs of processes with other users or more capabilities (/proc/PID/ns/net)"),
    NET_ADMIN(12, false, "promiscuous mode, firewall rules of trace --arm, nflog");

    final int bit;
    final boolean critical;
    final String why;

    Capability(int bit, boolean critical, String why) {
        this.bit = bit;
        this.critical = critical;
        this.why = why;
    }

    /** The kernel's name, e.g. {@code CAP_NET_RAW}. */
    String kernelName() {
        return "CAP_" + name();
    }

    boolean in(long mask) {
        return (mask >>> bit & 1) != 0;
    }

    /** This process's effective set, the CapEff line of {@code /proc/self/status}. */
    static long effective() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .map(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16)).findFirst()
                .orElseThrow(() -> new IOException("no CapEff in /proc/self/status"));
    }
}
