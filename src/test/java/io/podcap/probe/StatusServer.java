package io.podcap.probe;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pod's workload for the namespace tests, run inside the pod's namespace: HTTP on ADDRESS:PORT answering every path
 * with the status written in STATUS_FILE (200 when it cannot be read). Prints "ready" once listening.
 */
public final class StatusServer {
    private StatusServer() {
    }

    public static void main(String[] args) throws IOException {
        Path statusFile = Path.of(args[2]);
        HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 16);
        server.createContext("/", exchange -> {
            int status;
            try {
                status = Integer.parseInt(Files.readString(statusFile).trim());
            } catch (IOException | NumberFormatException e) {
                status = 200;
            }
            byte[] body = ("status " + status + "\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // lives until killed
        }
    }
}
