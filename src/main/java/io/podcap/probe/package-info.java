/**
 * Kubelet probes and who a connection comes from, on top of {@link io.podcap.flow.FlowTable}: {@link
 * io.podcap.probe.ProbeDetector} (a flow listener) groups probe connections into {@link io.podcap.probe.ProbeStream}s
 * with periods, outcomes and {@link io.podcap.probe.ProbeAlert}s, and labels every flow with its client's {@link
 * io.podcap.probe.SourceRole} from {@link io.podcap.probe.AddressRoles} (read back with {@link
 * io.podcap.probe.ProbeFlags}).
 */
package io.podcap.probe;
