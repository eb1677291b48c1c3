package io.podcap.ns;

import java.util.Set;

/**
 * Resolves namespace spec forms that need more than a file lookup, such as {@code pod:NAMESPACE/NAME} and
 * {@code ip:ADDRESS} (io.podcap.k8s discovers the node's namespaces for them). {@link NamespaceSpec#parse} finds
 * implementations with {@link java.util.ServiceLoader}, so this package does not depend on the ones that do.
 */
public interface NamespaceResolver {
    /** The spec kinds handled, the part before the colon (e.g. {@code pod}). */
    Set<String> kinds();

    /** Usage text for error messages, e.g. {@code pod:NAMESPACE/NAME}. */
    String forms();

    /** The namespace; IllegalArgumentException when there is none or more than one, naming the candidates. */
    NamespaceSpec resolve(String kind, String value);
}
