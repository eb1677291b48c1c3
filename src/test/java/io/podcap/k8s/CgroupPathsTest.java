package io.podcap.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Pod UID and container id from /proc/PID/cgroup in the layouts kubelets and runtimes write. */
class CgroupPathsTest {
    private static final String UID = "5f2d3c4b-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    private static final String ID = "a".repeat(32) + "0123456789abcdef0123456789abcdef";

    private static void expect(String cgroup, String uid, String container) {
        CgroupPaths.Ids ids = CgroupPaths.parse(cgroup);
        assertEquals(uid, ids.podUid(), cgroup);
        assertEquals(container, ids.containerId(), cgroup);
    }

    @Test
    void systemdDriverCgroupV2WithContainerd() {
        expect("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID.replace('-', '_')
                + ".slice/cri-containerd-" + ID + ".scope\n", UID, ID);
    }

    @Test
    void systemdDriverGuaranteedPodWithCrio() {
        expect("0::/kubepods.slice/kubepods-pod" + UID.replace('-', '_') + ".slice/crio-" + ID + ".scope", UID, ID);
    }

    @Test
    void cgroupfsDriverCgroupV1() {
        String path = "/kubepods/besteffort/pod" + UID + "/" + ID;
        expect("12:pids:" + path + "\n11:memory:" + path + "\n1:name=systemd:" + path + "\n0::/\n", UID, ID);
    }

    @Test
    void cgroupfsDriverCgroupV2AndAStaticPodsHashUid() {
        String hash = "0123456789abcdef0123456789abcdef";
        expect("0::/kubepods/burstable/pod" + hash + "/" + ID + "\n", hash, ID);
    }

    @Test
    void thePodLevelCgroupHasAUidButNoContainer() {
        expect("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + UID.replace('-', '_')
                + ".slice\n", UID, null);
    }

    @Test
    void processesOutsideKubepodsHaveNeither() {
        expect("0::/system.slice/containerd.service\n", null, null);
        expect("0::/user.slice/user-0.slice/pod" + UID + "/" + ID + "\n", null, null);
        expect("", null, null);
        expect("garbage without colons\n0:\n", null, null);
    }
}
