package arm.metrics;

import arm.data.Dataset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One evaluation's batches (each dataset's, in order, cut as {@link Evaluator#evaluateRows} cuts
 * them) claimed one at a time by the thread that owns the evaluation and by any thread that {@link
 * #help helps}: at a run's end the training thread, idle until the last evaluation is done, takes
 * half of it instead of waiting, with both threads' kernels serial (two threads already fill two
 * cores).
 *
 * <p>Each batch's predictions go to their items' slots and the accuracies are counted from them
 * afterwards in item order, so the result is {@link Evaluator#evaluateRows}'s, whichever thread
 * computed which batch (SharedEvaluationTest): a batch's logits do not depend on the thread or the
 * kernel thread count, and counts are integers.
 */
public final class SharedEvaluation {
    /** Runs one batch, serially (as inside a kernel part) when {@code serial}. */
    public interface Runner {
        void run(boolean serial, Runnable batch);
    }

    private final Dataset[] sets;
    private final int numClasses;
    private final int[] setOf, startOf, sizeOf;
    private final int[][] predicted;
    private final Supplier<Evaluator.RowLogits> models;
    private final Runner runner;
    private final AtomicInteger next = new AtomicInteger(), helpers = new AtomicInteger();
    private int done; // guarded by this
    private Throwable failure; // guarded by this

    /**
     * @param models a fresh model per thread (one may keep per-thread arrays, as MlpEval does)
     * @param batchSizes per dataset
     */
    public SharedEvaluation(
            Supplier<Evaluator.RowLogits> models,
            int numClasses,
            Runner runner,
            Dataset[] sets,
            int[] batchSizes) {
        this.sets = sets.clone();
        this.numClasses = numClasses;
        this.models = models;
        this.runner = runner;
        int total = 0;
        for (int s = 0; s < sets.length; s++) {
            if (batchSizes[s] <= 0)
                throw new IllegalArgumentException("batch size " + batchSizes[s]);
            total += (sets[s].size() + batchSizes[s] - 1) / batchSizes[s];
        }
        setOf = new int[total];
        startOf = new int[total];
        sizeOf = new int[total];
        predicted = new int[sets.length][];
        for (int s = 0, k = 0; s < sets.length; s++) {
            int n = sets[s].size();
            predicted[s] = new int[n];
            for (int start = 0; start < n; start += batchSizes[s], k++) {
                setOf[k] = s;
                startOf[k] = start;
                sizeOf[k] = Math.min(batchSizes[s], n - start);
            }
        }
    }

    /** The owner: computes batches until none is left, waits for the helpers', then counts. */
    public Evaluator.Accuracy[] run() {
        work(models.get(), false);
        synchronized (this) {
            while (done < setOf.length && failure == null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while evaluating", e);
                }
            }
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error err) throw err;
            if (failure != null) throw new IllegalStateException(failure);
        }
        Evaluator.Accuracy[] out = new Evaluator.Accuracy[sets.length];
        for (int s = 0; s < sets.length; s++)
            out[s] = Evaluator.accuracy(sets[s], predicted[s], numClasses);
        return out;
    }

    /**
     * Another thread's share: computes batches (its kernels serial) until none is left; from now on
     * the owner's batches run serially too. Returns how many batches this thread computed.
     */
    public int help() {
        if (next.get() >= setOf.length) return 0;
        helpers.incrementAndGet();
        return work(models.get(), true);
    }

    /** Batches not yet claimed. */
    public int left() {
        return Math.max(0, setOf.length - next.get());
    }

    private int work(Evaluator.RowLogits model, boolean helper) {
        int mine = 0;
        for (int k; (k = next.getAndIncrement()) < setOf.length; mine++) {
            final int batch = k;
            try {
                runner.run(helper || helpers.get() > 0, () -> predict(model, batch));
            } catch (Throwable e) {
                synchronized (this) {
                    if (failure == null) failure = e;
                    notifyAll();
                }
                if (!helper) break; // the owner reports it from run()
                return mine;
            }
            synchronized (this) {
                if (++done == setOf.length) notifyAll();
            }
        }
        return mine;
    }

    private void predict(Evaluator.RowLogits model, int k) {
        Dataset d = sets[setOf[k]];
        int start = startOf[k], b = sizeOf[k];
        float[] z = model.logits(d, start, b);
        int[] out = predicted[setOf[k]];
        for (int i = 0; i < b; i++)
            out[start + i] = Evaluator.argmax(z, i * numClasses, numClasses);
    }
}
