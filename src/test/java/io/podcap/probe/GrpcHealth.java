package io.podcap.probe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A gRPC health check's bytes as the kubelet and a health server exchange them (HTTP/2 with prior knowledge, HPACK by
 * netty's encoder), for the offline fixtures, and run as a program on both sides of the namespace tests:
 * <ul>
 * <li>{@code serve ADDRESS PORT STATUS_FILE}: answers each connection's check with the serving status written in
 * STATUS_FILE (1 SERVING, 2 NOT_SERVING; 1 when it cannot be read). Prints "ready" once listening.</li>
 * <li>{@code probe ADDRESS PORT COUNT GAP_MS USER_AGENT}: COUNT checks, each on a new connection, started GAP_MS apart;
 * prints each answer's serving status.</li>
 * </ul>
 */
public final class GrpcHealth {
    static final String CHECK = "/grpc.health.v1.Health/Check";
    private static final int SETTINGS = 4;
    private static final int HEADERS = 1;
    private static final int DATA = 0;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;

    private GrpcHealth() {
    }

    /** The client preface, SETTINGS, HEADERS of the Check call and an empty HealthCheckRequest. */
    static byte[] request(String authority, String userAgent) {
        Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").path(CHECK).authority(authority);
        h.add("content-type", "application/grpc");
        h.add("user-agent", userAgent);
        h.add("te", "trailers");
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(GrpcProbeRequest.PREFACE);
        req.writeBytes(frame(SETTINGS, 0, 0, new byte[0]));
        req.writeBytes(frame(HEADERS, END_HEADERS, 1, hpack(h)));
        req.writeBytes(frame(DATA, END_STREAM, 1, new byte[] {0, 0, 0, 0, 0}));
        return req.toByteArray();
    }

    /** SETTINGS, HEADERS :status 200, a HealthCheckResponse with {@code servingStatus}, trailers grpc-status 0. */
    static byte[] response(int servingStatus) {
        ByteArrayOutputStream resp = new ByteArrayOutputStream();
        resp.writeBytes(frame(SETTINGS, 0, 0, new byte[0]));
        resp.writeBytes(frame(HEADERS, END_HEADERS, 1, hpack(new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc"))));
        resp.writeBytes(frame(DATA, 0, 1, new byte[] {0, 0, 0, 0, 2, 0x08, (byte) servingStatus}));
        resp.writeBytes(frame(HEADERS, END_STREAM | END_HEADERS, 1,
                hpack(new DefaultHttp2Headers().add("grpc-status", "0"))));
        return resp.toByteArray();
    }

    private static byte[] hpack(Http2Headers headers) {
        ByteBuf out = Unpooled.buffer();
        try {
            new DefaultHttp2HeadersEncoder().encodeHeaders(1, headers, out);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        }
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
        b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
        return b.array();
    }

    /**
     * Reads frames up to the one that ends stream 1 (the request's last DATA, the answer's trailers) and returns the
     * serving status of the first gRPC message seen (-1 if none).
     */
    private static int readCall(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int serving = -1;
        while (true) {
            byte[] header = new byte[9];
            d.readFully(header);
            int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
            byte[] payload = new byte[length];
            d.readFully(payload);
            int type = header[3];
            if (type == DATA && serving < 0 && length >= 7) {
                serving = payload[6];
            }
            if ((type == DATA || type == HEADERS) && (header[4] & END_STREAM) != 0) {
                return serving;
            }
        }
    }

    private static void serve(String address, int port, Path statusFile) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 16);
            System.out.println("ready");
            System.out.flush();
            while (true) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(2000);
                    InputStream in = s.getInputStream();
                    new DataInputStream(in).readFully(new byte[GrpcProbeRequest.PREFACE.length]);
                    readCall(in);
                    int status;
                    try {
                        status = Integer.parseInt(Files.readString(statusFile).trim());
                    } catch (IOException | NumberFormatException e) {
                        status = 1;
                    }
                    s.getOutputStream().write(response(status));
                    while (in.read() >= 0) {
                        // until the client closes, as grpc-go's prober does once it has the answer
                    }
                } catch (IOException e) {
                    System.err.println("grpc health server: " + e);
                }
            }
        }
    }

    private static void probe(String address, int port, int count, long gapMillis, String userAgent)
            throws IOException, InterruptedException {
        byte[] request = request(address + ":" + port, userAgent);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = start + i * gapMillis * 1_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 1000);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write(request);
                System.out.println("serving status " + readCall(s.getInputStream()));
            } catch (EOFException e) {
                System.out.println("closed without an answer");
            }
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if ("serve".equals(args[0])) {
            serve(args[1], Integer.parseInt(args[2]), Path.of(args[3]));
        } else {
            probe(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]), args[5]);
        }
    }
}
