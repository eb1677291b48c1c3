package io.podcap.probe;

import io.podcap.decode.PacketDecoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The probe streams seen so far, in a fixed number of entries: key (source, target, port, kind, path hash) in
 * primitive arrays behind a fingerprint index, cumulative counters, and a ring of the last connections (start, outcome,
 * latencies) from which reports estimate periods. Recording an outcome allocates nothing unless it raises an alert.
 * When full, a new stream takes the entry of the stream idle the longest, unconfirmed ones first (counted).
 */
final class ProbeStreams {
    static final int HISTORY = 128;
    static final byte SUCCESS = -1; // outcome code in the history; failures are ProbeFailure ordinals
    private static final int REASONS = ProbeFailure.values().length;

    private final int capacity;
    private final int alertAfter;
    private final Consumer<ProbeAlert> onAlert;
    private final LongIntMap byKey;
    private final LongIntMap byTarget;

    private final long[] key; // [5 * i]: srcHi, srcLo, dstHi, dstLo, port | kind << 16
    private final long[] pathHash;
    private final long[] keyFingerprint;
    private final long[] targetFingerprint;
    private final boolean[] used;
    private final int[] generation;
    private final boolean[] confirmed;
    private final byte[] role;
    private final String[] source;
    private final String[] target;
    private final String[] path;
    private final String[] userAgent;
    private final String[] version;
    private final String[] netns;
    private final long[] first;
    private final long[] last;
    private final long[] count;
    private final long[] successes;
    private final long[] failures; // [REASONS * i + reason]
    private final int[] consecutive;
    private final byte[] lastReason;
    private final boolean[] alerting;
    /** Per stream, its last {@link #PENDING} connections ([PENDING * i + k]): flow slot and start, to time them out. */
    static final int PENDING = 4;
    final int[] pendingSlot;
    final long[] pendingStart;
    /** Client port and start of the stream's last connection: the same one seen again elsewhere is a mirror. */
    final int[] lastPort;
    final long[] lastStart;
    private final long[] historyStart; // [HISTORY * i + k]
    private final byte[] historyOutcome;
    private final long[] historyConnect;
    private final long[] historyFirstByte;
    private final int[] historyNext;
    private final int[] historySize;
    private int highWater;
    private int live;
    private long evicted;
    private long failed;
    private long alerts;

    ProbeStreams(int capacity, int alertAfter, Consumer<ProbeAlert> onAlert) {
        this.capacity = capacity;
        this.alertAfter = alertAfter;
        this.onAlert = onAlert;
        byKey = new LongIntMap(capacity);
        byTarget = new LongIntMap(capacity);
        key = new long[5 * capacity];
        pathHash = new long[capacity];
        keyFingerprint = new long[capacity];
        targetFingerprint = new long[capacity];
        used = new boolean[capacity];
        generation = new int[capacity];
        confirmed = new boolean[capacity];
        role = new byte[capacity];
        source = new String[capacity];
        target = new String[capacity];
        path = new String[capacity];
        userAgent = new String[capacity];
        version = new String[capacity];
        netns = new String[capacity];
        first = new long[capacity];
        last = new long[capacity];
        count = new long[capacity];
        successes = new long[capacity];
        failures = new long[REASONS * capacity];
        consecutive = new int[capacity];
        lastReason = new byte[capacity];
        alerting = new boolean[capacity];
        pendingSlot = new int[PENDING * capacity];
        pendingStart = new long[PENDING * capacity];
        lastPort = new int[capacity];
        lastStart = new long[capacity];
        historyStart = new long[HISTORY * capacity];
        historyOutcome = new byte[HISTORY * capacity];
        historyConnect = new long[HISTORY * capacity];
        historyFirstByte = new long[HISTORY * capacity];
        historyNext = new int[capacity];
        historySize = new int[capacity];
    }

    static long targetFingerprint(long srcHi, long srcLo, long dstHi, long dstLo, int port) {
        return LongIntMap.mix(LongIntMap.mix(LongIntMap.mix(LongIntMap.mix(LongIntMap.mix(7, srcHi), srcLo), dstHi),
                dstLo), port);
    }

    static long keyFingerprint(long target, ProbeKind kind, long pathHash) {
        return LongIntMap.mix(LongIntMap.mix(target, kind.ordinal() + 1), pathHash);
    }

    /** The stream with this key, or -1. */
    int find(long keyFp) {
        return byKey.get(keyFp);
    }

    /** The stream most recently seen on this source, target and port, or -1. */
    int findByTarget(long targetFp) {
        return byTarget.get(targetFp);
    }

    /** Makes a stream (evicting one when full). Allocates: once per new stream. */
    int create(long srcHi, long srcLo, long dstHi, long dstLo, int port, ProbeKind kind, long pathHashValue,
               String pathText, String userAgentText, String versionText, SourceRole sourceRole, boolean sure,
               String netnsLabel) {
        int i = free();
        used[i] = true;
        generation[i]++;
        live++;
        highWater = Math.max(highWater, i + 1);
        key[5 * i] = srcHi;
        key[5 * i + 1] = srcLo;
        key[5 * i + 2] = dstHi;
        key[5 * i + 3] = dstLo;
        key[5 * i + 4] = port | (long) kind.ordinal() << 16;
        pathHash[i] = pathHashValue;
        targetFingerprint[i] = targetFingerprint(srcHi, srcLo, dstHi, dstLo, port);
        keyFingerprint[i] = keyFingerprint(targetFingerprint[i], kind, pathHashValue);
        byKey.put(keyFingerprint[i], i);
        byTarget.put(targetFingerprint[i], i);
        confirmed[i] = sure;
        role[i] = (byte) sourceRole.ordinal();
        source[i] = address(srcHi, srcLo);
        target[i] = endpoint(dstHi, dstLo, port);
        path[i] = pathText;
        userAgent[i] = userAgentText;
        version[i] = versionText;
        netns[i] = netnsLabel;
        first[i] = 0;
        last[i] = 0;
        count[i] = 0;
        successes[i] = 0;
        Arrays.fill(failures, REASONS * i, REASONS * (i + 1), 0);
        consecutive[i] = 0;
        alerting[i] = false;
        Arrays.fill(pendingSlot, PENDING * i, PENDING * (i + 1), -1);
        lastPort[i] = -1;
        historyNext[i] = 0;
        historySize[i] = 0;
        return i;
    }

    private int free() {
        for (int i = 0; i < capacity; i++) {
            if (!used[i]) {
                return i;
            }
        }
        int victim = 0;
        for (int i = 1; i < capacity; i++) {
            boolean better = confirmed[i] != confirmed[victim] ? !confirmed[i] : last[i] < last[victim];
            if (better) {
                victim = i;
            }
        }
        evicted++;
        remove(victim);
        return victim;
    }

    private void remove(int i) {
        byKey.remove(keyFingerprint[i], i);
        byTarget.remove(targetFingerprint[i], i);
        used[i] = false;
        live--;
    }

    /** Makes this stream the one a bare SYN to its target is attributed to. */
    void touchTarget(int i) {
        byTarget.put(targetFingerprint[i], i);
    }

    boolean sameKey(int i, long srcHi, long srcLo, long dstHi, long dstLo, int port, ProbeKind kind, long hash) {
        return used[i] && key[5 * i] == srcHi && key[5 * i + 1] == srcLo && key[5 * i + 2] == dstHi
                && key[5 * i + 3] == dstLo && key[5 * i + 4] == (port | (long) kind.ordinal() << 16)
                && pathHash[i] == hash;
    }

    int generation(int i) {
        return generation[i];
    }

    boolean confirmed(int i) {
        return confirmed[i];
    }

    ProbeKind kind(int i) {
        return ProbeKind.of((int) (key[5 * i + 4] >>> 16));
    }

    /**
     * One connection's outcome ({@link #SUCCESS} or a failure ordinal) with its latencies (-1 unknown). Raises an alert
     * when a confirmed stream reaches the failure threshold, and when it recovers after one.
     */
    void record(int i, long start, byte outcome, long connectNanos, long firstByteNanos) {
        if (count[i] == 0 || start < first[i]) {
            first[i] = start;
        }
        last[i] = Math.max(last[i], start);
        count[i]++;
        int k = HISTORY * i + historyNext[i];
        historyStart[k] = start;
        historyOutcome[k] = outcome;
        historyConnect[k] = connectNanos;
        historyFirstByte[k] = firstByteNanos;
        historyNext[i] = (historyNext[i] + 1) % HISTORY;
        historySize[i] = Math.min(historySize[i] + 1, HISTORY);
        if (!confirmed[i] && count[i] >= 3 && (count[i] <= 16 || count[i] % 16 == 0)) {
            confirmed[i] = periodic(i); // allocates: only while a TCP or HTTPS candidate is unconfirmed
        }
        if (outcome == SUCCESS) {
            successes[i]++;
            if (alerting[i]) {
                alerting[i] = false;
                alert(i, start, false);
            }
            consecutive[i] = 0;
            return;
        }
        failures[REASONS * i + outcome]++;
        failed++;
        consecutive[i]++;
        lastReason[i] = outcome;
        if (consecutive[i] == alertAfter && confirmed[i]) {
            alerting[i] = true;
            alerts++;
            alert(i, start, true);
        }
    }

    private boolean periodic(int i) {
        long[] t = starts(i);
        int[] series = new int[t.length];
        int n = Periods.split(t, t.length, series);
        for (int s = 0; s < n; s++) {
            long p = Periods.period(t, t.length, series, s);
            if (Periods.steady(t, t.length, series, s, p) && members(series, s) >= 3) {
                return true;
            }
        }
        return false;
    }

    private void alert(int i, long ts, boolean failing) {
        if (onAlert != null) {
            onAlert.accept(new ProbeAlert(ts, failing, kind(i), source[i], target[i], path[i], consecutive[i],
                    ProbeFailure.of(lastReason[i]), netns[i]));
        }
    }

    /** Reports of the confirmed streams, one per series. Allocates. */
    List<ProbeStream> report() {
        List<ProbeStream> out = new ArrayList<>();
        for (int i = 0; i < highWater; i++) {
            if (used[i] && confirmed[i] && count[i] > 0) {
                report(i, out);
            }
        }
        out.sort((a, b) -> Long.compare(a.firstTimestampNanos(), b.firstTimestampNanos()));
        return out;
    }

    private void report(int i, List<ProbeStream> out) {
        int[] order = chronological(i);
        int n = order.length;
        long[] t = new long[n];
        for (int j = 0; j < n; j++) {
            t[j] = historyStart[order[j]];
        }
        int[] series = new int[n];
        int seriesCount = Math.max(1, Periods.split(t, n, series));
        boolean whole = seriesCount == 1; // the cumulative counters then describe the one series
        for (int s = 0; s < seriesCount; s++) {
            long period = Periods.period(t, n, series, s);
            Map<ProbeFailure, Long> failed = new EnumMap<>(ProbeFailure.class);
            long c = 0;
            long ok = 0;
            long firstTs = Long.MAX_VALUE;
            long lastTs = Long.MIN_VALUE;
            List<Long> connect = new ArrayList<>();
            List<Long> firstByte = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (series[j] != s) {
                    continue;
                }
                int k = order[j];
                c++;
                firstTs = Math.min(firstTs, t[j]);
                lastTs = Math.max(lastTs, t[j]);
                if (historyOutcome[k] == SUCCESS) {
                    ok++;
                } else {
                    failed.merge(ProbeFailure.of(historyOutcome[k]), 1L, Long::sum);
                }
                if (historyConnect[k] >= 0) {
                    connect.add(historyConnect[k]);
                }
                if (historyFirstByte[k] >= 0) {
                    firstByte.add(historyFirstByte[k]);
                }
            }
            if (whole) {
                c = count[i];
                ok = successes[i];
                failed.clear();
                for (ProbeFailure f : ProbeFailure.values()) {
                    long v = failures[REASONS * i + f.ordinal()];
                    if (v > 0) {
                        failed.put(f, v);
                    }
                }
                firstTs = first[i];
                lastTs = last[i];
            }
            out.add(new ProbeStream(kind(i), source[i], SourceRole.of(role[i]), target[i], path[i], userAgent[i],
                    version[i], s + 1, period, c, ok, failed, median(connect), max(connect), median(firstByte),
                    max(firstByte), firstTs, lastTs, Periods.missed(t, n, series, s, period), consecutive[i],
                    netns[i]));
        }
    }

    private long[] starts(int i) {
        int[] order = chronological(i);
        long[] t = new long[order.length];
        for (int j = 0; j < order.length; j++) {
            t[j] = historyStart[order[j]];
        }
        return t;
    }

    /** History indexes of stream {@code i} sorted by start. */
    private int[] chronological(int i) {
        int n = historySize[i];
        Integer[] idx = new Integer[n];
        for (int j = 0; j < n; j++) {
            idx[j] = HISTORY * i + j;
        }
        Arrays.sort(idx, (a, b) -> Long.compare(historyStart[a], historyStart[b]));
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    private static int members(int[] series, int s) {
        int m = 0;
        for (int v : series) {
            if (v == s) {
                m++;
            }
        }
        return m;
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** Streams whose pending connection may be checked (all entries up to the highest used). */
    int highWater() {
        return highWater;
    }

    boolean used(int i) {
        return used[i];
    }

    int live() {
        return live;
    }

    long evicted() {
        return evicted;
    }

    long failed() {
        return failed;
    }

    long alerts() {
        return alerts;
    }

    static String address(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xffff ? PacketDecoder.formatIpv4((int) lo) : PacketDecoder.formatIpv6(hi, lo);
    }

    static String endpoint(long hi, long lo, int port) {
        String a = address(hi, lo);
        return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + port;
    }
}
