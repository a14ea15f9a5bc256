package arm.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The kernels' threads: {@code -Darm.threads=N} (default: every core the JVM sees). With N &gt; 1 a
 * large kernel cuts its work into parts over its outputs, and the caller and N − 1 persistent
 * daemon workers take parts from a shared counter until none is left. Parts are fixed by the shapes
 * and every output element is computed by one part in one order, so the bits never depend on N or
 * on which thread took which part (ThreadCountTest).
 *
 * <p>Low latency for the millisecond-sized kernels of a training step: a job is handed over through
 * one volatile slot, idle workers spin for {@link #SPIN_NANOS} before they park, and the caller
 * computes parts itself instead of waiting for a worker to wake. There is one job slot: a second
 * caller that finds it taken (several runs in one JVM) runs its parts on its own thread, so
 * concurrent runs share the cores without queueing behind each other. Nested calls (a parallel
 * convolution calling a GEMM) run serially inside a part, so nothing waits on itself.
 */
public final class CpuThreads {
    private CpuThreads() {}

    private static final int THREADS = configured(System.getProperty("arm.threads"));

    /** How long an idle worker spins before it parks; a step's next kernel usually comes sooner. */
    static final long SPIN_NANOS = 50_000;

    /** Per thread: why its kernels may have to run serially now. */
    private static final class Serial {
        /** Inside a part, or inside {@link #serially}. */
        boolean inside;

        /**
         * While this is busy the thread's kernels run serially ({@link #seriallyWhile}); or null.
         */
        Busy until;
    }

    private static final ThreadLocal<Serial> SERIAL = ThreadLocal.withInitial(Serial::new);

    /**
     * The threads a kernel may use: -Darm.threads, else the JVM's processor count. A value that is
     * not a whole number ≥ 1 is reported in one line and replaced by the default.
     */
    static int configured(String property) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        if (property == null || property.isBlank()) return cores;
        try {
            int n = Integer.parseInt(property.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println(
                "-Darm.threads="
                        + property
                        + " is not a whole number ≥ 1: using "
                        + cores
                        + " kernel threads (one per core)");
        return cores;
    }

    /** Threads a kernel may use (the caller included). */
    public static int threads() {
        return THREADS;
    }

    /**
     * Whether the calling thread's kernels run serially now: it is computing a part already (nested
     * kernels), or its half of a pair runs beside a busy other half ({@link #seriallyWhile}).
     */
    public static boolean serialNow() {
        Serial s = SERIAL.get();
        return s.inside || (s.until != null && s.until.busy()) || free() <= 1;
    }

    /** Cores held by {@link #lend} bodies now (a run's background evaluation). */
    private static final AtomicInteger LENT = new AtomicInteger();

    /** {@code -Darm.lend=false}: a lent core is still offered to other kernels (same bits). */
    private static final boolean LENDING = !"false".equals(System.getProperty("arm.lend"));

    /**
     * Runs {@code body} with its kernels serial on a core that it holds for itself until it
     * returns: the other threads' kernels, and {@link #free} for callers that start threads of
     * their own, count one core less meanwhile. For background work beside a training step (a
     * ResNet run's evaluation): with two cores the step's kernels then run serially on the other
     * core instead of four threads sharing two cores, each spinning for a part that a descheduled
     * thread holds. Like {@link #serially} it never changes the bits.
     */
    public static void lend(Runnable body) {
        if (!LENDING) {
            serially(body);
            return;
        }
        LENT.incrementAndGet();
        try {
            serially(body);
        } finally {
            LENT.decrementAndGet();
        }
    }

    /** Cores not held by {@link #lend} bodies: {@link #threads} less those, at least 1. */
    public static int free() {
        return Math.max(1, THREADS - LENT.get());
    }

    /**
     * Runs {@code body} with this thread's kernels serial, as inside a part: for a caller that
     * keeps the cores busy with threads of its own (ARM's two networks on two threads), where the
     * workers would only compete with them. The bits are the same either way.
     */
    public static void serially(Runnable body) {
        Serial s = SERIAL.get();
        boolean was = s.inside;
        s.inside = true;
        try {
            body.run();
        } finally {
            s.inside = was;
        }
    }

    /**
     * The other half of a pair of threads that share the cores ({@link #seriallyWhile}): busy until
     * that half calls {@link #done}.
     */
    public static final class Busy {
        private volatile boolean busy = true;

        /** The half this flag stands for has finished: the other half's kernels may split. */
        public void done() {
            busy = false;
        }

        boolean busy() {
            return busy;
        }
    }

    /**
     * Runs {@code body} with this thread's kernels serial while {@code other} is busy, and split
     * over the workers again from the first kernel that starts after {@code other} is done: for two
     * threads that each take a core (ARM's f_old and f_cur halves), the half that finishes last
     * gets both cores for its remaining kernels instead of leaving one idle. A kernel's parts are
     * fixed by its shapes, so the bits are the same whichever way each kernel runs.
     */
    public static void seriallyWhile(Busy other, Runnable body) {
        Serial s = SERIAL.get();
        Busy was = s.until;
        s.until = other;
        try {
            body.run();
        } finally {
            s.until = was;
        }
    }

    /** How many parts to cut work into: 1 inside a part already or with one thread. */
    public static int parts(int maxUseful) {
        return serialNow() ? 1 : Math.max(1, Math.min(THREADS, maxUseful));
    }

    /**
     * Runs body(0 … parts−1) and returns when all are done. Without workers, inside a part, or when
     * another caller holds the workers, the parts run one after another on the caller (which tests
     * use to check a kernel's splitting on one thread).
     */
    public static void run(int parts, IntConsumer body) {
        if (parts <= 1 || THREADS == 1 || serialNow()) {
            serial(parts, body);
            return;
        }
        Job job = new Job(parts, body, Thread.currentThread());
        if (!Pool.SLOT.compareAndSet(null, job)) {
            serial(parts, body);
            return;
        }
        Pool.wake();
        try {
            job.work();
            job.await();
        } finally {
            Pool.SLOT.set(null);
        }
        job.rethrow();
    }

    private static void serial(int parts, IntConsumer body) {
        for (int i = 0; i < parts; i++) body.accept(i);
    }

    /**
     * One parallel call: parts are claimed from {@code next}; {@code done} counts finished ones.
     */
    private static final class Job {
        final int parts;
        final IntConsumer body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Job(int parts, IntConsumer body, Thread caller) {
            this.parts = parts;
            this.body = body;
            this.caller = caller;
        }

        /** Takes parts until none is left. */
        void work() {
            Serial s = SERIAL.get();
            boolean was = s.inside;
            s.inside = true;
            try {
                for (int p; (p = next.getAndIncrement()) < parts; ) {
                    try {
                        if (failure == null) body.accept(p);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    if (done.incrementAndGet() == parts && Thread.currentThread() != caller)
                        LockSupport.unpark(caller);
                }
            } finally {
                s.inside = was;
            }
        }

        /** The caller's wait for parts that workers still compute: spin briefly, then park. */
        void await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (done.get() < parts) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 100_000);
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException("a kernel part failed", t);
        }
    }

    /** THREADS − 1 daemon workers, started on the first parallel call. */
    private static final class Pool {
        static final AtomicReference<Job> SLOT = new AtomicReference<>();
        static final Thread[] WORKERS = new Thread[THREADS - 1];

        static {
            for (int i = 0; i < WORKERS.length; i++) {
                Thread t = new Thread(Pool::loop, "arm-kernels-" + (i + 1));
                t.setDaemon(true);
                WORKERS[i] = t;
                t.start();
            }
        }

        static void wake() {
            for (Thread t : WORKERS) LockSupport.unpark(t);
        }

        /** Waits for a job with parts left, helps with it, and waits again. */
        private static void loop() {
            Job last = null;
            long idleSince = System.nanoTime();
            while (true) {
                Job job = SLOT.get();
                if (job != null && job != last && job.next.get() < job.parts) {
                    job.work();
                    last = job;
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(Pool.class);
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
