package io.podcap.k8s;

/** A process in a network namespace: its pid (on the node) and command name ({@code /proc/PID/comm}). */
public record NodeProcess(int pid, String command) {
    @Override
    public String toString() {
        return pid + "(" + command + ")";
    }
}
