package io.podcap.capture;

/**
 * Counters of one capture, stage by stage: the kernel socket ({@code received}, {@code kernelDropped}), the interface
 * ({@code interfaceDropped}, -1 when unknown), the shared ring ({@code ringDropped}, {@code delivered}, {@code bytes}
 * of the delivered packets on the wire) and the Java consumer ({@code consumed}: handed to the handler).
 */
public record CaptureStats(long received, long kernelDropped, long interfaceDropped, long ringDropped,
                           long delivered, long bytes, long consumed) {

    /** Every drop this capture knows of. */
    public long dropped() {
        return kernelDropped + ringDropped + Math.max(0, interfaceDropped);
    }

    /** Both counted together, as for a group of captures; interface drops stay unknown when one side does not know. */
    public CaptureStats plus(CaptureStats o) {
        return new CaptureStats(received + o.received, kernelDropped + o.kernelDropped,
                interfaceDropped < 0 || o.interfaceDropped < 0 ? -1 : interfaceDropped + o.interfaceDropped,
                ringDropped + o.ringDropped, delivered + o.delivered, bytes + o.bytes, consumed + o.consumed);
    }
}
