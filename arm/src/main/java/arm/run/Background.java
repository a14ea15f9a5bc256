package arm.run;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pieces of the background threads (the evaluation queue, the checkpoint and results writers,
 * the run threads, the report's drawing threads): one daemon thread that runs its tasks in
 * submission order, a pool of daemon threads, and a wait for a task that an interrupt does not cut
 * short (a file must be on disk before the caller goes on; the interrupt is kept for the caller to
 * see).
 */
public final class Background {
    private Background() {}

    /** One daemon thread named {@code name}; its tasks run in the order they were submitted. */
    public static ExecutorService thread(String name) {
        return Executors.newSingleThreadExecutor(
                r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * {@code threads} daemon threads named {@code prefix} + 0, 1, ...: a pool whose threads never
     * keep the JVM alive (the run threads, the report's drawing threads).
     */
    public static ExecutorService pool(String prefix, int threads) {
        AtomicInteger id = new AtomicInteger();
        return Executors.newFixedThreadPool(
                threads,
                r -> {
                    Thread t = new Thread(r, prefix + id.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Waits until {@code f} (null: nothing) has run, through interrupts, which are kept; a task
     * that failed records its own failure, so its exception is not rethrown here.
     */
    public static void await(Future<?> f) {
        if (f == null) return;
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
