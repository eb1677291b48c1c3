/**
 * Flows: {@link io.podcap.flow.FlowTable} turns packets into bidirectional conversations with TCP analysis (state,
 * handshake RTT, retransmissions, resets, zero windows) and named problems, in bounded memory without allocating per
 * packet; {@link io.podcap.flow.FlowListener} lets other analyses keep per-flow state beside it.
 */
package io.podcap.flow;
