package arm.run;

import arm.data.ContinualData;
import arm.data.SyntheticData;
import arm.method.Method;
import arm.method.Methods;
import arm.method.Stepper;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Trains a throw-away copy of a run on random MNIST-shaped data in a daemon thread at start, so
 * that the JIT has profiled and compiled the kernels (the Vector API GEMMs box every vector until
 * C2 has compiled them) by the time the real runs reach them. It starts before the command reads
 * its data and ends after a fixed number of iterations or when {@link #stop} is called, whichever
 * comes first.
 *
 * <p>Off unless {@code -Darm.warmup=N} asks for N iterations (40: the first task, 4 batches, and 36
 * recall iterations; {@code -Darm.warmup=false} or 0 is off). On the shared 2-core VM it made the
 * run's own time 16% shorter but the whole process no shorter and its CPU time 4% longer at load
 * 14-21; started with the JVM ({@link #startEarly}) at load 6-8, t = 100 came at 3.6 s instead of
 * 5.0 s but the process took ~2 s more CPU and no less wall time: the JIT already keeps the second
 * core busy (~10 s of compiler time per run), so the thread's own interpreted iterations and the
 * compilations it moves earlier compete with it (docs/BENCHMARKS.md, "Start-up before the first
 * iteration, and the end").
 *
 * <p>The runs never depend on it: it has its own model, data and random streams, a {@link Method}
 * holds only hyperparameters, the kernels are stateless and the per-thread pools are its own
 * (WarmupTest: the same bits with and without).
 */
public final class Warmup implements AutoCloseable {
    /** Iterations of the throw-away run: its first task (4 batches) and recall iterations after. */
    static final int ITERATIONS = Integer.getInteger("arm.warmup", 0);

    private final Thread thread;
    private volatile boolean stop;

    private Warmup(Method method, int iterations) {
        thread = iterations <= 0 ? null : new Thread(() -> train(method, iterations), "arm-warmup");
        if (thread != null) {
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            thread.start();
        }
    }

    /** Whether this JVM has warmed up already: the compiled code stays for the JVM's life. */
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /**
     * Starts warming up {@code method}'s MNIST-shaped iteration ({@link #ITERATIONS} of them), once
     * per JVM.
     */
    public static Warmup mnist(Method method) {
        return new Warmup(method, STARTED.getAndSet(true) ? 0 : ITERATIONS);
    }

    /** Starts {@code iterations} of the warm-up whether or not this JVM has had one (tests). */
    static Warmup start(Method method, int iterations) {
        return new Warmup(method, iterations);
    }

    /** The warm-up {@link #startEarly} started, or null. */
    private static volatile Warmup early;

    /**
     * Starts ARM's warm-up (its published hyperparameters) at the JVM's start, before the command
     * line is parsed and the data read, so that it overlaps them: {@code train} commands with
     * {@code -Darm.warmup=N}, N &gt; 0, on two or more cores (on one it could only delay the run).
     * The command stops it ({@link #stopEarly}) when it turns out to be no single MNIST run on the
     * CPU.
     */
    public static void startEarly() {
        if (ITERATIONS <= 0 || Runtime.getRuntime().availableProcessors() < 2) return;
        if (STARTED.getAndSet(true)) return;
        early = new Warmup(Methods.create("ARM", Map.of()), ITERATIONS);
    }

    /** Stops and waits for the warm-up {@link #startEarly} started, if any. */
    public static void stopEarly() {
        Warmup w = early;
        if (w != null) w.stop();
    }

    /** One that does nothing. */
    public static Warmup none() {
        return new Warmup(null, 0);
    }

    private void train(Method method, int iterations) {
        try {
            ContinualData data = SyntheticData.mnistShaped(1);
            Stepper s = Stepper.create(method.unwrap(), data, 1);
            for (int t = 0; t < iterations && !stop; t++) s.train(t);
        } catch (RuntimeException | Error e) {
            // a warm-up that fails changes nothing: the run compiles its kernels itself
        }
    }

    /** Ends the warm-up after its current iteration and waits for it. */
    public void stop() {
        stop = true;
        if (thread == null) return;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
