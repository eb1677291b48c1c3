package io.podcap.probe;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;

/**
 * Reads the first bytes of an HTTP/2 prior-knowledge connection: the client preface, then frames up to the first
 * HEADERS, whose HPACK block netty's decoder turns into headers ({@code :path}, {@code user-agent}). On the server
 * side it finds the health check's answer: the first DATA frame's message (SERVING is field 1 = 1), a trailers-only
 * answer, or RST_STREAM. Runs once per gRPC-looking connection, not per packet, so it may allocate.
 */
final class GrpcProbeRequest {
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FRAME_HEADER = 9;
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    /** Outcomes of {@link #parse} and {@link #answer}. */
    static final int MORE = 0;
    static final int DONE = 1;
    static final int NOT_GRPC = 2;
    static final int SERVING = 3;
    static final int NOT_SERVING = 4;
    static final int RESET = 5;

    String path;
    String userAgent;

    /** Whether the bytes so far match the client preface. */
    static boolean mayBePreface(byte[] a, int off, int len) {
        int n = Math.min(len, PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (a[off + i] != PREFACE[i]) {
                return false;
            }
        }
        return true;
    }

    /** Finds and decodes the first HEADERS block after the preface: {@link #DONE}, {@link #MORE}, {@link #NOT_GRPC}. */
    int parse(byte[] a, int off, int len) {
        int p = PREFACE.length;
        while (p + FRAME_HEADER <= len) {
            int length = u24(a, off + p);
            int type = a[off + p + 3] & 0xff;
            int flags = a[off + p + 4] & 0xff;
            int end = p + FRAME_HEADER + length;
            if (type != HEADERS) {
                p = end;
                continue;
            }
            if (end > len) {
                return MORE;
            }
            if ((flags & END_HEADERS) == 0) {
                return NOT_GRPC; // CONTINUATION frames: a probe's few headers never need them
            }
            int block = p + FRAME_HEADER;
            int pad = 0;
            if ((flags & PADDED) != 0) {
                pad = a[off + block] & 0xff;
                block++;
            }
            if ((flags & PRIORITY) != 0) {
                block += 5;
            }
            if (block > end - pad) {
                return NOT_GRPC;
            }
            return decode(a, off + block, end - pad - block, u31(a, off + p + 5));
        }
        return MORE;
    }

    private int decode(byte[] a, int from, int length, int streamId) {
        try {
            Http2Headers headers = new DefaultHttp2HeadersDecoder(false)
                    .decodeHeaders(streamId, Unpooled.wrappedBuffer(a, from, length));
            CharSequence p = headers.path();
            CharSequence ua = headers.get("user-agent");
            path = p == null ? null : p.toString();
            userAgent = ua == null ? null : ua.toString();
            return path == null ? NOT_GRPC : DONE;
        } catch (Http2Exception | RuntimeException e) {
            return NOT_GRPC; // not HPACK after all
        }
    }

    /** The health check's answer in the server's first bytes: SERVING, NOT_SERVING, RESET or MORE. */
    static int answer(byte[] a, int off, int len) {
        int p = 0;
        while (p + FRAME_HEADER <= len) {
            int length = u24(a, off + p);
            int type = a[off + p + 3] & 0xff;
            int flags = a[off + p + 4] & 0xff;
            int stream = u31(a, off + p + 5);
            int end = p + FRAME_HEADER + length;
            if (stream != 0 && type == RST_STREAM) {
                return RESET;
            }
            if (stream != 0 && type == HEADERS && (flags & END_STREAM) != 0) {
                return NOT_SERVING; // trailers only: the call failed before any message
            }
            if (stream != 0 && type == DATA) {
                int m = p + FRAME_HEADER + ((flags & PADDED) != 0 ? 1 : 0);
                if (m + 5 > len) {
                    return MORE;
                }
                int messageLength = (int) u32(a, off + m + 1);
                if (messageLength < 2) {
                    return NOT_SERVING; // status 0, UNKNOWN
                }
                if (m + 7 > len) {
                    return MORE;
                }
                // HealthCheckResponse: field 1 (status), varint; SERVING = 1
                return a[off + m + 5] == 0x08 && a[off + m + 6] == 1 ? SERVING : NOT_SERVING;
            }
            p = end;
        }
        return MORE;
    }

    private static int u24(byte[] a, int i) {
        return (a[i] & 0xff) << 16 | (a[i + 1] & 0xff) << 8 | a[i + 2] & 0xff;
    }

    private static int u31(byte[] a, int i) {
        return (int) (u32(a, i) & 0x7fff_ffffL);
    }

    private static long u32(byte[] a, int i) {
        return (long) (a[i] & 0xff) << 24 | (a[i + 1] & 0xff) << 16 | (a[i + 2] & 0xff) << 8 | a[i + 3] & 0xff;
    }
}
