package io.podcap.probe;

import java.util.Map;

/**
 * One observed probe stream: a probe of one kind from one source to one target and path, ticking at its own period.
 * Immutable; made by {@link ProbeDetector#streams()}.
 *
 * @param source          the client address (the kubelet's source address, chosen by the node's route to the pod)
 * @param sourceRole      what that address is ({@link SourceRole#KUBELET} when the User-Agent says so, else the
 *                        address's role, e.g. {@link SourceRole#NODE} for a TCP probe)
 * @param target          {@code ip:port} probed
 * @param path            HTTP or gRPC path; empty for TCP and HTTPS
 * @param userAgent       as sent, or null (TCP, HTTPS)
 * @param kubeletVersion  {@code X.Y} or {@code X.Y+} from {@code kube-probe/X.Y}, or null
 * @param series          1 when one probe ticks on this source, target and path; 1, 2, ... when several do
 *                        (liveness, readiness, startup), told apart by their phase and period
 * @param periodNanos     estimated period, -1 until two connections were seen
 * @param count           connections with an outcome
 * @param failures        failed connections by reason (only reasons that occurred)
 * @param connectNanos    SYN to handshake completion: median and max ({@code -1} when none)
 * @param firstByteNanos  request to the first answer byte: median and max ({@code -1} when none, e.g. TCP)
 * @param missed          gaps of at least one and a half periods (a tick missing)
 * @param consecutiveFailures failures since the last success
 */
public record ProbeStream(ProbeKind kind, String source, SourceRole sourceRole, String target, String path,
                          String userAgent, String kubeletVersion, int series, long periodNanos, long count,
                          long successes, Map<ProbeFailure, Long> failures, long connectMedianNanos,
                          long connectMaxNanos, long firstByteMedianNanos, long firstByteMaxNanos,
                          long firstTimestampNanos, long lastTimestampNanos, int missed, int consecutiveFailures,
                          String netns) {
    public ProbeStream {
        failures = Map.copyOf(failures);
    }

    public long failureCount() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Period in seconds, or -1 when unknown. */
    public double periodSeconds() {
        return periodNanos < 0 ? -1 : periodNanos / 1e9;
    }
}
