package arm.kernels.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The kernels' fixed thread pool, opt-in: {@code -Darm.threads=N} (default 1, i.e. everything runs
 * on the caller). With N &gt; 1 a large kernel splits its work into N parts: the caller runs part 0
 * and N − 1 pool threads the rest. A fixed pool rather than the common ForkJoin pool, because on a
 * small shared machine a kernel must not grow more threads than asked for. Nested calls (a parallel
 * convolution calling a GEMM) run serially inside a worker part, so nothing waits on itself.
 */
public final class CpuThreads {
    private CpuThreads() {}

    private static final int THREADS = Math.max(1, Integer.getInteger("arm.threads", 1));
    private static final ExecutorService POOL =
            THREADS > 1
                    ? Executors.newFixedThreadPool(
                            THREADS - 1,
                            r -> {
                                Thread t = new Thread(r, "arm-kernels");
                                t.setDaemon(true);
                                return t;
                            })
                    : null;
    private static final ThreadLocal<boolean[]> INSIDE =
            ThreadLocal.withInitial(() -> new boolean[1]);

    /** Threads a kernel may use (the caller included). */
    public static int threads() {
        return THREADS;
    }

    /** How many parts to cut work into: 1 inside a part already or when the pool is off. */
    public static int parts(int maxUseful) {
        return INSIDE.get()[0] ? 1 : Math.max(1, Math.min(THREADS, maxUseful));
    }

    /**
     * Runs body(0 … parts−1), part 0 on the caller, and returns when all are done. Without a pool
     * (or inside a part) the parts run one after another on the caller, which tests use to check a
     * kernel's splitting on one thread.
     */
    public static void run(int parts, IntConsumer body) {
        if (parts <= 1 || POOL == null || INSIDE.get()[0]) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            futures[i - 1] = POOL.submit(() -> inside(body, part));
        }
        inside(body, 0);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a kernel part", e);
            }
        }
    }

    private static void inside(IntConsumer body, int part) {
        boolean[] flag = INSIDE.get();
        boolean was = flag[0];
        flag[0] = true;
        try {
            body.accept(part);
        } finally {
            flag[0] = was;
        }
    }
}
