package io.podcap.probe;

/**
 * A probe stream started failing ({@code failing}: {@code consecutiveFailures} reached the detector's threshold) or
 * came back ({@code failing} false: a success after an alert).
 *
 * @param reason the last failure's reason (for a recovery, the one it recovered from)
 */
public record ProbeAlert(long timestampNanos, boolean failing, ProbeKind kind, String source, String target,
                         String path, int consecutiveFailures, ProbeFailure reason, String netns) {

    /** E.g. {@code probe GET /healthz on 10.244.1.5:8080 from 10.244.1.1 failing 3 in a row (timeout)}. */
    public String message() {
        String what = switch (kind) {
            case HTTP -> "probe GET " + path;
            case GRPC -> "grpc probe " + path;
            case HTTPS -> "https probe";
            case TCP -> "tcp probe";
        };
        String where = what + " on " + target + " from " + source;
        return failing ? where + " failing " + consecutiveFailures + " in a row (" + reason.label() + ")"
                : where + " recovered after " + consecutiveFailures + " failures (" + reason.label() + ")";
    }
}
