package io.podcap.capture;

/** What a packet's origin is called: the namespace (or file) and its interfaces. */
public interface PacketSource {
    /** The namespace spec (e.g. {@code netns:demo}, {@code pid:1234}) or {@code file:NAME} for an offline read. */
    String namespace();

    /** The name of an interface of this source, or {@code if<N>} when it is not known. */
    String interfaceName(int ifindex);
}
