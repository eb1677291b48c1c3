package io.podcap.probe;

/**
 * Counters of a {@link ProbeDetector}.
 *
 * @param streams        streams kept now (confirmed or not)
 * @param evicted        streams dropped to make room for new ones
 * @param probes         connections attributed to a stream with an outcome
 * @param failures       of those, the ones that failed (refused, reset, timed out, bad status...)
 * @param alerts         failing alerts raised (a confirmed stream reached the failure threshold; recoveries not counted)
 * @param uninspected    connection directions whose first bytes could not be looked at: every prefix buffer was in use
 * @param unparsed       requests or answers that looked like HTTP or gRPC but did not parse (malformed, or cut short)
 */
public record ProbeDetectorStats(int streams, long evicted, long probes, long failures, long alerts,
                                 long uninspected, long unparsed) {
}
