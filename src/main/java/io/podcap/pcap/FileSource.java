package io.podcap.pcap;

import io.podcap.capture.PacketSource;

import java.util.List;

/**
 * The {@link PacketSource} of an offline file: {@code file:NAME}, interfaces named by their IDBs and, in a file podcap
 * wrote, placed in the namespaces their descriptions name.
 */
final class FileSource implements PacketSource {
    private final String namespace;
    private final List<PcapInterface> interfaces; // the decoder's live list
    private int lastIfindex = Integer.MIN_VALUE;
    private String lastNamespace;

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

    /** The namespace in podcap's description of an interface block ({@link PcapngSink}), else the file's. */
    @Override
    public String namespace(int ifindex) {
        if (ifindex != lastIfindex) { // an interface's blocks never change: the last answer holds for it
            lastNamespace = parseNamespace(ifindex);
            lastIfindex = ifindex;
        }
        return lastNamespace;
    }

    private String parseNamespace(int ifindex) {
        String d = description(ifindex);
        String name = interfaceName(ifindex);
        int start = name.length() + 4;
        int end = d == null ? -1 : d.lastIndexOf(" (ifindex ");
        if (end <= start || !d.startsWith(name) || !d.startsWith(" in ", name.length()) || !d.endsWith(")")) {
            return namespace;
        }
        return d.substring(start, end);
    }

    /** The interface block's description, null when it has none. */
    String description(int ifindex) {
        return ifindex >= 0 && ifindex < interfaces.size() ? interfaces.get(ifindex).description() : null;
    }

    @Override
    public String toString() {
        return namespace;
    }
}
