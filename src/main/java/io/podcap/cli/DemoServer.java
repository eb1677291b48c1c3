package io.podcap.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The demo pod's workload, started inside its namespace: an HTTP server with a health endpoint. */
public final class DemoServer {
    private DemoServer() {}

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 16);
        server.createContext("/", exchange -> {
            boolean health = exchange.getRequestURI().getPath().equals("/healthz");
            byte[] body = (health ? "ok\n" : "not found\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(health ? 200 : 404, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("ready");
        System.out.flush();
        // Lives until the demo destroys it (or its stdin closes, should the demo die first).
        while (System.in.read() >= 0) {
            // nothing to read
        }
        server.stop(0);
    }
}
