package io.podcap.pcap;

import io.podcap.capture.PacketSource;

import java.util.List;

/** The {@link PacketSource} of an offline file: {@code file:NAME}, interfaces named by their IDBs. */
final class FileSource implements PacketSource {
    private final String namespace;
    private final List<PcapInterface> interfaces; // the decoder's live list

    FileSource(String fileName, List<PcapInterface> interfaces) {
        this.namespace = "file:" + fileName;
        this.interfaces = interfaces;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public String interfaceName(int ifindex) {
        if (ifindex >= 0 && ifindex < interfaces.size()) {
            String name = interfaces.get(ifindex).name();
            if (name != null) {
                return name;
            }
        }
        return "if" + ifindex;
    }

    @Override
    public String toString() {
        return namespace;
    }
}
