package arm.cli;

import arm.data.ContinualData;
import arm.io.Checkpoint;
import arm.io.CheckpointStore;
import arm.method.Method;
import arm.metrics.Metrics;
import arm.report.TrainLogFile;
import arm.run.Background;
import arm.run.Checkpointer;
import arm.run.EvalQueue;
import arm.run.NumericalException;
import arm.run.Recording;
import arm.run.RunResult;
import arm.run.RunState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every (method, run) pair of a command on a fixed pool of {@code threads} threads. Each run
 * is single-threaded and independent: it builds its own split from seed0 + run (so every method
 * sees the same data for the same run index; or, for a method given its own first seed, from that
 * seed + run, e.g. the authors' run ids), trains, and hands its record to {@link Results}, which
 * writes it out at once. A failing run is recorded and the others go on.
 */
final class Experiment {

    private final DatasetProvider.Source source;
    private final List<Method> methods;
    private final int runs;
    private final long seed0;

    /** Methods whose runs use their own seeds (the authors' run ids): name → first seed. */
    private final Map<String, Long> firstSeeds;

    private final int threads;
    private final CheckpointStore store;
    private final boolean resume;

    /** What each run records (figures); the gradient study only in run 0 of each method. */
    private Recording recording = Recording.NONE;

    /** K of the training log (--log-every): a row every K iterations; 0 = no log. */
    private int logEvery;

    /**
     * @param store where runs keep their checkpoints
     * @param resume continue every run from its checkpoint, if it has one
     */
    Experiment(
            DatasetProvider.Source source,
            List<Method> methods,
            int runs,
            long seed0,
            int threads,
            CheckpointStore store,
            boolean resume) {
        this(source, methods, runs, seed0, Map.of(), threads, store, resume);
    }

    /**
     * @param firstSeeds methods whose run r uses seed first + r instead of seed0 + r
     */
    Experiment(
            DatasetProvider.Source source,
            List<Method> methods,
            int runs,
            long seed0,
            Map<String, Long> firstSeeds,
            int threads,
            CheckpointStore store,
            boolean resume) {
        this.source = source;
        this.methods = methods;
        this.runs = runs;
        this.seed0 = seed0;
        this.firstSeeds = Map.copyOf(firstSeeds);
        this.threads = threads;
        this.store = store;
        this.resume = resume;
    }

    /** Records recall data in every run, and the gradient study with that many samples in run 0. */
    Experiment recording(Recording r) {
        this.recording = r;
        return this;
    }

    /** Writes each run's train-log.csv with a row every {@code k} iterations (0: none). */
    Experiment logEvery(int k) {
        this.logEvery = k;
        return this;
    }

    /** Training iterations over all runs (for the progress bar). */
    long totalIterations() {
        ContinualData probe = data(seed0, false);
        return (long) probe.numBatches() * runs * methods.size();
    }

    ContinualData data(long seed, boolean stationary) {
        return source.data(seed, stationary);
    }

    /** Run r's seed for method m: seed0 + r, or from the method's own first seed. */
    long seed(Method m, int run) {
        return firstSeeds.getOrDefault(m.name(), seed0) + run;
    }

    /**
     * Method m's data for seed: our split, or the authors' for their run id (option rng = authors).
     */
    ContinualData data(Method m, long seed) {
        Map<String, String> o = m.options();
        if (!"authors".equals(o.get("rng"))) return source.data(seed, m.stationary());
        return source.authors(
                seed, m.stationary(), Integer.parseInt(o.getOrDefault("mlp_hidden", "400")));
    }

    /**
     * Runs everything; returns when all runs have finished or failed. When resuming, the runs whose
     * checkpoint says they finished are collected first, so that results.json, rewritten only from
     * then on, never lists fewer finished runs than before.
     */
    void run(Results results, Progress progress) throws InterruptedException {
        store.warnings(progress::message);
        List<Runnable> rest = new ArrayList<>();
        for (Method m : methods)
            for (int r = 0; r < runs; r++) {
                int run = r;
                if (resume && finished(m, r)) runOne(m, run, results, progress);
                else rest.add(() -> runOne(m, run, results, progress));
            }
        results.startWriting();
        runAll(rest);
    }

    private boolean finished(Method m, int run) {
        try {
            ContinualData d = data(m, seed(m, run));
            RunState s = store.load(identity(m, run, seed(m, run), d));
            return s != null && s.complete();
        } catch (IOException | RuntimeException e) {
            return false; // runOne meets the same problem and records it
        }
    }

    private void runAll(List<Runnable> tasks) throws InterruptedException {
        ExecutorService pool = Background.pool("arm-run-", threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable task : tasks) futures.add(pool.submit(task));
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(
                            "unexpected failure outside a run", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs going on now: evaluation runs beside a run's training while a core is free ({@link
     * EvalQueue}).
     */
    private final AtomicInteger active = new AtomicInteger();

    private void runOne(Method m, int run, Results results, Progress progress) {
        long seed = seed(m, run);
        long start = System.nanoTime();
        EvalQueue.runsInParallel(active.incrementAndGet());
        TrainLogFile log =
                new TrainLogFile(
                        TrainLogFile.of(results.dir(), m.name(), run),
                        logEvery,
                        w -> progress.message("arm: warning: " + w));
        try {
            ContinualData d = data(m, seed);
            Checkpointer ck = store.forRun(identity(m, run, seed, d), resume);
            Recording what = run == 0 ? recording : new Recording(recording.recall(), 0);
            RunResult res;
            try {
                res = m.run(d, seed, (t, maxT) -> progress.step(), what, ck, log);
            } finally {
                log.close();
            }
            // a resumed run's training time spans every process that ran it; its wall time is at
            // least that (evaluation is not added: it may have run beside the training,
            // EvalQueue). The gradient study after training is an analysis, timed apart.
            double wall =
                    Math.max(
                            (System.nanoTime() - start) / 1e9 - res.studySeconds(),
                            res.trainSeconds());
            // forgetting's "best" from task-boundary evaluations only, so a finer eval_every (for
            // the per-task curves) leaves the reported numbers as the paper's protocol computes
            // them
            int T = d.batchesPerTask();
            Metrics test =
                    Metrics.of(
                            res.evals(),
                            Metrics.Split.TEST,
                            d.numClasses(),
                            d.classesPerTask(),
                            m.stationary(),
                            T);
            Metrics val =
                    Metrics.of(
                            res.evals(),
                            Metrics.Split.VAL,
                            d.numClasses(),
                            d.classesPerTask(),
                            m.stationary(),
                            T);
            RunRecord rec =
                    new RunRecord(m.name(), run, seed, m.stationary(), wall, res, test, val);
            if (!results.add(rec)) return;
            progress.message(
                    String.format(
                            "%-10s run %d (seed %d): test accuracy %.2f%%%s, %.1f s",
                            m.name(),
                            run,
                            seed,
                            100 * test.finalAccuracy(),
                            m.stationary()
                                    ? ""
                                    : String.format(
                                            ", forgetting %.2f%%", 100 * test.finalForgetting()),
                            wall));
        } catch (RuntimeException | Error e) {
            // our own errors say everything in one line; anything else gets its type and a stack
            // trace
            boolean known = e instanceof UncheckedIOException || e instanceof NumericalException;
            String msg =
                    known ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            results.fail(new Results.Failure(m.name(), run, seed, msg));
            progress.message(
                    String.format("%-10s run %d (seed %d) FAILED: %s", m.name(), run, seed, msg));
            if (!known) progress.trace(e);
        } finally {
            EvalQueue.runsInParallel(active.decrementAndGet());
        }
    }

    /** Which run a checkpoint belongs to. */
    Checkpoint.Identity identity(Method m, int run, long seed, ContinualData d) {
        return new Checkpoint.Identity(
                m.name(),
                run,
                seed,
                m.options(),
                d.numBatches(),
                d.numClasses(),
                Checkpoint.fingerprint(d));
    }
}
