package io.podcap.probe;

/**
 * Reads an HTTP/1.x request head from the first bytes of a connection, without allocating: whether it is a kubelet
 * probe ({@code GET}, {@code User-Agent: kube-probe/<major>.<minor>} with an optional {@code +}), where its path and
 * User-Agent are, and whether it asked for {@code Connection: close}. One instance is reused for every request.
 */
final class HttpProbeRequest {
    private static final byte[] GET = ascii("GET ");
    private static final byte[] HTTP1 = ascii("HTTP/1.");
    private static final byte[] USER_AGENT = ascii("user-agent:");
    private static final byte[] CONNECTION = ascii("connection:");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KUBE_PROBE = ascii("kube-probe/");

    /** Whether the bytes hold a complete head (or as much as fits), a plain GET with a path. */
    boolean valid;
    /** The User-Agent is {@code kube-probe/X.Y}. */
    boolean kubeProbe;
    boolean connectionClose;
    int pathOffset;
    int pathLength;
    int userAgentOffset;
    int userAgentLength;
    /** {@code X.Y} (with its optional {@code +}) inside the User-Agent. */
    int versionOffset;
    int versionLength;

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Whether {@code a[off..off+len)} may still become an HTTP request (so far it matches a method's first bytes). */
    static boolean mayBeRequest(byte[] a, int off, int len) {
        int n = Math.min(len, GET.length);
        for (int i = 0; i < n; i++) {
            byte b = a[off + i];
            if (i < 3 ? b < 'A' || b > 'Z' : b != ' ' && (b < 'A' || b > 'Z')) {
                return false;
            }
        }
        return true;
    }

    /** The end of the head (index after CRLFCRLF or LFLF) in {@code a[off..off+len)}, or -1. */
    static int headEnd(byte[] a, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (a[i] == '\n') {
                if (i + 1 < off + len && a[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < off + len && a[i + 1] == '\r' && a[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** Parses the head in {@code a[off..end)}; see the fields. */
    void parse(byte[] a, int off, int end) {
        valid = false;
        kubeProbe = false;
        connectionClose = false;
        pathLength = 0;
        userAgentLength = 0;
        versionLength = 0;
        if (!startsWith(a, off, end, GET, false)) {
            return;
        }
        int p = off + GET.length;
        int pathEnd = p;
        while (pathEnd < end && a[pathEnd] != ' ' && a[pathEnd] != '\r' && a[pathEnd] != '\n') {
            if (a[pathEnd] < 0x21 || a[pathEnd] > 0x7e) {
                return; // not a request target
            }
            pathEnd++;
        }
        if (pathEnd == p || pathEnd >= end || a[pathEnd] != ' ' || !startsWith(a, pathEnd + 1, end, HTTP1, false)) {
            return;
        }
        pathOffset = p;
        pathLength = pathEnd - p;
        valid = true;
        int line = nextLine(a, pathEnd, end);
        while (line < end && a[line] != '\r' && a[line] != '\n') {
            int lineEnd = lineEnd(a, line, end);
            if (startsWith(a, line, lineEnd, USER_AGENT, true)) {
                int v = skipSpaces(a, line + USER_AGENT.length, lineEnd);
                userAgentOffset = v;
                userAgentLength = trimEnd(a, v, lineEnd) - v;
                kubeProbe = kubeProbeVersion(a, v, v + userAgentLength);
            } else if (startsWith(a, line, lineEnd, CONNECTION, true)) {
                int v = skipSpaces(a, line + CONNECTION.length, lineEnd);
                connectionClose = startsWith(a, v, lineEnd, CLOSE, true);
            }
            line = nextLine(a, lineEnd, end);
        }
    }

    /** {@code kube-probe/<digits>.<digits>} with an optional {@code +}, then the end or a space; sets the version. */
    boolean kubeProbeVersion(byte[] a, int from, int to) {
        if (!startsWith(a, from, to, KUBE_PROBE, false)) {
            return false;
        }
        int v = from + KUBE_PROBE.length;
        int i = digits(a, v, to);
        if (i == v || i >= to || a[i] != '.') {
            return false;
        }
        int j = digits(a, i + 1, to);
        if (j == i + 1) {
            return false;
        }
        if (j < to && a[j] == '+') {
            j++;
        }
        if (j < to && a[j] != ' ') {
            return false;
        }
        versionOffset = v;
        versionLength = j - v;
        return true;
    }

    private static int digits(byte[] a, int i, int to) {
        while (i < to && a[i] >= '0' && a[i] <= '9') {
            i++;
        }
        return i;
    }

    /** The status code of an HTTP/1.x status line at {@code a[off..off+len)}, -1 when it is none (yet). */
    static int status(byte[] a, int off, int len) {
        if (len < 12 || !startsWith(a, off, off + len, HTTP1, false) || a[off + 8] != ' ') {
            return -1;
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            byte b = a[off + i];
            if (b < '0' || b > '9') {
                return -1;
            }
            code = code * 10 + b - '0';
        }
        return code;
    }

    private static boolean startsWith(byte[] a, int from, int to, byte[] prefix, boolean ignoreCase) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            byte b = a[from + i];
            if (ignoreCase && b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int lineEnd(byte[] a, int from, int to) {
        int i = from;
        while (i < to && a[i] != '\n') {
            i++;
        }
        return i > from && a[i - 1] == '\r' ? i - 1 : i;
    }

    private static int nextLine(byte[] a, int from, int to) {
        int i = from;
        while (i < to && a[i] != '\n') {
            i++;
        }
        return i + 1;
    }

    private static int skipSpaces(byte[] a, int i, int to) {
        while (i < to && (a[i] == ' ' || a[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimEnd(byte[] a, int from, int to) {
        while (to > from && (a[to - 1] == ' ' || a[to - 1] == '\t')) {
            to--;
        }
        return to;
    }
}
