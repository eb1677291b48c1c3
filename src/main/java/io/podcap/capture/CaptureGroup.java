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
 * (a flow table, a pcapng sink) sees every namespace without locks. Each namespace gets its own native capture and
 * ring, all with the same {@link CaptureOptions}; all of them signal one shared eventfd, on which the reader sleeps
 * when every ring is empty. Packets carry their member's {@link PacketSource}: {@code packet.source().namespace()}
 * is the member's description.
 *
 * <p>Members can be added and removed while it runs, from any thread: {@link #add} opens the native capture on the
 * caller's thread and hands it to the reader; {@link #remove} asks the reader to stop it, deliver what is left in its
 * ring, and free it. A member whose capture fails (its interface vanished, say) is logged and retired; the others go
 * on. The group ends on {@link #stop()}, when its handler throws, or when its last member has ended unless told to
 * {@link #keepRunningWhenEmpty keep running}.
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
    /* While busy, ended members are looked for every this many rounds (an idle reader looks each time). */
    private static final int LIVENESS_ROUNDS = 1024;

    private final CaptureOptions<?> options;
    private final PacketHandler handler;
    private volatile boolean keepRunningWhenEmpty;
    private final int wakeFd;
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
    private boolean wakeClosed; // guarded by lifecycle

    /* The reader thread's own state. */
    private Member[] active = new Member[0];
    private int rounds;

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

    private CaptureGroup(Builder b, int wakeFd, List<Member> initial) {
        Builder options = new Builder();
        b.copyTo(options);
        this.options = options;
        this.handler = b.handler;
        this.keepRunningWhenEmpty = b.keepRunningWhenEmpty;
        this.wakeFd = wakeFd;
        this.active = initial.toArray(Member[]::new);
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
        // held while opening: the shared eventfd must stay open until the new capture is queued for the reader
        synchronized (lifecycle) {
            if (ended) {
                throw new IllegalStateException("the capture group has ended");
            }
            m = open(namespace, description, options, wakeFd);
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

    /** Stops one member; what its ring holds is still delivered. Returns at once; a no-op for an ended member. */
    public void remove(Member member) {
        toRemove.add(Objects.requireNonNull(member, "member"));
        wake();
    }

    private void wake() {
        pending = true;
        synchronized (lifecycle) {
            if (!wakeClosed) {
                Native.wakeSignal(wakeFd);
            }
        }
    }

    private static Member open(NamespaceSpec namespace, String description, CaptureOptions<?> o, int wakeFd) {
        String label = description != null ? description : namespace.label();
        return new Member(new NativeCapture(namespace, label, o, wakeFd), label);
    }

    private void run() {
        try {
            while (true) {
                if (pending) {
                    applyPending();
                }
                if (pollAll() > 0) {
                    if (++rounds % LIVENESS_ROUNDS == 0) {
                        retireEnded();
                    }
                    continue;
                }
                if (spinUntilAvailable()) {
                    continue;
                }
                retireEnded();
                if (stopRequested || (active.length == 0 && !keepRunningWhenEmpty)) {
                    break;
                }
                if (!parkAll() && !Native.wakeWait(wakeFd, options.idleWaitMillis()) && !anyAvailable()) {
                    handler.onIdle();
                }
            }
        } catch (Throwable t) {
            failure = t;
            log.error("packet handler failed; capture group stopped", t);
        }
        for (Member m : active) {
            m.capture.stop();
        }
        synchronized (lifecycle) {
            ended = true;
        }
        if (failure == null) {
            drainAndRetireAll();
        }
    }

    private int pollAll() {
        int n = 0;
        for (Member m : active) {
            n += m.capture.poll(handler);
        }
        return n;
    }

    private boolean spinUntilAvailable() {
        for (int i = 0; i < Capture.SPINS; i++) {
            if (anyAvailable()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private boolean anyAvailable() {
        for (Member m : active) {
            if (m.capture.available()) {
                return true;
            }
        }
        return false;
    }

    /** Raises every ring's parked flag; true when one of them has a packet after all (no need to sleep). */
    private boolean parkAll() {
        boolean any = false;
        for (Member m : active) {
            any |= m.capture.park();
        }
        return any;
    }

    private void applyPending() {
        pending = false;
        List<Member> next = new ArrayList<>(List.of(active));
        for (Member m; (m = toAdd.poll()) != null; ) {
            next.add(m);
        }
        for (Member m; (m = toRemove.poll()) != null; ) {
            if (next.remove(m)) {
                m.capture.stop();
                retire(m, State.REMOVED);
                log.info("stopped capturing in {}", m.description);
            }
        }
        active = next.toArray(Member[]::new);
    }

    /** Retires members whose native capture has ended on its own (failure, or the interface went away). */
    private void retireEnded() {
        boolean changed = false;
        for (Member m : active) {
            if (!m.capture.running()) {
                String why = m.capture.failure();
                if (why != null) {
                    m.failure = why;
                    log.warn("capture in {} ended: {}; the others continue", m.description, why);
                }
                retire(m, why != null ? State.FAILED : State.STOPPED);
                changed = true;
            }
        }
        if (changed) {
            List<Member> next = new ArrayList<>(active.length);
            for (Member m : active) {
                if (!m.retired) {
                    next.add(m);
                }
            }
            active = next.toArray(Member[]::new);
        }
    }

    /** Delivers what is left in a stopped member's ring and frees its native side. */
    private void retire(Member m, State state) {
        while (m.capture.poll(handler) > 0) {
            // drain
        }
        m.capture.free();
        m.retired = true;
        m.state = state;
    }

    private void drainAndRetireAll() {
        try {
            for (Member m : active) {
                retire(m, m.failure != null ? State.FAILED : State.STOPPED);
            }
            for (Member m; (m = toAdd.poll()) != null; ) {
                retire(m, State.STOPPED);
            }
        } catch (Throwable t) {
            failure = t;
            log.error("packet handler failed while draining the capture group", t);
        }
    }

    /** Stops every member; what their rings hold is still delivered. Safe from any thread, the handler's too. */
    public void stop() {
        stopRequested = true;
        wake();
    }

    /** Waits until the reader has delivered the last packet; true when it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Stops, delivers what is left, and frees every native capture and the shared eventfd. */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() == thread) {
            return;
        }
        Capture.joinUninterruptibly(thread);
        for (Member m : all) {
            m.capture.free(); // after a handler failure nothing was drained; freeing is idempotent
            if (m.state == State.RUNNING) {
                m.state = State.STOPPED;
            }
        }
        synchronized (lifecycle) {
            if (!wakeClosed) {
                wakeClosed = true;
                Native.closeFd(wakeFd);
            }
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
            Native.ensureLoaded();
            int wakeFd = Native.wakeOpen();
            List<Member> opened = new ArrayList<>();
            try {
                for (int i = 0; i < namespaces.size(); i++) {
                    opened.add(CaptureGroup.open(namespaces.get(i), descriptions.get(i), this, wakeFd));
                }
                return new CaptureGroup(this, wakeFd, opened);
            } catch (RuntimeException | Error e) {
                opened.forEach(m -> m.capture.free());
                Native.closeFd(wakeFd);
                throw e;
            }
        }
    }
}
