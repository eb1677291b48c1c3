package io.podcap.capture;

import io.podcap.ns.NamespaceSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live captures in several network namespaces feeding one handler on one reader thread, so a single-threaded analysis
 * (a flow table, a pcapng sink) sees every namespace without locks. Each namespace gets its own native capture, all
 * with the same {@link CaptureOptions}; the reader waits on all of them at once, and takes the packets of each that
 * is ready through one ring, in turn. Packets carry their member's {@link PacketSource}:
 * {@code packet.source().namespace()} is the member's description.
 *
 * <p>Members can be added and removed while it runs, from any thread: {@link #add} opens the native capture on the
 * caller's thread and hands it to the reader; {@link #remove} asks the reader to stop it, deliver what its kernel
 * buffer holds ready, and free it. A member whose capture fails (its interface vanished, say) is logged and retired;
 * the others go on. The group ends on {@link #stop()}, when its handler throws, or when its last member has ended
 * unless told to {@link #keepRunningWhenEmpty keep running}.
 *
 * <pre>{@code
 * try (CaptureGroup group = CaptureGroup.builder().filter("tcp port 8080").handler(flowTable)
 *         .add("pod:default/web").add("netns:cni-1234").open()) {
 *     group.awaitTermination(Duration.ofSeconds(30));
 *     group.members().forEach(m -> System.out.println(m.description() + " " + m.stats()));
 * }
 * }</pre>
 */
public final class CaptureGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaptureGroup.class);

    private final CaptureOptions<?> options;
    private final PacketHandler handler;
    private volatile boolean keepRunningWhenEmpty;
    private final Wake wake;
    private final RingReader ring;
    private final Pacing pacing;
    private final Thread thread;
    /* Every member ever added, for members() and the final statistics; the reader's own list is `active`. */
    private final List<Member> all = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Member> toAdd = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Member> toRemove = new ConcurrentLinkedQueue<>();
    private final Object lifecycle = new Object();
    private volatile boolean pending;
    private volatile boolean stopRequested;
    private volatile Throwable failure;
    private boolean ended; // guarded by lifecycle: set by the reader when it leaves; add() then refuses

    /* The reader thread's own state: the members it captures from, their fds, and which to pump next round. */
    private Member[] active = new Member[0];
    private int[] fds = new int[0];
    private int[] ready = new int[0];

    /** State of a member. */
    public enum State { RUNNING, STOPPED, REMOVED, FAILED }

    /** One namespace of the group: its capture's counters and state, kept after it ended. */
    public static final class Member {
        private final NativeCapture capture;
        private final String description;
        private volatile State state = State.RUNNING;
        private volatile String failure;
        private boolean retired; // reader thread only

        private Member(NativeCapture capture, String description) {
            this.capture = capture;
            this.description = description;
        }

        public NamespaceSpec namespace() { return capture.namespace(); }

        /** How packets name this member: {@code packet.source().namespace()}; the spec's label by default. */
        public String description() { return description; }

        /** Its packets' source: the description and the namespace's interface names. */
        public PacketSource source() { return capture.source(); }

        public int linkType() { return capture.linkType(); }

        /** Counters so far, the last ones once it ended. */
        public CaptureStats stats() { return capture.stats(); }

        public State state() { return state; }

        /** Why its capture failed (state FAILED), or null. */
        public String failure() { return failure; }

        @Override
        public String toString() {
            return description + " (" + state + ")";
        }
    }

    private CaptureGroup(Builder b, Wake wake, List<Member> initial) {
        Builder options = new Builder();
        b.copyTo(options);
        this.options = options;
        this.handler = b.handler;
        this.keepRunningWhenEmpty = b.keepRunningWhenEmpty;
        this.wake = wake;
        this.ring = b.newRing();
        this.pacing = options.newPacing();
        setActive(initial);
        all.addAll(initial);
        this.thread = new Thread(this::run, "podcap-group");
        thread.setDaemon(true);
        thread.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts capturing in one more namespace, with the group's options; {@code description} names it in its packets'
     * source (null: the spec's label). Throws what {@link Capture.Builder#open()} throws for a bad namespace,
     * interface or filter, and IllegalStateException once the group has ended.
     */
    public Member add(NamespaceSpec namespace, String description) {
        Member m;
        // held while opening, so that the reader cannot leave between the check and the queueing
        synchronized (lifecycle) {
            if (ended) {
                throw new IllegalStateException("the capture group has ended");
            }
            m = open(namespace, description, options);
            all.add(m);
            toAdd.add(m);
        }
        wake();
        log.debug("capturing in {} ({})", m.description, namespace);
        return m;
    }

    /** Whether to keep running once no member is left (set first by {@link Builder#keepRunningWhenEmpty}). */
    public void keepRunningWhenEmpty(boolean keep) {
        keepRunningWhenEmpty = keep;
        wake();
    }

    /**
     * Stops one member; what the kernel holds ready for it is still delivered. Returns at once; a no-op for an ended
     * member.
     */
    public void remove(Member member) {
        toRemove.add(Objects.requireNonNull(member, "member"));
        wake();
    }

    private void wake() {
        pending = true;
        wake.signal();
    }

    private static Member open(NamespaceSpec namespace, String description, CaptureOptions<?> o) {
        String label = description != null ? description : namespace.label();
        return new Member(new NativeCapture(namespace, label, o), label);
    }

    private void run() {
        try {
            while (true) {
                if (pending) {
                    applyPending();
                }
                if (stopRequested || (active.length == 0 && !keepRunningWhenEmpty)) {
                    break;
                }
                if (pumpReady() > 0) {
                    pacing.tookPackets();
                    continue;
                }
                handler.onCaughtUp();
                if (pacing.waitOutInterval(wake, fullestBufferBytes())) {
                    wake.poll(fds, active.length, 0, ready); // which members the next round pumps
                } else if (!wake.poll(fds, active.length, waitMillis(), ready)) {
                    pacing.idle();
                    handler.onIdle();
                }
            }
            pumpAllAndRetire(); // what the kernel had ready when told to stop
        } catch (Throwable t) {
            failure = t;
            log.error("packet handler failed; capture group stopped", t);
        }
        synchronized (lifecycle) {
            ended = true;
        }
        for (Member m : all) {
            if (!m.retired) {
                retire(m, State.STOPPED); // after a handler failure, or added just now: nothing more is delivered
            }
        }
        wake.close();
    }

    /**
     * Pumps the members that were ready (or took packets last round, so may have more, or are due a look at an
     * interface that went down); returns the packets taken. A member whose capture fails is retired, the others go on.
     */
    private int pumpReady() {
        int taken = 0;
        boolean failed = false;
        for (int i = 0; i < active.length; i++) {
            Member m = active[i];
            if (ready[i] == 0 && !m.capture.recheckDue()) {
                continue;
            }
            try {
                int n = m.capture.pump(ring, handler);
                ready[i] = n;
                taken += n;
            } catch (CaptureException e) {
                m.failure = e.getMessage();
                log.warn("capture in {} ended: {}; the others continue", m.description, e.getMessage());
                retire(m, State.FAILED);
                failed = true;
            }
        }
        if (failed) {
            List<Member> left = new ArrayList<>(active.length);
            for (Member m : active) {
                if (!m.retired) {
                    left.add(m);
                }
            }
            setActive(left);
        }
        return taken;
    }

    /** The most bytes one member took since the last call: its kernel buffer filled fastest. */
    private long fullestBufferBytes() {
        long most = 0;
        for (Member m : active) {
            most = Math.max(most, m.capture.bytesTakenSinceAsked());
        }
        return most;
    }

    private int waitMillis() {
        int millis = pacing.idleWaitMillis(options.idleWaitMillis());
        for (Member m : active) {
            millis = m.capture.waitMillis(millis);
        }
        return millis;
    }

    /** Makes these the members the reader pumps, each to be pumped in the next round. */
    private void setActive(List<Member> members) {
        active = members.toArray(Member[]::new);
        fds = new int[active.length];
        ready = new int[active.length];
        for (int i = 0; i < active.length; i++) {
            fds[i] = active[i].capture.fd();
            ready[i] = 1;
        }
    }

    private void applyPending() {
        pending = false;
        List<Member> next = new ArrayList<>(List.of(active));
        for (Member m; (m = toAdd.poll()) != null; ) {
            next.add(m);
        }
        for (Member m; (m = toRemove.poll()) != null; ) {
            if (next.remove(m)) {
                pumpAndRetire(m, State.REMOVED);
                log.info("stopped capturing in {}", m.description);
            }
        }
        setActive(next);
    }

    /** Delivers what a member's kernel buffer holds ready, then frees its native side. */
    private void pumpAndRetire(Member m, State state) {
        try {
            m.capture.drain(ring, handler);
        } catch (CaptureException e) {
            m.failure = e.getMessage();
            state = State.FAILED;
        }
        retire(m, state);
    }

    private void pumpAllAndRetire() {
        for (Member m : active) {
            pumpAndRetire(m, State.STOPPED);
        }
    }

    private static void retire(Member m, State state) {
        m.capture.free();
        m.retired = true;
        m.state = state;
    }

    /**
     * Stops every member; what the kernel holds ready for them is still delivered. Safe from any thread, the handler's
     * too.
     */
    public void stop() {
        stopRequested = true;
        wake();
    }

    /** Waits until the reader has delivered the last packet; true when it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Stops, delivers what is left, and frees every native capture (by the reader thread, as it ends). */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() != thread) {
            Capture.joinUninterruptibly(thread);
        }
    }

    /** Every member ever added, in order, with its state; ended ones keep their last counters. */
    public List<Member> members() {
        return List.copyOf(all);
    }

    /** Every member's counters added up, ended ones included. */
    public CaptureStats stats() {
        CaptureStats total = new CaptureStats(0, 0, 0, 0, 0, 0, 0);
        for (Member m : all) {
            total = total.plus(m.stats());
        }
        return total;
    }

    /** True until the group has stopped and its last packet was delivered. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** The handler's exception that ended the group, or null (a member's failure is in {@link Member#failure()}). */
    public Throwable failure() {
        return failure;
    }

    /** The namespaces to start with, and the options every member's capture gets. */
    public static final class Builder extends CaptureOptions<Builder> {
        private final List<NamespaceSpec> namespaces = new ArrayList<>();
        private final List<String> descriptions = new ArrayList<>();
        private boolean keepRunningWhenEmpty;

        private Builder() {}

        /** A namespace to capture in, by spec ({@code pid:1234}, {@code netns:NAME}, {@code pod:NS/NAME}, ...). */
        public Builder add(String spec) {
            return add(NamespaceSpec.parse(spec), null);
        }

        /** A namespace, and how its packets' source names it (null: the spec's label). */
        public Builder add(NamespaceSpec namespace, String description) {
            namespaces.add(Objects.requireNonNull(namespace, "namespace"));
            descriptions.add(description);
            return this;
        }

        /** Keep the reader running with no member left, for members added later (default: end with the last). */
        public Builder keepRunningWhenEmpty(boolean keep) {
            this.keepRunningWhenEmpty = keep;
            return this;
        }

        /**
         * Opens a native capture per namespace, then starts the reader. When one cannot be opened, those already
         * open are freed and its exception (as {@link Capture.Builder#open()} throws it) is thrown.
         */
        public CaptureGroup open() {
            requireHandler("a capture group");
            if (namespaces.isEmpty() && !keepRunningWhenEmpty) {
                throw new IllegalArgumentException("a capture group needs a namespace (or keepRunningWhenEmpty)");
            }
            newRing(); // a snaplen the ring cannot hold fails before any capture is opened
            Native.ensureLoaded();
            Wake wake = new Wake();
            List<Member> opened = new ArrayList<>();
            try {
                for (int i = 0; i < namespaces.size(); i++) {
                    opened.add(CaptureGroup.open(namespaces.get(i), descriptions.get(i), this));
                }
                return new CaptureGroup(this, wake, opened);
            } catch (RuntimeException | Error e) {
                opened.forEach(m -> m.capture.free());
                wake.close();
                throw e;
            }
        }
    }
}
