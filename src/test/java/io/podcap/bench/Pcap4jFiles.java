package io.podcap.bench;

import java.io.EOFException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.Packet;

/** How a pcap4j user reads a file: every packet decoded into pcap4j's objects. */
final class Pcap4jFiles {
    private Pcap4jFiles() {}

    /** Hands each packet of the file to {@code action}; returns how many there were. */
    static long forEachPacket(Path file, Consumer<Packet> action) throws Exception {
        long packets = 0;
        try (PcapHandle handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO)) {
            while (true) {
                Packet p;
                try {
                    p = handle.getNextPacketEx();
                } catch (EOFException end) {
                    return packets;
                }
                packets++;
                action.accept(p);
            }
        }
    }
}
