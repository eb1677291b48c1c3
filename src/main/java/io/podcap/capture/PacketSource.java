package io.podcap.capture;

/** What a packet's origin is called: the namespace (or file) and its interfaces. */
public interface PacketSource {
    /** The namespace spec (e.g. {@code netns:demo}, {@code pid:1234}) or {@code file:NAME} for an offline read. */
    String namespace();

    /** The name of an interface of this source, or {@code if<N>} when it is not known. */
    String interfaceName(int ifindex);

    /**
     * Where packets of this interface were captured: {@link #namespace()}, but for a file podcap wrote, the namespace
     * its interface block names (a capture of several namespaces keeps them apart when read back).
     */
    default String namespace(int ifindex) {
        return namespace();
    }
}
