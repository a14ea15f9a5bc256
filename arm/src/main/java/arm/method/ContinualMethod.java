package arm.method;

import arm.analysis.GradientStudy;
import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.data.Dataset;
import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.fast.PacksAhead;
import arm.metrics.EvalPoint;
import arm.metrics.Evaluator;
import arm.metrics.SharedEvaluation;
import arm.nn.Mlp;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.Checkpointer;
import arm.run.EvalQueue;
import arm.run.Guard;
import arm.run.LossLog;
import arm.run.NumericalException;
import arm.run.Options;
import arm.run.ProgressListener;
import arm.run.Recording;
import arm.run.RunResult;
import arm.run.RunState;
import arm.run.TrainLog;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.HostPool;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The loop every method shares (ALGORITHM.md §1.3–1.4, §6.1): one pass over the stream in batches
 * of N; at t = 0, T, 2T, … and at max_t, evaluate f_cur (eval mode, no graph) on val and test; at
 * max_t stop; otherwise put f_cur in train mode and let the method's {@link Learner} train on batch
 * t.
 *
 * <p>One run seed feeds a root {@link SplittableRandom}: its first split initialises the weights,
 * its second gives the method's own draws (lag, recall indices, noise, ADI classes) their base
 * seeds; each iteration draws from streams derived from that base and t ({@link arm.run.Draws}).
 * Option {@code rng = authors} replaces the first by PyTorch's generator seeded with the seed (the
 * authors' run id) and ARM's / ADI's index draws by numpy's from seed 0, as in the authors' code
 * ({@link arm.replica.NumpyDraws}); the data must then come from {@link
 * arm.data.Mnist5k#buildAuthors}.
 *
 * <p>Checkpoints ({@link Checkpointer}): at the top of iteration t, after any evaluation, the run's
 * {@link RunState} is saved when the checkpointer says so, and once more when the run ends; a run
 * given a saved state continues from it and ends bit-identical to one that never stopped.
 *
 * <p>Option {@code device}: the model is built on the CPU (seeded init) and moved there; each batch
 * is uploaded; each iteration and each evaluation batch runs in a {@link Scope} that frees its
 * device tensors (parameters, buffers and f_old are allocated outside and stay).
 */
public abstract class ContinualMethod implements Method {
    private final String name;
    final Options opts;
    final float lr;
    private final int evalEvery;
    private final String model;
    private final int hidden, nf;
    final Device device;

    /**
     * Option rng = authors: the authors' own generators ({@link Models#createAuthors}, numpy
     * draws).
     */
    final boolean authorsRng;

    ContinualMethod(String name, Map<String, String> defaults, Map<String, String> overrides) {
        this.name = name;
        this.opts = new Options(name, defaults, overrides);
        this.lr = opts.nonNegative("lr");
        this.evalEvery = opts.positiveOrTask("eval_every");
        this.model = opts.choice("model", "auto", "mlp", "resnet18");
        this.hidden = opts.positiveInt("mlp_hidden");
        this.nf = opts.positiveInt("resnet_nf");
        this.device = Device.valueOf(opts.choice("device", "cpu", "cuda").toUpperCase());
        this.authorsRng = opts.choice("rng", "ours", "authors").equals("authors");
        if (device != Device.CPU) {
            try {
                Backends.get(device);
            } catch (IllegalStateException e) { // no driver, no GPU: the provider's one line
                throw new IllegalArgumentException(
                        name + " option device=" + opts.raw("device") + ": " + e.getMessage(), e);
            }
        }
    }

    /** One batch as a learner sees it. */
    record Batch(int t, Tensor x, int[] y, int[] present, boolean[] seenBefore) {}

    /**
     * The per-run training state of a method: trains f_cur on one batch. A learner that keeps state
     * across iterations (f_old, a lag schedule, a buffer, histories) exposes it for checkpoints;
     * whatever it does not expose must be rebuilt identically from the seed, or resume is not
     * exact.
     */
    interface Learner {
        void train(Batch b);

        /**
         * The learner's tensors, live: a checkpoint reads them, a resume copies saved values in.
         */
        default Map<String, Tensor> stateTensors() {
            return Map.of();
        }

        /** The learner's small state as named integer arrays. */
        default Map<String, long[]> stateValues() {
            return Map.of();
        }

        /**
         * Restores what {@link #stateValues} returned. Called first; afterwards every tensor {@link
         * #stateTensors} then returns is overwritten in place with the saved one of the same name,
         * so a learner whose state tensors depend on its values (a recorder's kept images) rebuilds
         * them here from {@code tensors}, the checkpoint's.
         */
        default void restoreState(Map<String, long[]> values, Map<String, Tensor> tensors) {}
    }

    /** A learner for one run; f_cur is fresh, opt is SGD over it with lr η0. */
    abstract Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng);

    @Override
    public String name() {
        return name;
    }

    @Override
    public Map<String, String> options() {
        return opts.resolved();
    }

    /**
     * Builds one run: f_cur from the root stream's first split (or, with rng = authors, from
     * PyTorch's generator seeded with the seed as run id), the learner from the root's second
     * split.
     */
    Stepper start(ContinualData data, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom init =
                root.split(); // split in both modes: the learner's stream stays the same
        Module fCur = model(data, init, seed).to(device);
        Sgd opt = new Sgd(fCur.parameters(), lr);
        return new Stepper(data, fCur, opt, device, learner(fCur, opt, data, root.split()));
    }

    /**
     * f_cur before it is moved to the device: the dataset's network ({@link Models}) from {@code
     * init}, or with rng = authors from PyTorch's generator seeded with the run id. A method that
     * trains another network overrides this.
     */
    Module model(ContinualData data, SplittableRandom init, long seed) {
        return authorsRng
                ? Models.createAuthors(model, hidden, data, seed)
                : Models.create(model, hidden, nf, data, init);
    }

    @Override
    public RunResult run(ContinualData data, long seed, ProgressListener progress) {
        return run(data, seed, progress, Recording.NONE, Checkpointer.NONE);
    }

    @Override
    public RunResult run(
            ContinualData data, long seed, ProgressListener progress, Recording recording) {
        return run(data, seed, progress, recording, Checkpointer.NONE);
    }

    /**
     * The loop. Evaluations happen at every task boundary (t = 0, T, 2T, …, max_t, the paper's
     * protocol, which the reported metrics use) and, when eval_every is finer, also every
     * eval_every iterations (for curves).
     */
    @Override
    public RunResult run(
            ContinualData data,
            long seed,
            ProgressListener progress,
            Recording recording,
            Checkpointer ck) {
        return run(data, seed, progress, recording, ck, TrainLog.NONE);
    }

    /**
     * The loop, also writing the training log: a row after every iteration t with t mod K = 0
     * ({@link TrainLog#every}), flushed before every checkpoint; on resume the rows from the
     * checkpoint's t on are dropped first, so the log continues without a gap or a repeat.
     */
    @Override
    public RunResult run(
            ContinualData data,
            long seed,
            ProgressListener progress,
            Recording recording,
            Checkpointer ck,
            TrainLog log) {
        Stepper run = start(data, seed);
        RunRecorders rec = RunRecorders.attach(run, data, recording);
        Module fCur = run.model();
        int maxT = data.numBatches(),
                T = data.batchesPerTask(),
                every = evalEvery > 0 ? evalEvery : T;
        List<EvalPoint> evals = new ArrayList<>();
        long trainNs = 0, evalNs = 0;
        int t0 = 0;
        RunState saved = ck.restore();
        if (saved != null) {
            if (saved.t() > maxT)
                throw new IllegalArgumentException(
                        "checkpoint at t = " + saved.t() + " is past max_t = " + maxT);
            run.restore(saved);
            evals.addAll(saved.evals());
            trainNs = Math.round(saved.trainSeconds() * 1e9);
            evalNs = Math.round(saved.evalSeconds() * 1e9);
            t0 = saved.t();
            for (int t = 0; t < t0; t++) progress.iterationDone(t, maxT);
            if (saved.complete()) return finish(rec, seed, evals, trainNs, evalNs);
        }
        log.restart(t0);
        int logEvery = log.every();
        LossLog losses = logEvery > 0 ? new LossLog() : null;
        try (EvalQueue queue = EvalQueue.of(data, device)) {
            int lastEval =
                    evals.isEmpty() ? -1 : evals.get(evals.size() - 1).t(); // restored with it
            for (int t = t0; ; t++) {
                if ((t % every == 0 || t % T == 0 || t == maxT) && t != lastEval) {
                    queue.submit(fCur, t, run.seenClasses(), run.lastTask(), evals);
                    lastEval = t;
                }
                queue.tick(t);
                if (t == maxT) break;
                if (t > t0 && ck.due(t, t % data.batchesPerTask() == 0)) {
                    queue.drainBefore(t, evals);
                    log.flush();
                    ck.save(
                            run.snapshot(
                                    t,
                                    false,
                                    evals,
                                    trainNs * 1e-9,
                                    (evalNs + queue.nanos()) * 1e-9));
                }
                long s0 = System.nanoTime();
                boolean logged = losses != null && t % logEvery == 0;
                try {
                    run.train(t, logged ? losses : null);
                } catch (NumericalException e) {
                    throw e.at(name, t);
                }
                trainNs += System.nanoTime() - s0;
                if (logged) log.row(t, run.lastTask(), run.lr(), trainNs * 1e-9, losses.values());
                progress.iterationDone(t, maxT);
            }
            queue.drainInto(evals);
            evalNs += queue.nanos();
        } finally {
            HostPool.clear(); // the refinement steps' recycled arrays are this run's alone
            Pair.clearPartnerPool();
        }
        log.flush();
        if (ck != Checkpointer.NONE)
            ck.save(run.snapshot(maxT, true, evals, trainNs * 1e-9, evalNs * 1e-9));
        return finish(rec, seed, evals, trainNs, evalNs);
    }

    /** The result, with the gradient study (when recorded) run now and timed apart. */
    private static RunResult finish(
            RunRecorders rec, long seed, List<EvalPoint> evals, long trainNs, long evalNs) {
        long s0 = System.nanoTime();
        GradientStudy.Result study = rec.gradients(seed);
        HostPool.clear(); // the study recalls through recycling steps too
        Pair.clearPartnerPool();
        return new RunResult(
                evals,
                trainNs * 1e-9,
                evalNs * 1e-9,
                rec.recall(),
                study,
                (System.nanoTime() - s0) * 1e-9,
                rec.generated());
    }

    /**
     * Batch {@code index} of the stream as iteration t sees it, its images on {@code device}; seen
     * = labels of earlier batches.
     */
    static Batch batch(ContinualData data, int index, int t, boolean[] seen, Device device) {
        int[] idx = data.batch(index);
        int[] y = data.train().labels(idx);
        return new Batch(
                t, onDevice(data.train().batch(idx), device), y, distinct(y), seen.clone());
    }

    /** A host tensor as it is (CPU), or uploaded into the current scope. */
    static Tensor onDevice(Tensor host, Device device) {
        return device == Device.CPU ? host : Backends.get(device).upload(host.data(), host.shape);
    }

    /** Accuracy of f_cur (eval mode, no graph) on val and test, on the device f_cur lives on. */
    public static EvalPoint evaluate(
            Module fCur, ContinualData data, int t, int[] seen, int lastTask) {
        return evaluate(fCur, data, t, seen, lastTask, null);
    }

    /**
     * {@link #evaluate}, and with {@code shared} given (CPU), the batches as a {@link
     * SharedEvaluation} handed to it before they run, so that another thread can {@link
     * SharedEvaluation#help} (the same point, whoever computes which batch).
     */
    public static EvalPoint evaluate(
            Module fCur,
            ContinualData data,
            int t,
            int[] seen,
            int lastTask,
            Consumer<SharedEvaluation> shared) {
        Device device = fCur.device();
        fCur.eval();
        try (var ng = Autograd.noGrad()) {
            boolean cpu = device == Device.CPU;
            // one model per thread: MlpEval keeps arrays of its own
            Supplier<Evaluator.RowLogits> models =
                    () -> {
                        Evaluator.RowLogits m =
                                Evaluator.rows(x -> logits(fCur, x, device), data.numClasses());
                        // the MLP on the CPU without autograd: fused layers, W packed once, the
                        // same bits
                        return cpu && MlpEval.applies(fCur) ? new MlpEval((Mlp) fCur, m) : m;
                    };
            int valBatch = evalBatch(data.val(), device),
                    testBatch = evalBatch(data.test(), device);
            if (shared != null && cpu) {
                SharedEvaluation s =
                        new SharedEvaluation(
                                models,
                                data.numClasses(),
                                ContinualMethod::evalBatchOn,
                                new Dataset[] {data.val(), data.test()},
                                new int[] {valBatch, testBatch});
                shared.accept(s);
                Evaluator.Accuracy[] a = s.run();
                return Evaluator.point(t, seen, lastTask, a[0], a[1]);
            }
            Evaluator.RowLogits model = models.get();
            var val = Evaluator.evaluateRows(model, data.val(), data.numClasses(), valBatch);
            var test = Evaluator.evaluateRows(model, data.test(), data.numClasses(), testBatch);
            return Evaluator.point(t, seen, lastTask, val, test);
        } finally {
            fCur.train();
            // the batches' recycled arrays: a background evaluation's thread ends without clearing
            // its pool, which would keep their share of the pools' cap for the rest of the JVM
            if (device == Device.CPU) HostPool.clear();
        }
    }

    /**
     * One batch of a shared evaluation on the calling thread: without a graph (a helping thread may
     * be a training thread), its kernels serial when two threads share the batches.
     */
    private static void evalBatchOn(boolean serial, Runnable batch) {
        try (var ng = Autograd.noGrad()) {
            if (serial) CpuThreads.serially(batch);
            else batch.run();
        }
    }

    /**
     * Images per evaluation batch on the CPU: about 300,000 input values (100 CIFAR images, 14
     * MiniImageNet ones), so that a batch's activations stay in the caches and its recycled arrays
     * in the pool (at 1,000 CIFAR images each of layer1's maps is 82 MB, the JVM zeroes and
     * collects them, and the pass costs 1.6× the CPU time); flat items (the MLP's) keep {@link
     * Evaluator#BATCH}. Eval-mode logits do not depend on the batch, so neither do the results.
     */
    static int evalBatch(Dataset d, Device device) {
        if (device != Device.CPU || d.itemShape().length < 3) return Evaluator.BATCH;
        return Math.max(10, Math.min(Evaluator.BATCH, 307_200 / d.itemSize()));
    }

    /**
     * f_cur's logits for a host batch: on the CPU in a recycling scope (the activations go back to
     * the thread's pool), on a device in a scope of its own; the logits are copied out of either.
     */
    private static Tensor logits(Module fCur, Tensor x, Device device) {
        boolean cpu = device == Device.CPU;
        try (Scope s = cpu ? Scope.recycling() : Scope.open()) {
            Tensor z = fCur.forward(Var.constant(cpu ? x : onDevice(x, device))).value;
            return Tensor.of(z.toArray(), z.shape);
        }
    }

    /** P: the distinct labels, ascending. */
    static int[] distinct(int[] y) {
        return Arrays.stream(y).distinct().sorted().toArray();
    }

    public static int[] indices(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) if (b) n++;
        int[] out = new int[n];
        for (int i = 0, j = 0; i < mask.length; i++) if (mask[i]) out[j++] = i;
        return out;
    }

    /** The lag rule from the options lag, T, lag_min, lag_max. */
    Lag lag(ContinualData data, SplittableRandom rng) {
        int fixedT = opts.positiveOrTask("T");
        int min = opts.positiveInt("lag_min"), max = opts.positiveInt("lag_max");
        if (max < min) throw opts.bad("lag_max", "at least lag_min = " + min);
        Lag.Kind kind =
                Lag.Kind.valueOf(opts.choice("lag", "fixed", "unit", "random").toUpperCase());
        return new Lag(kind, fixedT > 0 ? fixedT : data.batchesPerTask(), min, max, rng);
    }

    int recallFromT(ContinualData data) {
        int r = opts.nonNegativeOrTask("recall_from_t");
        return r >= 0 ? r : data.batchesPerTask();
    }

    /**
     * Runs a training step in a recycling scope: its temporaries (activations, their gradients) go
     * back to the thread's pool for the next step instead of being zeroed by the JVM and collected,
     * a quarter of a ResNet18 step at N = 10; f_cur's parameter gradients, made there, outlive the
     * step (they are read until the next zeroing).
     */
    static void recycled(Module fCur, Runnable step) {
        try (Scope sc = Scope.recycling()) {
            step.run();
            for (Var p : fCur.parameters()) if (p.grad != null) sc.keep(p.grad);
        }
    }

    /**
     * {@code Autograd.backward(loss)} with the gradients that only feed a weight (the
     * convolutions') computed as jobs on the partner while the caller runs the rest of the pass
     * (the activations' gradients, batch norm's and the linear layer's), then accumulated in the
     * same order: the bits of the one-thread backward ({@link Autograd#backward(Var,
     * java.util.function.Consumer)}; PairThreadsTest, PlainThreadsTest). Once the caller's part of
     * the pass is done it takes the jobs still queued beside the partner: the last convolutions'
     * weight gradients (the first layers', the largest) would otherwise run on the partner alone
     * while the caller waits. The jobs' outputs are the caller's arrays; their temporaries go back
     * to the pool of the thread that ran them. Without a pair, or with one that runs both parts on
     * the caller, the plain backward.
     */
    static void backwardBeside(Pair pair, Var loss) {
        if (pair == null || !pair.threaded()) {
            Autograd.backward(loss);
            return;
        }
        JobQueue jobs = new JobQueue();
        Runnable drain =
                () -> {
                    try (Scope sc = Scope.recycling()) {
                        jobs.drain();
                    }
                };
        Runnable[] rest = new Runnable[1];
        pair.both(
                drain,
                () -> {
                    try {
                        rest[0] = Autograd.backward(loss, jobs::post);
                    } finally {
                        jobs.end();
                    }
                    drain.run(); // beside the partner: the jobs still queued
                });
        rest[0].run();
    }

    /**
     * Whether a plain step (Naive's, Distill's two) uses the {@link Pair}: for CPU steps that
     * {@link Pair#worth} calls large by the wall time of the last one (ResNet18's at N = 10, tens
     * of milliseconds; not the MNIST MLP's). With the partner, a step's halves run with their
     * kernels serial, one half per core, instead of every kernel split in two with a hand-off each:
     * the backward's weight gradients beside the rest of the pass ({@link #backwardBeside}),
     * Distill's f_old targets beside f_cur's forward. Timing decides only which thread computes,
     * never the bits.
     */
    static final class PairedSteps {
        private long nanos;
        private boolean threaded;

        /** f_cur's weight packs, made by the partner at the start of each paired step. */
        private final PacksAhead ahead = new PacksAhead();

        /** Runs {@code step} with a claimed pair (null on a device) and times it. */
        void run(Batch b, Consumer<Pair> step) {
            if (b.x().device() != Device.CPU) {
                step.accept(null);
                return;
            }
            long t0 = System.nanoTime();
            try (Pair pair = Pair.claim(Pair.worth(nanos, threaded))) {
                step.accept(pair);
                threaded = pair.threaded();
            }
            nanos = System.nanoTime() - t0;
        }

        /**
         * Step A ({@link ContinualMethod#realStep}): f_cur's forward beside the partner making its
         * weight packs ({@link #withPacksAhead}), the weight gradients beside the rest.
         */
        void realStep(Module fCur, Sgd opt, Batch b) {
            run(
                    b,
                    pair ->
                            withPacksAhead(
                                    pair,
                                    fCur,
                                    () ->
                                            ContinualMethod.realStep(
                                                    fCur,
                                                    opt,
                                                    b,
                                                    x -> besidePacks(pair, () -> fCur.forward(x)),
                                                    l -> backwardBeside(pair, l))));
        }

        /**
         * Runs {@code step} (one SGD step of f_cur, its last write to the weights) with f_cur's
         * convolution weights promised constant until the step's SGD update and their packs served
         * from {@link #ahead} on this thread; the step hands {@link #preparePacks} to the partner
         * ({@link #besidePacks}). Without a threaded pair it just runs. The packs are the same bits
         * whoever makes them.
         */
        void withPacksAhead(Pair pair, Module fCur, Runnable step) {
            if (!packsAhead(pair)) {
                step.run();
                return;
            }
            List<float[]> ws = new ArrayList<>();
            for (Var p : fCur.parameters())
                if (p.value.rank() == 4 && p.value.offset == 0) ws.add(p.value.data());
            ahead.begin(ws);
            ahead.serve(step);
        }

        /**
         * Whether a step with {@code pair} has its packs made ahead: on two threads, unless off.
         */
        private static boolean packsAhead(Pair pair) {
            return pair != null && pair.threaded() && PacksAhead.ON;
        }

        /**
         * On the partner, inside {@link #withPacksAhead}: the packs the last step asked for, in its
         * order (nothing without packs ahead).
         */
        void preparePacks(Pair pair) {
            if (packsAhead(pair)) ahead.prepare();
        }

        /** {@code forward} on this thread beside the partner making the step's packs. */
        private Var besidePacks(Pair pair, Supplier<Var> forward) {
            if (!packsAhead(pair)) return forward.get();
            Var[] out = new Var[1];
            pair.both(() -> preparePacks(pair), () -> out[0] = forward.get());
            return out[0];
        }
    }

    /** Step A (ALGORITHM.md §1.4): mean hard-label CE of f_cur on the real batch, one SGD step. */
    static void realStep(Module fCur, Sgd opt, Batch b) {
        realStep(fCur, opt, b, fCur::forward, Autograd::backward);
    }

    /**
     * The same step with {@code forward} in place of f_cur's forward and {@code backward} in place
     * of {@link Autograd#backward(Var)}.
     */
    static void realStep(
            Module fCur, Sgd opt, Batch b, UnaryOperator<Var> forward, Consumer<Var> backward) {
        opt.zeroGrad();
        Var loss = F.crossEntropy(forward.apply(Var.constant(b.x())), b.y());
        LossLog.add(LossLog.STEP_A, Guard.loss(loss, "step A loss CE(f_cur(X), Y)"));
        backward.accept(loss);
        Guard.gradients(fCur, "step A");
        opt.step();
    }

    /** A module's parameters and buffers by dotted name, prefixed ("f_old.fc1.weight"), live. */
    static Map<String, Tensor> tensorsOf(Module m, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, p) -> out.put(prefix + n, p.value()));
        m.namedBuffers().forEach((n, b) -> out.put(prefix + n, b));
        return out;
    }
}
