package arm.method;

import arm.kernels.cpu.CpuThreads;
import arm.tensor.HostPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * f_old's and f_cur's halves of an ARM/ADI step run side by side: f_old's part on one persistent
 * daemon partner thread, f_cur's on the caller. Used on the CPU when the kernels may use more than
 * one thread ({@code -Darm.threads}, default every core) and the steps are large: a refinement step
 * that took at least {@link #LARGE_NANOS} on one thread (half that on two), as ResNet18's do (tens
 * of milliseconds) and the MNIST MLP's do not (about a millisecond, where hand-offs would eat the
 * gain and a busy machine makes the caller wait for a descheduled partner). {@code -Darm.pair=on}
 * uses it whatever the step size, {@code off} never. Otherwise, or while another run in the JVM
 * holds the partner, the same parts run one after the other on the caller, f_old's first: the two
 * parts touch disjoint state (each network, its running statistics, its thread's array pool and
 * weight packs) and share only what neither writes, so the bits never depend on which thread ran a
 * part (PairThreadsTest).
 *
 * <p>Hand-off: the caller posts a part through one slot; the partner spins for {@link #SPIN_NANOS}
 * before it parks, like the kernels' workers, and the caller computes its own part before it waits.
 * A part the partner has not started by then (its core taken by other work) the caller takes back
 * and computes itself, as the kernels' caller computes parts no worker took. While both parts run
 * with two kernel threads, each part's kernels run serially (two threads already occupy two cores);
 * once one part is done, the other's later kernels split over both cores again.
 */
final class Pair implements AutoCloseable {
    /** How long an idle partner, or a caller waiting for its part, spins before it parks. */
    static final long SPIN_NANOS = 50_000;

    /**
     * A refinement step at least this long on one thread is worth two: each half is then a
     * millisecond or more of work against a few microseconds per hand-off.
     */
    static final long LARGE_NANOS = 4_000_000;

    /** -Darm.pair: on, off, or auto (the default: with two or more threads, for large steps). */
    enum Mode {
        ON,
        OFF,
        AUTO
    }

    private static volatile Mode mode = mode(System.getProperty("arm.pair", "auto"));

    static Mode mode(String property) {
        return switch (property.trim().toLowerCase()) {
            case "on", "true" -> Mode.ON;
            case "off", "false" -> Mode.OFF;
            default -> Mode.AUTO;
        };
    }

    private static final AtomicBoolean HELD = new AtomicBoolean();
    private static Partner partner; // started on the first claim

    private final Partner p; // null: the parts run on the caller

    private Pair(Partner p) {
        this.p = p;
    }

    /** Tests and measurements: when steps use the partner thread (bits are the same). */
    static void use(Mode m) {
        mode = m;
    }

    /**
     * Whether a step that last took {@code nanos} ({@code threaded}: with the partner; 0: not
     * measured yet) should use the partner.
     */
    static boolean worth(long nanos, boolean threaded) {
        return switch (mode) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> CpuThreads.free() > 1 && (threaded ? 2 * nanos : nanos) >= LARGE_NANOS;
        };
    }

    /** The partner when {@code wanted} and free, else a pair that runs both parts on the caller. */
    static Pair claim(boolean wanted) {
        if (!wanted || !HELD.compareAndSet(false, true)) return new Pair(null);
        synchronized (Pair.class) {
            if (partner == null) partner = new Partner();
        }
        return new Pair(partner);
    }

    /**
     * Drops the partner thread's pooled arrays ({@link HostPool#clear} there), as a finished run
     * drops its own thread's: f_old's halves leave up to twice a step's arrays in the partner's
     * pool. Skipped while another run holds the partner (they are its arrays then).
     */
    static void clearPartnerPool() {
        Partner p;
        synchronized (Pair.class) {
            p = partner;
        }
        if (p == null || !HELD.compareAndSet(false, true)) return;
        try (Pair pair = new Pair(p)) {
            pair.onPartner(HostPool::clear);
        }
    }

    /** Whether the parts run on two threads (f_old's then needs a scope of its own). */
    boolean threaded() {
        return p != null;
    }

    /**
     * Runs {@code old} (f_old's part) and {@code cur} (f_cur's part) and returns when both are
     * done; a failure in either is thrown after both have finished.
     */
    void both(Runnable old, Runnable cur) {
        if (p == null) {
            old.run();
            cur.run();
            return;
        }
        // with two threads each half's kernels run serially while the other half runs, and split
        // over both cores once it is done (the half that finishes last gets the idle core)
        boolean serial = CpuThreads.threads() <= 2;
        CpuThreads.Busy oldBusy = new CpuThreads.Busy(), curBusy = new CpuThreads.Busy();
        Runnable o =
                serial
                        ? () -> {
                            try {
                                CpuThreads.seriallyWhile(curBusy, old);
                            } finally {
                                oldBusy.done();
                            }
                        }
                        : old;
        p.post(o);
        Throwable mine = null;
        try {
            if (serial) CpuThreads.seriallyWhile(oldBusy, cur);
            else cur.run();
        } catch (Throwable t) {
            mine = t;
        } finally {
            curBusy.done();
        }
        Throwable theirs = null;
        if (p.reclaim(o)) { // the partner has not started it (descheduled on a busy machine)
            try {
                o.run();
            } catch (Throwable t) {
                theirs = t;
            }
        } else theirs = p.await();
        if (mine == null) mine = theirs;
        if (mine instanceof RuntimeException r) throw r;
        if (mine instanceof Error e) throw e;
        if (mine != null) throw new IllegalStateException("f_old's half of a step failed", mine);
    }

    /**
     * Whether the calling thread is the partner: a part run there puts its arrays in a scope of the
     * partner's own (a part the caller took back uses the caller's).
     */
    boolean onPartner() {
        return p != null && Thread.currentThread() == p.thread;
    }

    /** Runs {@code r} on the partner (never taken back: it must run there) and waits for it. */
    void onPartner(Runnable r) {
        if (p == null) {
            r.run();
            return;
        }
        p.post(r);
        Throwable t = p.await();
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException("the partner thread failed", t);
    }

    @Override
    public void close() {
        if (p != null) HELD.set(false);
    }

    /**
     * The daemon thread that runs posted parts one at a time. A posted part is claimed from {@code
     * task} by whoever takes it first: the partner, or the caller once its own part is done.
     */
    private static final class Partner {
        private final Thread thread;
        private final AtomicReference<Runnable> task = new AtomicReference<>();
        private volatile boolean done = true;
        private volatile Thread waiter;
        private Throwable failure;

        Partner() {
            thread = new Thread(this::loop, "arm-pair");
            thread.setDaemon(true);
            thread.start();
        }

        void post(Runnable r) {
            failure = null;
            waiter = Thread.currentThread();
            done = false;
            task.set(r);
            LockSupport.unpark(thread);
        }

        /** Takes {@code r} back if the partner has not started it. */
        boolean reclaim(Runnable r) {
            return task.compareAndSet(r, null);
        }

        /** Waits for the posted part the partner took; returns its failure or null. */
        Throwable await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (!done) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 100_000);
            }
            return failure;
        }

        private void loop() {
            long idleSince = System.nanoTime();
            while (true) {
                Runnable r = task.get();
                if (r != null && task.compareAndSet(r, null)) {
                    try {
                        r.run();
                    } catch (Throwable t) {
                        failure = t;
                    }
                    done = true;
                    LockSupport.unpark(waiter);
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
