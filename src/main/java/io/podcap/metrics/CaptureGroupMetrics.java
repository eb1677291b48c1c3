package io.podcap.metrics;

import io.podcap.capture.CaptureGroup;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps a {@link Metrics} registry in step with a {@link CaptureGroup} whose members come and go ({@code --follow}):
 * each member's counters, labelled {@code netns} (its description) and {@code iface}. An ended member keeps its last
 * counters; a new member under the same description (a restarted pod) takes over its series, which Prometheus sees
 * as a counter reset.
 */
public final class CaptureGroupMetrics {
    private final CaptureGroup group;
    private final String iface;
    private final Metrics metrics;
    private final Set<CaptureGroup.Member> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, List<Metric>> byDescription = new HashMap<>();

    /** Registers the members there are now; {@link #refresh()} adds later ones. */
    public CaptureGroupMetrics(CaptureGroup group, String iface, Metrics metrics) {
        this.group = group;
        this.iface = iface;
        this.metrics = metrics;
        refresh();
    }

    public void refresh() {
        for (CaptureGroup.Member m : group.members()) {
            if (seen.add(m)) {
                List<Metric> added = CaptureMetrics.of(m::stats, Map.of("netns", m.description(), "iface", iface));
                List<Metric> previous = byDescription.put(m.description(), added);
                if (previous != null) {
                    metrics.removeAll(previous);
                }
                metrics.addAll(added);
            }
        }
    }
}
