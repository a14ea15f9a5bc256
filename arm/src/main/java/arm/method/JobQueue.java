package arm.method;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Jobs that one thread posts while another runs them in the order posted ({@link #drain}). The
 * poster may drain too once it has posted the last ({@link #end}): the two threads then take the
 * jobs still queued one at a time, so the last ones run on both cores instead of one. A taker spins
 * briefly before it blocks, like the partner.
 */
final class JobQueue {
    private static final Runnable END = () -> {};

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();

    void post(Runnable job) {
        queue.add(job);
    }

    /** Marks the last job: {@link #drain} returns once it has run the jobs before. */
    void end() {
        queue.add(END);
    }

    /**
     * Runs jobs until {@link #end}; after a job fails the rest this thread takes are skipped and
     * the failure is thrown at the end. Any number of threads may drain at once: each job runs
     * once.
     */
    void drain() {
        RuntimeException failed = null;
        for (Runnable job = take(); job != END; job = take()) {
            if (failed != null) continue;
            try {
                job.run();
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        if (failed != null) throw failed;
    }

    private Runnable take() {
        Runnable job = poll();
        if (job == END) queue.add(END); // every other taker stops at it too
        return job;
    }

    private Runnable poll() {
        long spinUntil = System.nanoTime() + Pair.SPIN_NANOS;
        Runnable job;
        while ((job = queue.poll()) == null) {
            if (System.nanoTime() < spinUntil) Thread.onSpinWait();
            else {
                try {
                    job = queue.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a job", e);
                }
                if (job != null) return job;
            }
        }
        return job;
    }
}
