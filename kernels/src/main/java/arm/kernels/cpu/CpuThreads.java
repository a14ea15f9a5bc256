package arm.kernels.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
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
 *
 * <p>Small kernels (the MNIST MLP's batch-10 GEMMs, 20–150 µs) are split only for a caller inside
 * {@link #hot}: the workers then spin instead of parking, parts are fixed per thread ({@link
 * #runFixed}), and a guard lets them park again when they miss their parts (no free core).
 */
public final class CpuThreads {
    private CpuThreads() {}

    private static final int THREADS = configured(System.getProperty("arm.threads"));

    /** How long an idle worker spins before it parks; a step's next kernel usually comes sooner. */
    static final long SPIN_NANOS = 50_000;

    private static final ThreadLocal<boolean[]> INSIDE =
            ThreadLocal.withInitial(() -> new boolean[1]);

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

    /**
     * {@code -Darm.smallSplit=off|auto|on}: whether a {@link #hot} caller's small kernels (the
     * MNIST MLP's batch-10 GEMMs) are split over the workers. auto: while this JVM trains one run
     * at a time ({@link #runsInParallel}); with two runs side by side each already has a core. Off
     * by default: on a quiet machine the split iteration is faster alone, but whole runs are not
     * (docs/BENCHMARKS.md, MNIST section), since the second core is busy with the JIT and the
     * evaluations for much of a run.
     */
    public static final String SMALL_SPLIT_DEFAULT =
            System.getProperty("arm.smallSplit", "off").trim().toLowerCase();

    private static volatile String smallSplit = SMALL_SPLIT_DEFAULT;

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicBoolean HOT_HELD = new AtomicBoolean();

    /** Set while a caller holds the workers hot: they spin instead of parking. */
    private static volatile boolean hot;

    private static final ThreadLocal<Hot> HOT_CALLER = ThreadLocal.withInitial(Hot::new);

    /**
     * A hot caller's state: whether it holds the workers, and how many of its split jobs ran and
     * needed the caller to take a worker's part back (the worker had no core: a busy machine).
     */
    private static final class Hot {
        boolean on;
        int jobs, takenBack;
    }

    /**
     * A hot caller whose workers missed their parts in at least this share of its split jobs (after
     * {@link #PROBE_JOBS}) lets them go for the rest of its body: on a machine without a free core
     * a spinning worker only takes time from the caller.
     */
    static final double MISSED_SHARE = 0.25;

    static final int PROBE_JOBS = 16;

    /**
     * Back-off, written by the holder of {@link #HOT_HELD} only: after k bodies in a row that let
     * their workers go, the next 2^k − 1 (at most 63) run without them.
     */
    private static int failures, skip;

    /** How many runs this JVM trains at the moment (a command's runner says so). */
    public static void runsInParallel(int n) {
        RUNS.set(n);
    }

    /** Tests and measurements: auto, on or off (see -Darm.smallSplit); clears the back-off. */
    public static synchronized void smallSplit(String mode) {
        if (!HOT_HELD.compareAndSet(false, true))
            throw new IllegalStateException("workers held hot");
        failures = skip = 0;
        smallSplit = mode.trim().toLowerCase();
        HOT_HELD.set(false);
    }

    /**
     * Runs {@code body} with the workers held hot for this caller: they spin between its kernels
     * instead of parking (a batch-10 GEMM takes 20–150 µs, a wake-up from park tens), and its small
     * GEMMs are split too ({@link #hotCaller}). Only one caller at a time holds them; any other
     * caller, one thread, a caller inside a part, -Darm.smallSplit=off, or (auto) several runs in
     * the JVM run {@code body} as it is. The bits are the same either way: the split is over
     * outputs.
     */
    public static void hot(Runnable body) {
        String mode = smallSplit;
        Hot flag = HOT_CALLER.get();
        if (THREADS == 1
                || flag.on
                || INSIDE.get()[0]
                || mode.equals("off")
                || (!mode.equals("on") && RUNS.get() > 1)
                || !HOT_HELD.compareAndSet(false, true)) {
            body.run();
            return;
        }
        if (skip > 0) { // the last bodies found no free core: wait a few before trying again
            skip--;
            HOT_HELD.set(false);
            body.run();
            return;
        }
        flag.on = true;
        flag.jobs = flag.takenBack = 0;
        hot = true;
        Pool.wake();
        boolean gaveUp = true;
        try {
            body.run();
            gaveUp = !flag.on;
        } finally {
            hot = false;
            flag.on = false;
            failures = gaveUp ? Math.min(failures + 1, 6) : 0;
            skip = gaveUp ? (1 << failures) - 1 : 0;
            HOT_HELD.set(false);
        }
    }

    /** Whether the calling thread holds the workers hot and is not inside a part. */
    public static boolean hotCaller() {
        return HOT_CALLER.get().on && !INSIDE.get()[0];
    }

    /** Threads a kernel may use (the caller included). */
    public static int threads() {
        return THREADS;
    }

    /**
     * Whether the calling thread is computing a part already (nested kernels then run serially).
     */
    public static boolean insidePart() {
        return INSIDE.get()[0];
    }

    /**
     * Runs {@code body} with this thread's kernels serial, as inside a part: for a caller that
     * keeps the cores busy with threads of its own (ARM's two networks on two threads), where the
     * workers would only compete with them. The bits are the same either way.
     */
    public static void serially(Runnable body) {
        boolean[] flag = INSIDE.get();
        boolean was = flag[0];
        flag[0] = true;
        try {
            body.run();
        } finally {
            flag[0] = was;
        }
    }

    /** How many parts to cut work into: 1 inside a part already or with one thread. */
    public static int parts(int maxUseful) {
        return INSIDE.get()[0] ? 1 : Math.max(1, Math.min(THREADS, maxUseful));
    }

    /**
     * Runs body(0 … parts−1) and returns when all are done. Without workers, inside a part, or when
     * another caller holds the workers, the parts run one after another on the caller (which tests
     * use to check a kernel's splitting on one thread).
     */
    public static void run(int parts, IntConsumer body) {
        run(parts, body, false);
    }

    /**
     * The same with a fixed assignment: part 0 on the caller, part i on worker i (when there are
     * that many), so that each thread reads the same slice of a weight matrix every step and keeps
     * it in its own cache; a part its thread has not started when the caller's own is done the
     * caller takes, as above. At most 31 parts.
     */
    public static void runFixed(int parts, IntConsumer body) {
        run(parts, body, parts <= 31);
    }

    private static void run(int parts, IntConsumer body, boolean fixed) {
        if (parts <= 1 || THREADS == 1 || INSIDE.get()[0]) {
            serial(parts, body);
            return;
        }
        Job job = new Job(parts, body, Thread.currentThread(), fixed);
        if (!Pool.SLOT.compareAndSet(null, job)) {
            serial(parts, body);
            return;
        }
        if (!hot) Pool.wake(); // hot workers spin: no unpark needed
        long own = 0, waited = 0;
        try {
            long t0 = System.nanoTime();
            job.work(0);
            long t1 = System.nanoTime();
            job.await();
            own = t1 - t0;
            waited = System.nanoTime() - t1;
        } finally {
            Pool.SLOT.set(null);
        }
        // a worker's part taken back, or one that kept the caller waiting longer than its own part
        // took (the worker lost its core midway): the worker had no core to itself
        if (fixed) missed(job.callerParts > 1 || waited > own);
        job.rethrow();
    }

    /** Counts a hot caller's split job; lets the workers go when they miss too many parts. */
    private static void missed(boolean takenBack) {
        Hot h = HOT_CALLER.get();
        if (!h.on) return;
        h.jobs++;
        if (takenBack) h.takenBack++;
        if (h.jobs >= PROBE_JOBS && h.takenBack >= MISSED_SHARE * h.jobs) {
            h.on = false; // the rest of the body runs its small kernels on this thread
            hot = false; // and the workers park again
        }
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
        final boolean fixed;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();

        /** Parts the caller computed (its own and any it took back); written by the caller only. */
        int callerParts;

        /** Fixed jobs: bit p set once part p is taken. */
        final AtomicInteger taken = new AtomicInteger();

        volatile Throwable failure;

        Job(int parts, IntConsumer body, Thread caller, boolean fixed) {
            this.parts = parts;
            this.body = body;
            this.caller = caller;
            this.fixed = fixed;
        }

        /** Whether a part is still to be taken. */
        boolean open() {
            return fixed ? taken.get() != (1 << parts) - 1 : next.get() < parts;
        }

        /** The next part for thread {@code self} (0: the caller), or −1 when none is left. */
        private int claim(int self) {
            if (!fixed) {
                int p = next.getAndIncrement();
                return p < parts ? p : -1;
            }
            for (int q = 0; q < parts; q++) {
                int p = (self + q) % parts, bit = 1 << p;
                for (int m; ((m = taken.get()) & bit) == 0; ) {
                    if (taken.compareAndSet(m, m | bit)) return p;
                }
            }
            return -1;
        }

        /** Takes parts until none is left; thread {@code self} starts at part self (fixed jobs). */
        void work(int self) {
            boolean[] flag = INSIDE.get();
            boolean was = flag[0];
            flag[0] = true;
            try {
                for (int p; (p = claim(self)) >= 0; ) {
                    if (self == 0) callerParts++;
                    try {
                        if (failure == null) body.accept(p);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    if (done.incrementAndGet() == parts && Thread.currentThread() != caller)
                        LockSupport.unpark(caller);
                }
            } finally {
                flag[0] = was;
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
                int self = i + 1;
                Thread t = new Thread(() -> loop(self), "arm-kernels-" + self);
                t.setDaemon(true);
                WORKERS[i] = t;
                t.start();
            }
        }

        static void wake() {
            for (Thread t : WORKERS) LockSupport.unpark(t);
        }

        /**
         * Waits for a job with parts left, helps with it, and waits again; never parks while a
         * caller holds the workers {@link #hot}.
         */
        private static void loop(int self) {
            Job last = null;
            long idleSince = System.nanoTime();
            while (true) {
                Job job = SLOT.get();
                if (job != null && job != last && job.open()) {
                    job.work(self);
                    last = job;
                    idleSince = System.nanoTime();
                } else if (hot || System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(Pool.class);
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
