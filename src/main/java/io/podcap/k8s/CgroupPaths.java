package io.podcap.k8s;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a process's {@code /proc/PID/cgroup} for the pod UID and container id the kubelet and runtime put there, in
 * every layout: cgroup v1 ({@code 4:memory:/kubepods/burstable/pod<UID>/<ID>}) and v2 ({@code 0::/...}), the
 * cgroupfs driver ({@code /kubepods/besteffort/pod1b2c-...}) and the systemd one
 * ({@code /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c_....slice/cri-containerd-<ID>.scope},
 * UID dashes written as underscores). Static pods have 32 hex digits without dashes as UID.
 */
final class CgroupPaths {
    private static final String HEX_UID = "[0-9a-f]{8}[-_]?[0-9a-f]{4}[-_]?[0-9a-f]{4}[-_]?[0-9a-f]{4}[-_]?[0-9a-f]{12}";
    private static final Pattern POD = Pattern.compile("[/-]pod(" + HEX_UID + ")(?:\\.slice)?(?:/|$)");
    /* the last component: <ID>, cri-containerd-<ID>.scope, crio-<ID>.scope, docker-<ID>.scope */
    private static final Pattern CONTAINER =
            Pattern.compile("/(?:cri-containerd-|crio-|docker-|containerd-)?([0-9a-f]{64})(?:\\.scope)?$");

    private CgroupPaths() {}

    /** What one cgroup file says: pod UID (with dashes) and container id, each null when absent. */
    record Ids(String podUid, String containerId) {
        static final Ids NONE = new Ids(null, null);
    }

    static Ids parse(String cgroupFile) {
        String uid = null;
        String container = null;
        for (String line : cgroupFile.split("\n")) {
            // hierarchy-id:controllers:path; the path may itself contain colons
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) {
                continue;
            }
            String path = line.substring(second + 1);
            if (!path.contains("kubepods")) {
                continue;
            }
            Matcher pod = POD.matcher(path);
            if (uid == null && pod.find()) {
                uid = pod.group(1).replace('_', '-');
            }
            Matcher c = CONTAINER.matcher(path);
            if (container == null && c.find()) {
                container = c.group(1);
            }
        }
        return uid == null && container == null ? Ids.NONE : new Ids(uid, container);
    }
}
