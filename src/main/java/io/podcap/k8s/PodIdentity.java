package io.podcap.k8s;

/**
 * Which Kubernetes pod a network namespace belongs to, as far as the node's files tell.
 *
 * @param uid       the pod's UID (dashes, as the API shows it), or null when only the name is known
 * @param namespace the pod's Kubernetes namespace, or null when unknown
 * @param name      the pod's name, or null when unknown
 * @param source    where the name came from: {@code containerd}, {@code cri-o}, {@code kubelet} (its pod directory)
 *                  or {@code cgroup} (the UID alone)
 */
public record PodIdentity(String uid, String namespace, String name, String source) {
    /** {@code namespace/name}, with {@code ?} for an unknown part. */
    public String qualifiedName() {
        return (namespace != null ? namespace : "?") + "/" + (name != null ? name : "?");
    }

    /** {@code pod default/web uid 1234-...}: how captures describe the pod. */
    public String describe() {
        return "pod " + qualifiedName() + (uid != null ? " uid " + uid : "");
    }
}
