package io.podcap.cli;

import io.podcap.metrics.JvmMetrics;
import io.podcap.metrics.Metrics;
import io.podcap.metrics.MetricsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import picocli.CommandLine.Option;

/** {@code --metrics-port}: serve the command's counters for Prometheus while it runs. */
final class MetricsOptions {
    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://ADDRESS:PORT/metrics while running.")
    int port = -1;

    @Option(names = "--metrics-address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address for --metrics-port (default 127.0.0.1; 0.0.0.0 for all).")
    String address;

    /** The server, or null without --metrics-port; says on {@code err} where it listens. Adds the JVM's memory. */
    MetricsServer start(Metrics metrics, PrintStream err) throws IOException {
        if (port < 0) {
            return null;
        }
        if (port > 65535) {
            throw new IllegalArgumentException("--metrics-port must be 0-65535, not " + port);
        }
        metrics.addAll(JvmMetrics.of());
        try {
            MetricsServer server = MetricsServer.start(metrics, new InetSocketAddress(address, port));
            err.println("metrics at http://" + address + ":" + server.port() + "/metrics");
            return server;
        } catch (java.net.BindException e) {
            throw new IllegalArgumentException("cannot serve metrics on " + address + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }
}
