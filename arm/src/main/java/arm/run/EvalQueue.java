package arm.run;

import arm.data.ContinualData;
import arm.kernels.cpu.CpuThreads;
import arm.method.ContinualMethod;
import arm.metrics.EvalPoint;
import arm.metrics.SharedEvaluation;
import arm.nn.Module;
import arm.tensor.Device;
import arm.tensor.HostPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The evaluations of one run, in the order they were asked for. Every mode gives the same points
 * (EvalQueueTest); they differ in when and where the work runs:
 *
 * <ul>
 *   <li>{@code now}: f_cur is evaluated at iteration t. Device runs (a copy would hold device
 *       memory).
 *   <li>{@code defer}: f_cur is deep-copied at t (~2 MB for the MLP) and the copy is evaluated when
 *       the run next needs its points (a checkpoint, the end). The first evaluations of a fresh JVM
 *       would run before the JIT has compiled the kernels: MNIST's evaluation at t = 0 took ~0.8 s
 *       against ~0.23 s once compiled. CPU runs when every core already trains a run.
 *   <li>{@code background}: the copy is evaluated on a thread of its own while training goes on
 *       (MNIST: six evaluations of val + test, 78,018 images forward, 1.5–2.5 s, overlap the
 *       training instead of adding to it). CPU runs when a core is free: fewer runs going on in the
 *       process ({@link #runsInParallel}) than cores. For image data its kernels run serially on
 *       its own thread, which holds its core meanwhile ({@link CpuThreads#lend}: the training step
 *       runs serially on the other cores instead of sharing this one; {@code
 *       -Darm.eval.kernels=serial|split} forces either way).
 * </ul>
 *
 * <p>In background mode the run's thread, once it waits for an evaluation (the last one, after the
 * last step; a checkpoint's), helps with it: the evaluation's batches are shared ({@link
 * SharedEvaluation}), both threads take batches until none is left, each with its kernels serial.
 * The points are the same (EvalQueueTest). {@code -Darm.eval.help=off} waits instead.
 *
 * <p>{@code -Darm.eval=now|defer|background} forces a mode (CPU runs).
 */
public final class EvalQueue implements AutoCloseable {
    enum Mode {
        NOW,
        DEFER,
        BACKGROUND
    }

    /** Runs training at this moment in the process (the command line counts them); at least 1. */
    private static final AtomicInteger RUNS = new AtomicInteger(1);

    /**
     * An evaluation asked for at iteration t, on a frozen copy of f_cur; bg: its background task.
     */
    private static final class Pending {
        final int t, lastTask;
        final Module frozen;
        final int[] seen;
        Future<Timed> bg; // background mode: set once handed to the thread
        volatile SharedEvaluation shared; // background mode: its batches, once they run

        Pending(int t, Module frozen, int[] seen, int lastTask) {
            this.t = t;
            this.frozen = frozen;
            this.seen = seen;
            this.lastTask = lastTask;
        }
    }

    /**
     * Background mode hands an evaluation to its thread this many iterations after it was asked
     * for: at t = 0 the JIT compiler is busy on the second core with the training kernels, and an
     * evaluation beside it delays them.
     */
    static final int START_LAG = 30;

    private record Timed(EvalPoint point, long ns) {}

    private final Mode mode;
    private final ContinualData data;
    private final boolean serialKernels; // background mode: see serialKernels(data)
    private final List<Pending> pending = new ArrayList<>();
    private ExecutorService thread; // background mode, created on first use
    private long ns;

    EvalQueue(Mode mode, ContinualData data) {
        this.mode = mode;
        this.data = data;
        this.serialKernels = serialKernels(data);
    }

    /** How many runs go on at once from now on (the command line's parallel runs). */
    public static void runsInParallel(int n) {
        RUNS.set(Math.max(1, n));
    }

    /**
     * The queue of a run on {@code data} and {@code device}: mode from the property or the free
     * cores.
     */
    public static EvalQueue of(ContinualData data, Device device) {
        if (device != Device.CPU) return new EvalQueue(Mode.NOW, data);
        String forced = System.getProperty("arm.eval");
        if (forced != null) return new EvalQueue(forced(forced), data);
        boolean freeCore = Runtime.getRuntime().availableProcessors() > RUNS.get();
        return new EvalQueue(freeCore ? Mode.BACKGROUND : Mode.DEFER, data);
    }

    private static Mode forced(String value) {
        for (Mode m : Mode.values()) if (m.name().equalsIgnoreCase(value.trim())) return m;
        throw new IllegalArgumentException(
                "-Darm.eval=" + value + ": expected now, defer or background");
    }

    /** Evaluates f_cur as it is at iteration t: now (its point goes to {@code into}) or later. */
    public void submit(Module fCur, int t, int[] seen, int lastTask, List<EvalPoint> into) {
        if (mode == Mode.NOW) {
            Timed r = timed(fCur, t, seen, lastTask);
            into.add(r.point());
            ns += r.ns();
            return;
        }
        pending.add(new Pending(t, fCur.copy(), seen.clone(), lastTask));
    }

    /** Called at every iteration t: background mode starts the evaluations that are due. */
    public void tick(int t) {
        if (mode != Mode.BACKGROUND) return;
        for (Pending p : pending) if (p.bg == null && p.t + START_LAG <= t) start(p);
    }

    private void start(Pending p) {
        if (thread == null) thread = Background.thread("arm-eval");
        p.bg = thread.submit(() -> timed(p));
    }

    /** Finishes everything still pending and appends the points to {@code into}, in order. */
    public void drainInto(List<EvalPoint> into) {
        drainBefore(Integer.MAX_VALUE, into);
    }

    /**
     * Like {@link #drainInto} for the evaluations asked for before iteration t only; one asked for
     * at t stays pending. A checkpoint taken at t uses this, so that a run resumed from it asks for
     * t's evaluation again (same weights, same point).
     */
    public void drainBefore(int t, List<EvalPoint> into) {
        if (mode == Mode.BACKGROUND)
            for (Pending p : pending) if (p.bg == null && p.t < t) start(p);
        while (!pending.isEmpty() && pending.get(0).t < t) {
            Pending p = pending.remove(0);
            if (p.bg != null && HELP && CpuThreads.threads() > 1) help(p);
            Timed r = p.bg != null ? join(p.bg) : timed(p.frozen, p.t, p.seen, p.lastTask);
            into.add(r.point());
            ns += r.ns();
        }
    }

    /** Whether the waiting run's thread helps with a background evaluation. */
    private static final boolean HELP = !"off".equals(System.getProperty("arm.eval.help"));

    /**
     * The run's thread, waiting for p: takes batches of p beside the evaluation thread until none
     * is left (p's batches are published when they start; until then it waits briefly).
     */
    private static void help(Pending p) {
        while (!p.bg.isDone()) {
            SharedEvaluation s = p.shared;
            if (s != null) {
                if (s.help() > 0) HostPool.clear(); // its batches' arrays, as evaluate() does
                return;
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /**
     * Whether a background evaluation's kernels run serially on its own thread: {@code
     * -Darm.eval.kernels=serial|split}, read when the queue is made; by default serial for image
     * data (the ResNet runs) and split over the kernel workers for flat items (the MLP's, not
     * measured serially). Beside a ResNet run's training, whose step keeps both cores busy with its
     * own threads (the run's thread, the kernel worker, the pair's partner), a split evaluation
     * kernel hands half its work to a worker that is busy or descheduled and waits for it; serial,
     * on a core it holds ({@link CpuThreads#lend}), each image costs the one-thread CPU time
     * (docs/BENCHMARKS.md, "Plain ResNet training and evaluation against the authors' code"). The
     * bits are the same either way (a kernel's parts are fixed by its shapes; EvalQueueTest).
     */
    static boolean serialKernels(ContinualData data) {
        String forced = System.getProperty("arm.eval.kernels");
        if (forced == null || forced.isBlank()) return data.train().itemShape().length >= 3;
        return switch (forced.trim()) {
            case "serial" -> true;
            case "split" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "-Darm.eval.kernels=" + forced + ": expected serial or split");
        };
    }

    /** A background evaluation: its batches shared, for the run's thread to help with. */
    private Timed timed(Pending p) {
        long s0 = System.nanoTime();
        EvalPoint[] point = new EvalPoint[1];
        Runnable body =
                () ->
                        point[0] =
                                ContinualMethod.evaluate(
                                        p.frozen, data, p.t, p.seen, p.lastTask, s -> p.shared = s);
        if (serialKernels) CpuThreads.lend(body);
        else body.run();
        return new Timed(point[0], System.nanoTime() - s0);
    }

    private Timed timed(Module net, int t, int[] seen, int lastTask) {
        long s0 = System.nanoTime();
        EvalPoint p = ContinualMethod.evaluate(net, data, t, seen, lastTask);
        return new Timed(p, System.nanoTime() - s0);
    }

    private static Timed join(Future<Timed> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an evaluation", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Nanoseconds spent evaluating so far, summed over the evaluations (which may overlap
     * training).
     */
    public long nanos() {
        return ns;
    }

    @Override
    public void close() {
        if (thread != null) thread.shutdownNow();
    }
}
