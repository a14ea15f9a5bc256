package arm.method;

import arm.kernels.cpu.CpuThreads;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * f_old's and f_cur's halves of an ARM/ADI step run side by side: f_old's part on one persistent
 * daemon partner thread, f_cur's on the caller. Used on the CPU when the kernels may use more than
 * one thread ({@code -Darm.threads}, default every core; {@code -Darm.pair=false} turns it off).
 * Otherwise, or while another run in the JVM holds the partner, the same parts run one after the
 * other on the caller, f_old's first: the two parts touch disjoint state (each network, its running
 * statistics, its thread's array pool and weight packs) and share only what neither writes, so the
 * bits never depend on which thread ran a part (PairThreadsTest).
 *
 * <p>Hand-off: the caller posts a part through one volatile slot; the partner spins for {@link
 * #SPIN_NANOS} before it parks, like the kernels' workers, and the caller computes its own part
 * before it waits. While both parts run with two kernel threads, each part's kernels run serially
 * (two threads already occupy two cores).
 */
final class Pair implements AutoCloseable {
    /** How long an idle partner, or a caller waiting for its part, spins before it parks. */
    static final long SPIN_NANOS = 50_000;

    private static volatile boolean enabled =
            CpuThreads.threads() > 1 && !"false".equals(System.getProperty("arm.pair"));

    private static final AtomicBoolean HELD = new AtomicBoolean();
    private static Partner partner; // started on the first claim

    private final Partner p; // null: the parts run on the caller

    private Pair(Partner p) {
        this.p = p;
    }

    /** Tests and measurements: whether steps use the partner thread (bits are the same). */
    static void use(boolean on) {
        enabled = on;
    }

    /** The partner when it is enabled and free, else a pair that runs both parts on the caller. */
    static Pair claim() {
        if (!enabled || !HELD.compareAndSet(false, true)) return new Pair(null);
        synchronized (Pair.class) {
            if (partner == null) partner = new Partner();
        }
        return new Pair(partner);
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
        boolean serial = CpuThreads.threads() <= 2;
        p.post(serial ? () -> CpuThreads.serially(old) : old);
        Throwable mine = null;
        try {
            if (serial) CpuThreads.serially(cur);
            else cur.run();
        } catch (Throwable t) {
            mine = t;
        }
        Throwable theirs = p.await();
        if (mine == null) mine = theirs;
        if (mine instanceof RuntimeException r) throw r;
        if (mine instanceof Error e) throw e;
        if (mine != null) throw new IllegalStateException("f_old's half of a step failed", mine);
    }

    /** Runs {@code old} where f_old's part ran (the partner, or here) and waits for it. */
    void old(Runnable old) {
        both(old, () -> {});
    }

    @Override
    public void close() {
        if (p != null) HELD.set(false);
    }

    /** The daemon thread that runs posted parts one at a time. */
    private static final class Partner {
        private final Thread thread;
        private volatile Runnable task;
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
            task = r;
            LockSupport.unpark(thread);
        }

        /** Waits for the posted part; returns its failure or null. */
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
                Runnable r = task;
                if (r != null) {
                    task = null;
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
