package io.podcap.flow;

/**
 * The table's counters.
 *
 * @param packets      packets offered
 * @param unattributed packets in no flow: not IP, cut or broken before the ports, later IP fragments
 * @param partial      packets counted in a flow but left out of TCP analysis (header cut by the snap length, or bad)
 * @param flows        flows started
 * @param live         flows in the table now
 * @param expired      flows ended by a timeout: idle, or the quiet time after a close or reset
 * @param evicted      flows pushed out because the table was full
 */
public record FlowTableStats(long packets, long unattributed, long partial, long flows, int live, long expired,
                             long evicted) {
}
