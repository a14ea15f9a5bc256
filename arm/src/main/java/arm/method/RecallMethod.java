package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.autograd.ops.LogitTerms;
import arm.data.ContinualData;
import arm.method.RecallLoss.Divergence;
import arm.nn.BatchStatsLoss;
import arm.nn.CountedForward;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.replica.NumpyDraws;
import arm.run.Draws;
import arm.run.Guard;
import arm.run.LossLog;
import arm.run.NumericalException;
import arm.run.RecallRecorder;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Profile;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * ARM (ALGORITHM.md §1.4, §2) and ADI (§3.3). Both run, per iteration t ({@link
 * RecallLearner#train}):
 *
 * <pre>
 * if the lag rule fires: f_old ← copy(f_cur)
 * stepA:   SGD step on mean CE(f_cur(X), Y)
 * if t ≥ recall_from_t:
 *   zero the weight gradients once (so round r applies the sum of rounds 0..r, §9 D12)
 *   for r in 0..R−1:
 *     initial (if r = 0 or from_scratch): X̂ ← M rows of X (with replacement iff M &gt; N), or U[0,1) noise
 *     recall:  S times X̂ ← X̂ − η1 · ∇_X̂ R(f_old(X̂), f_cur(X̂), X̂)      (input gradient only)
 *     distill (step B): targets p̂ = softmax(f_old(X̂)), p = softmax(f_old(X)) under no-grad, then an
 *              SGD step on λ0 · softCE(f_cur(X̂), p̂) + [aux_distill] λ0_real · softCE(f_cur(X), p)
 * </pre>
 *
 * They differ only in R: ARM's recall loss ({@link RecallLoss#arm}), or ADI's CE toward M past
 * classes drawn from seen-but-not-present classes plus the same divergence ({@link
 * RecallLoss#adi}). Logits follow RecallLoss: a = f_old(X̂), b = f_cur(X̂). The code descends on R,
 * which is the negative of the paper's recall objective (ALGORITHM.md §2.3).
 *
 * <p>X̂ is a {@link RecalledBatch}. ARM's option {@code dedup} (on by default, off with w_bs ≠ 0)
 * stores it as its U distinct images with multiplicities when the M draws repeat real rows; the
 * batch's own methods (counted forward, per-copy gradient, replication) make the iteration the same
 * code either way, and the result equals the replicated batch's up to float rounding (DedupTest).
 * Not for ADI: its target classes are drawn per copy, so copies differ.
 *
 * <p>The guard, the recorder and test traces watch the iteration through one {@link
 * RecallObserver}.
 */
final class RecallMethod extends ContinualMethod {
    private final boolean adi;
    private final int m, s, r;
    private final float eta1, lambda0, lambda0Real, classesWeight, wBs;
    private final boolean fromScratch, noiseInit, auxDistill, hardTargets, dedup;
    private final Divergence divergence;
    private final float wD, lambda1, lambda2, lambda3, lambda4, lambda5, lambda6;

    RecallMethod(
            String name, boolean adi, Map<String, String> defaults, Map<String, String> overrides) {
        super(name, defaults, overrides);
        this.adi = adi;
        m = opts.positiveInt("M");
        s = opts.nonNegativeInt("S");
        r = opts.positiveInt("R");
        eta1 = opts.nonNegative("eta1");
        lambda0 = opts.nonNegative("lambda0");
        lambda0Real = opts.nonNegative("lambda0_real");
        wBs = opts.nonNegative("w_bs");
        fromScratch = opts.flag("from_scratch");
        noiseInit = opts.choice("init", "real", "noise").equals("noise");
        auxDistill = opts.flag("aux_distill");
        hardTargets = opts.flag("hard_targets");
        dedup = !adi && opts.flag("dedup");
        if (dedup && wBs != 0)
            throw opts.bad("dedup", "off when w_bs ≠ 0 (the batch-statistics term is not counted)");
        divergence =
                switch (opts.choice("divergence", "reversed_kl", "js", "ce")) {
                    case "js" -> Divergence.JENSEN_SHANNON;
                    case "ce" -> Divergence.CROSS_ENTROPY;
                    default -> Divergence.REVERSED_KL;
                };
        wD = opts.nonNegative("w_D");
        classesWeight = adi ? opts.nonNegative("classes_weight") : 0;
        lambda1 = adi ? 0 : opts.nonNegative("lambda1");
        lambda2 = adi ? 0 : opts.nonNegative("lambda2");
        lambda3 = adi ? 0 : opts.nonNegative("lambda3");
        lambda4 = opts.nonNegative("lambda4");
        lambda5 = opts.nonNegative("lambda5");
        lambda6 = opts.nonNegative("lambda6");
        opts.positiveOrTask("T");
        opts.nonNegativeOrTask("recall_from_t");
        opts.choice("lag", "fixed", "unit", "random");
        if (opts.positiveInt("lag_max") < opts.positiveInt("lag_min"))
            throw opts.bad("lag_max", "at least lag_min");
    }

    @Override
    RecallLearner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        if (wBs != 0 && !(fCur instanceof BatchStatsLoss))
            throw new IllegalArgumentException(
                    name()
                            + " option w_bs needs a BatchNorm model; "
                            + fCur.getClass().getSimpleName()
                            + " has no batch statistics");
        if (dedup && !(fCur instanceof CountedForward))
            throw new IllegalArgumentException(
                    name()
                            + " option dedup needs a model with a counted forward; "
                            + fCur.getClass().getSimpleName()
                            + " has none");
        var w =
                new RecallLoss.Weights(
                        divergence,
                        wD,
                        lambda1,
                        lambda2,
                        lambda3,
                        lambda4,
                        lambda5,
                        lambda6,
                        Models.imageShape(data.train().itemShape()));
        RecallLearner l = new RecallLearner(fCur, opt, w, lag(data, rng), recallFromT(data), rng);
        if (authorsRng)
            l.numpy = NumpyDraws.of(data, recallFromT(data), m, r, fromScratch, adi, !noiseInit);
        return l;
    }

    /**
     * One run's state: f_cur, f_old, the optimiser, the lag and the base seed of the per-iteration
     * streams ({@link Draws}: the recall draws of round r at t come from stream RECALL_INIT + r,
     * ADI's class choice from CLASSES). Checkpointed: f_old's tensors, the lag's next refresh time
     * and the recorder's history.
     */
    final class RecallLearner implements Learner {
        final Module fCur, fOld;
        private final Sgd opt;
        private final RecallLoss.Weights weights;
        private final Lag lag;
        private final int recallFromT;
        final long base; // package-visible for tests that redo a draw

        /** The guard, then the recorder and traces when attached. */
        private final RecallObserver.Chain watch = new RecallObserver.Chain(RecallObserver.GUARD);

        private boolean traced;

        /** Records Figs. 2–3 data when set ({@link #record}); null = off. */
        RecallRecorder recorder;

        /** rng = authors: the authors' numpy draws of this run (null: our per-site streams). */
        NumpyDraws numpy;

        RecallLearner(
                Module fCur,
                Sgd opt,
                RecallLoss.Weights weights,
                Lag lag,
                int recallFromT,
                SplittableRandom rng) {
            this.fCur = fCur;
            this.fOld = fCur.copy();
            this.opt = opt;
            this.weights = weights;
            this.lag = lag;
            this.recallFromT = recallFromT;
            this.base = rng.nextLong();
        }

        /** Records the figures' data into {@code r} and checkpoints its history. */
        void record(RecallRecorder r) {
            recorder = r;
            watch.add(new RecallObserver.Recording(r));
        }

        /** Calls {@code t} at every step (tests of the order of operations). */
        void trace(RecallObserver.Trace t) {
            traced = true;
            watch.add(t);
        }

        @Override
        public Map<String, Tensor> stateTensors() {
            releaseOld(); // the caller may write them (a resume)
            Map<String, Tensor> out = tensorsOf(fOld, "f_old.");
            if (recorder != null) out.putAll(recorder.stateTensors());
            return out;
        }

        @Override
        public Map<String, long[]> stateValues() {
            Map<String, long[]> out = new TreeMap<>();
            out.put("lag.next", new long[] {lag.next()});
            if (recorder != null) out.putAll(recorder.stateValues());
            return out;
        }

        @Override
        public void restoreState(Map<String, long[]> values, Map<String, Tensor> tensors) {
            releaseOld(); // f_old's tensors are overwritten after this
            long[] next = values.get("lag.next");
            if (next == null || next.length != 1 || next[0] < 0 || next[0] > Integer.MAX_VALUE)
                throw new IllegalArgumentException("checkpoint lacks a valid lag.next");
            lag.resumeAt((int) next[0]);
            if (recorder != null) recorder.restore(values, tensors);
        }

        /** Iteration t of Algorithm 1 (ALGORITHM.md §1.4) on the real batch (X, Y). */
        @Override
        public void train(Batch batch) {
            int t = batch.t();
            if (lag.refreshAt(t)) {
                releaseOld();
                fOld.copyFrom(fCur); // f_old ← f_cur
                watch.refreshed(t);
            }
            stepA(batch);
            if (t < recallFromT) return;
            int[] chosen = adi ? chooseClasses(batch) : null; // ADI: M past classes
            if (adi && chosen == null) return; // no seen-but-absent class to recall yet
            // round r applies the sum of rounds 0..r (§9 D12); step A's gradients, dropped here,
            // go back to the thread's pool (a scope of their own: the recall's steps follow)
            try (Scope sc = Scope.recycling()) {
                opt.zeroGrad();
            }
            RecalledBatch xhat = null;
            for (int round = 0; round < r; round++) {
                if (round == 0 || fromScratch) {
                    xhat = initial(batch, round); // X̂: M draws of X's rows, or noise
                    watch.initialised(t, xhat);
                }
                // f_old's weights are constant until its next refresh, f_cur's through the
                // recall and step B's forwards: the backend may keep them laid out for the
                // batch-10 forward (same bits)
                if (oldHeld == null) oldHeld = holdWeights(fOld);
                Tensor a;
                if (HOLD_CUR) curHeld = holdWeights(fCur);
                try {
                    recall(xhat, batch, chosen, true); // S steps X̂ ← X̂ − η1 ∇_X̂ R
                    watch.recalled(t, xhat);
                    a = distill(xhat, batch); // step B, targets softmax(f_old(X̂))
                } finally {
                    releaseCur();
                }
                watch.distilled(t, round == r - 1, xhat, a, batch);
            }
        }

        /**
         * Step A: one SGD step on the mean CE of f_cur on the real batch. With a pair, the
         * convolutions' weight gradients are computed on the partner beside the rest of the
         * backward ({@link ContinualMethod#backwardBeside}).
         */
        private void stepA(Batch batch) {
            SgdGraphs g = sgdGraphs(batch.x());
            if (g != null) {
                try (Profile.Section p = Profile.phase("step A")) {
                    g.stepA(batch);
                }
                watch.steppedA(batch.t());
                return;
            }
            try (Profile.Section p = Profile.phase("step A");
                    Scope sc = Scope.recycling();
                    Pair pair =
                            batch.x().device() == Device.CPU && splitStepA
                                    ? Pair.claim(Pair.worth(stepNanos, stepThreaded))
                                    : null) {
                if (pair != null && pair.threaded())
                    realStep(fCur, opt, batch, fCur::forward, loss -> backwardBeside(pair, loss));
                else realStep(fCur, opt, batch);
                keepGradients(sc);
            }
            watch.steppedA(batch.t());
        }

        /**
         * Step A and step B run in recycling scopes (their temporaries go back to the pool like a
         * refinement step's); f_cur's parameter gradients, made there when none existed, outlive
         * the step (they accumulate over the rounds and are read until the next zeroing).
         */
        private void keepGradients(Scope sc) {
            for (Var p : fCur.parameters()) if (p.grad != null) sc.keep(p.grad);
        }

        /**
         * f_old's weights held constant ({@link Backend#holdConstant}) from its first recall after
         * a refresh until the next refresh, or until its tensors are handed out for a checkpoint or
         * a resume ({@link #stateTensors}, {@link #restoreState}); null when not held.
         */
        private Backend.Held oldHeld;

        /**
         * f_cur's weights held from the start of a round's recall until step B's SGD step (which
         * releases them first); Held.NONE otherwise.
         */
        private Backend.Held curHeld = Backend.Held.NONE;

        /**
         * {@code -Darm.recall.holdCur=false}: f_old's weights only. f_cur's packing costs ~0.5 ms
         * per iteration against ~50–95 µs saved per held forward (12 of them); in one JVM the two
         * were not separable (docs/BENCHMARKS.md, MNIST section).
         */
        private static final boolean HOLD_CUR =
                !"false".equals(System.getProperty("arm.recall.holdCur"));

        private void releaseCur() {
            curHeld.close();
            curHeld = Backend.Held.NONE;
        }

        private void releaseOld() {
            if (oldHeld != null) oldHeld.close();
            oldHeld = null;
        }

        /** {@link Backend#holdConstant} on the weight matrices and convolution kernels of m. */
        private Backend.Held holdWeights(Module m) {
            List<Tensor> ws = new ArrayList<>();
            for (Var p : m.parameters())
                if (p.value.rank() == 2 || p.value.rank() == 4) ws.add(p.value);
            return ws.isEmpty()
                    ? Backend.Held.NONE
                    : Backends.of(ws.get(0)).holdConstant(ws.toArray(new Tensor[0]));
        }

        /** X̂ for round r of iteration t: from the authors' numpy draws or our stream. */
        private RecalledBatch initial(Batch batch, int round) {
            int[] rows = numpy != null && !noiseInit ? numpy.rows(batch.t(), round) : null;
            return initial(batch.x(), Draws.at(base, batch.t(), Draws.RECALL_INIT + round), rows);
        }

        /** A recalled batch and where it came from, for analyses. */
        record Recalled(Tensor xhat, int[] rows, Tensor oldLogits) {}

        /**
         * Recalls once from batch b (initialise, S refinement steps) with the current f_old and
         * f_cur, without any SGD step; f_old's logits on the final X̂ come under no-grad. For
         * analyses of a finished run: call it on a {@link #frozenCopy}, since train-mode BatchNorm
         * passes move the running statistics. Null for ADI when b leaves no past class to recall.
         * Its refinement steps are uncut on the CPU too (one thread), so an analysis gives the same
         * bits on the CPU and on a device.
         */
        Recalled recallOnly(Batch b) {
            int[] chosen = adi ? chooseClasses(b) : null;
            if (adi && chosen == null) return null;
            RecalledBatch xhat = initial(b.x(), Draws.at(base, b.t(), Draws.RECALL_INIT), null);
            recall(xhat, b, chosen, false);
            try (var ng = Autograd.noGrad()) {
                Tensor a = xhat.forward(fOld, Var.constant(xhat.images())).value;
                return new Recalled(xhat.replicated(), xhat.rows(), xhat.replicated(a));
            }
        }

        /**
         * A learner over deep copies of f_cur and f_old (no optimiser): this run's final state,
         * frozen.
         */
        RecallLearner frozenCopy(SplittableRandom random) {
            RecallLearner c =
                    new RecallLearner(fCur.copy(), null, weights, lag, recallFromT, random);
            c.fOld.copyFrom(fOld);
            return c;
        }

        /**
         * Recall: S steps of plain gradient descent on R over X̂ (in place); weights are never
         * touched.
         */
        void recall(RecalledBatch xhat, Batch b, int[] chosen, boolean cut) {
            Tensor x = xhat.images();
            if (x.device() == Device.CPU) {
                inputSteps(xhat, b, chosen, null, cut);
                return;
            }
            // on a device the finite checks are deferred: each step adds its loss and input
            // gradient sum to one device scalar, read once after the S steps (NaN or Inf anywhere
            // makes it non-finite); only then is X̂ restored and the refinement redone with a check
            // at every step, which names the step and the term exactly as the immediate checks do
            Backend be = Backends.of(x);
            Tensor start = be.empty(x.shape), bad = be.zeros(1);
            be.copy(x, start);
            inputSteps(xhat, b, chosen, bad, false);
            if (Float.isFinite(be.download(bad)[0])) return;
            be.copy(start, x);
            inputSteps(xhat, b, chosen, null, false);
        }

        /**
         * S steps; {@code bad} null: check each step on the host, else accumulate into it (see
         * recall).
         */
        private void inputSteps(
                RecalledBatch xhat, Batch b, int[] chosen, Tensor bad, boolean cut) {
            Var x = Var.param(xhat.images());
            if (cut && onCpu(xhat)) {
                try (Pair pair = Pair.claim(Pair.worth(stepNanos, stepThreaded))) {
                    for (int step = 0; step < s; step++) {
                        long t0 = System.nanoTime();
                        try (Scope sc = Scope.recycling()) {
                            cutStep(pair, x, xhat, b, chosen, step);
                        }
                        stepNanos = System.nanoTime() - t0;
                        stepThreaded = pair.threaded();
                    }
                }
                return;
            }
            boolean capture = captureSteps && !traced && bad != null && LossLog.capturable();
            String key = capture && !reuseGraphs ? graphKey(xhat, b, chosen) : null;
            if (capture && reuseGraphs) {
                reusedSteps(xhat, b, chosen, bad);
                return;
            }
            for (int step = 0; step < s; step++) {
                if (capture) {
                    int st = step;
                    if (graphs == null) graphs = new CapturedStep(Backends.of(xhat.images()));
                    graphs.run(key, () -> scopedInputStep(x, xhat, b, chosen, st, bad));
                } else {
                    scopedInputStep(x, xhat, b, chosen, step, bad);
                }
            }
        }

        /**
         * What a captured step bakes in besides fixed weights: X̂ itself and the deferred check's
         * scalar (new tensors each refinement: numbered, so a graph is never replayed on another
         * refinement's tensors), the class sets and the counts (their device copies are taken at
         * capture).
         */
        private String graphKey(RecalledBatch xhat, Batch b, int[] chosen) {
            return (reuseGraphs ? "" : ++refinements + "")
                    + Shape.str(xhat.images().shape)
                    + Arrays.toString(b.present())
                    + Arrays.toString(chosen)
                    + Arrays.toString(xhat.counts());
        }

        /**
         * {@code -Darm.graphs=true}: on a device, refinement steps go through a {@link
         * CapturedStep} (runs without a trace, and eagerly while a loss log keeps every value):
         * captured once per refinement and replayed where the backend can; a capture that fails
         * (the step waited for the host) leaves the steps eager, and {@link #graphs}.fallback()
         * says why. BatchNorm's counters and the cumulative-average factor (ResNet's stem) are
         * effects of every run ({@link CapturedStep#everyRun}), so MLP and ResNet replay the bits
         * of eager steps. Opt-in: on a GPU the MLP's capture has run (an H100 iteration 2.8 times
         * faster), the ResNet's counted BatchNorm under capture has not.
         */
        private final boolean reuseGraphs = "reuse".equals(System.getProperty("arm.graphs"));

        private final boolean captureSteps = reuseGraphs || Boolean.getBoolean("arm.graphs");

        /**
         * {@code -Darm.graphs=reuse}: graphs reused across refinements (iterations). X̂ and the
         * deferred check's scalar are fixed device buffers ({@link Fixed}): each refinement copies
         * its X̂ in and zeroes the scalar before its steps, and copies X̂ back and adds the scalar
         * to its own after them (copies on the stream, outside the graph: exact, so the same bits
         * as eager steps). For ARM the class mask and the counts of a distinct X̂ are fixed inputs
         * too ({@link Backend#writeInts}: one device buffer each, rewritten before the steps; the
         * counts' column that {@link RecalledBatch#perCopy} divides by is a fixed tensor), so a
         * graph is keyed by what its kernels still take from the host: the shape (U), M = Σ counts
         * and the number of classes C (scalars of the fused logit terms, the image prior and
         * counted batch norm). Up to {@link #GRAPHS} keys are held at once, each with its own
         * buffers and graph (with dedup on, U takes a few values, and a key seen again replays); a
         * new key beyond them drops the least recently used one's graph, then its buffers, and
         * captures anew after a warm-up step. ADI's chosen classes reach its composed terms as host
         * arrays copied per content, so its key names them ({@link #graphKey}) and its graph is
         * reused only while they repeat (its buffers are keyed by the shape alone).
         */
        private final LinkedHashMap<String, Fixed> fixed = new LinkedHashMap<>(8, 0.75f, true);

        /** How many keys (graphs with their fixed buffers) reused steps hold at most. */
        static final int GRAPHS = 4;

        /**
         * The fixed buffers of one key: X̂, the deferred check's scalar, ARM's mask and counts
         * slots and the counts' column, and the keys of the graphs that read them.
         */
        private static final class Fixed {
            Tensor x, bad, countColumn, logits;
            int[] maskSlot, countsSlot;
            final Set<String> graphs = new HashSet<>();

            /** The keys of the captured steps B that read these buffers. */
            final Set<String> stepB = new HashSet<>();
        }

        /**
         * The latest refinement on fixed buffers: its recalled batch, the buffers' key, the buffers
         * and the batch over them (step B runs on them).
         */
        private record LastFixed(
                RecalledBatch source, String key, Fixed fixed, RecalledBatch batch) {}

        private LastFixed lastFixed;

        /** The graph keys of reused steps, each where it differs from the one before (tests). */
        final List<String> graphKeys = new ArrayList<>();

        /** The class mask the recall loss reads while reused steps run (null otherwise). */
        private int[] activeMask;

        /** The refinement's S steps on the fixed buffers (see {@link #fixed}). */
        private void reusedSteps(RecalledBatch xhat, Batch b, int[] chosen, Tensor bad) {
            Tensor images = xhat.images();
            Backend be = Backends.of(images);
            int[] counts = xhat.counts();
            int[] mask = adi ? null : LogitTerms.mask(b.present(), b.seenBefore().length);
            String key, buffers;
            if (adi) {
                key = graphKey(xhat, b, chosen);
                buffers = Shape.str(images.shape);
            } else {
                int c = 0, m = 0;
                for (int v : mask) c += v;
                if (counts != null) for (int v : counts) m += v;
                key = "fixed inputs " + Shape.str(images.shape) + " M=" + m + " C=" + c;
                buffers = key;
            }
            Fixed f = fixed.get(buffers); // a hit makes it the most recently used
            if (f == null) {
                while (fixed.size() >= GRAPHS) releaseFixed(be, fixed.keySet().iterator().next());
                Fixed n = new Fixed();
                n.x = Scope.outside(() -> be.empty(images.shape));
                n.bad = Scope.outside(() -> be.empty(1));
                if (!adi) {
                    n.maskSlot = new int[mask.length];
                    if (counts != null) {
                        n.countsSlot = new int[counts.length];
                        n.countColumn = Scope.outside(() -> be.empty(counts.length));
                    }
                }
                fixed.put(buffers, n);
                f = n;
            }
            be.copy(images, f.x);
            be.fill(f.bad, 0f);
            DistinctRows d = xhat.distinct();
            RecalledBatch fx = new RecalledBatch(f.x, xhat.rows(), d);
            if (!adi) {
                System.arraycopy(mask, 0, f.maskSlot, 0, mask.length);
                be.writeInts(f.maskSlot);
                if (counts != null) {
                    System.arraycopy(counts, 0, f.countsSlot, 0, counts.length);
                    be.writeInts(f.countsSlot);
                    try (Scope sc = Scope.open()) {
                        be.copy(RecallLoss.deviceIntegers(be, counts), f.countColumn);
                    }
                    fx =
                            new RecalledBatch(
                                    f.x,
                                    xhat.rows(),
                                    new DistinctRows(d.rows(), f.countsSlot, d.slot()),
                                    f.countColumn);
                }
            }
            // a logged iteration's graph adds to its log: captured for that iteration alone
            String log = LossLog.captureKey();
            key += log;
            if (graphKeys.isEmpty() || !graphKeys.get(graphKeys.size() - 1).equals(key))
                graphKeys.add(key);
            f.graphs.add(key);
            Var x = Var.param(f.x);
            RecalledBatch fixedBatch = fx;
            Tensor fixedBad = f.bad;
            if (graphs == null) graphs = new CapturedStep(be, GRAPHS);
            activeMask = f.maskSlot;
            try {
                for (int step = 0; step < s; step++) {
                    int st = step;
                    graphs.run(key, () -> scopedInputStep(x, fixedBatch, b, chosen, st, fixedBad));
                }
            } finally {
                activeMask = null;
                if (!log.isEmpty()) { // never replayed: its pool goes now
                    graphs.drop(key);
                }
                f.graphs.retainAll(graphs.heldKeys()); // ADI's keys come and go
            }
            be.copy(f.x, images);
            be.axpy(1f, f.bad, bad);
            lastFixed = new LastFixed(xhat, buffers, f, fixedBatch);
        }

        /** Drops the graphs that read the buffers of {@code buffers}, then the buffers. */
        private void releaseFixed(Backend be, String buffers) {
            Fixed f = fixed.remove(buffers);
            if (f == null) return;
            if (graphs != null) for (String k : f.graphs) graphs.drop(k);
            if (sgd != null) for (String k : f.stepB) sgd.stepB.drop(k);
            if (lastFixed != null && lastFixed.fixed == f) lastFixed = null;
            for (Tensor t : new Tensor[] {f.x, f.bad, f.countColumn, f.logits})
                if (t != null) t.close();
            for (int[] slot : new int[][] {f.maskSlot, f.countsSlot})
                if (slot != null) be.releaseInts(slot);
        }

        /**
         * Step B's backward per branch on the CPU ({@link #branchBackward}); tests compare it with
         * the joint backward.
         */
        boolean splitStepB = true;

        /**
         * Step A's weight gradients on the partner when there is one ({@link
         * ContinualMethod#backwardBeside}); tests compare it with the one-thread backward.
         */
        boolean splitStepA = true;

        /** Refinements run with capture, numbering their graph keys. */
        private long refinements;

        /**
         * The last refinement step's wall time on the CPU and whether it ran with the partner: the
         * next recall and step B use the {@link Pair} when it says the steps are large (timing
         * decides only which thread computes, never the bits).
         */
        private long stepNanos;

        private boolean stepThreaded;

        CapturedStep graphs;

        private void scopedInputStep(
                Var x, RecalledBatch xhat, Batch b, int[] chosen, int step, Tensor bad) {
            // each step's graph is freed before the next: on a device its memory, on the CPU its
            // arrays go back to the pool for the next step (nothing made here outlives the step)
            try (Scope sc = Scope.recycling()) {
                inputStep(x, xhat, b, chosen, step, bad);
            }
        }

        /**
         * One input step on the CPU, the graph cut at the logits so that f_old's and f_cur's halves
         * can run on two threads ({@link Pair}): each network runs forward from a leaf of its own
         * over X̂; R is built on leaves holding their outputs (a, b, and ADI's batch-statistics
         * term from f_old) and differentiated with respect to them and to X̂ (the direct L2 and TV
         * terms); each network's backward is then seeded with ∂R/∂(its outputs), and ∂R/∂X̂ is the
         * direct part plus f_old's plus f_cur's, in that order whatever the thread count.
         */
        private void cutStep(
                Pair pair, Var x, RecalledBatch xhat, Batch batch, int[] chosen, int step) {
            Half old = new Half(), cur = new Half();
            try {
                try (Profile.Section p = Profile.phase("forward")) {
                    pair.both(
                            () -> {
                                old.enter(pair);
                                old.out = oldOutputs(old.leaf(xhat), xhat);
                            },
                            () -> cur.out = new Var[] {xhat.forward(fCur, cur.leaf(xhat))});
                }
                Var a = Var.param(old.out[0].value), b = Var.param(cur.out[0].value);
                Var bsRaw = wBs == 0 ? null : Var.param(old.out[1].value);
                Var bs = bsRaw == null ? null : F.scale(LossLog.term(LossLog.R_BS, bsRaw), wBs);
                Var loss;
                try (Profile.Section p = Profile.phase("recall loss")) {
                    loss = recallLoss(a, b, x, xhat, batch, chosen, bs);
                    logChecked(loss, a, b, x, batch, chosen, bs, step);
                }
                try (Profile.Section p = Profile.phase("input backward")) {
                    Tensor[] g =
                            bsRaw == null
                                    ? Autograd.grad(loss, a, b, x)
                                    : Autograd.grad(loss, a, b, x, bsRaw);
                    Tensor[] seeds =
                            bsRaw == null ? new Tensor[] {g[0]} : new Tensor[] {g[0], g[3]};
                    pair.both(
                            () -> {
                                old.enter(pair);
                                old.backward(seeds);
                            },
                            () -> cur.backward(g[1]));
                    Tensor sum = g[2];
                    Backend be = Backends.of(sum);
                    be.axpy(1f, old.grad, sum);
                    be.axpy(1f, cur.grad, sum);
                    Guard.tensor(sum, "input gradient ∂R/∂X̂ at refinement step " + step);
                    be.axpy(-eta1, xhat.perCopy(sum), xhat.images());
                }
            } finally {
                if (old.scope != null) pair.onPartner(old.scope::close);
            }
            watch.stepped(batch.t(), xhat);
        }

        /** f_old's outputs on X̂: the logits a, and with w_bs the batch-statistics term. */
        private Var[] oldOutputs(Var x, RecalledBatch xhat) {
            if (wBs == 0) return new Var[] {xhat.forward(fOld, x)};
            BatchStatsLoss.Forward out = ((BatchStatsLoss) fOld).forwardWithBatchStats(x);
            return new Var[] {out.logits(), out.batchStats()};
        }

        /** R, ARM's or ADI's, on f_old's logits a, f_cur's b and X̂ itself. */
        private Var recallLoss(
                Var a, Var b, Var x, RecalledBatch xhat, Batch batch, int[] chosen, Var bs) {
            return adi
                    ? RecallLoss.adi(weights, classesWeight, a, b, x, chosen, bs)
                    : plus(
                            RecallLoss.arm(
                                    weights, a, b, x, batch.present(), xhat.counts(), activeMask),
                            bs);
        }

        /** Logs R's value and stops with the first non-finite term when R is not finite. */
        private void logChecked(
                Var loss, Var a, Var b, Var x, Batch batch, int[] chosen, Var bs, int step) {
            float value = loss.value.item();
            LossLog.add(LossLog.RECALL, value);
            if (!Float.isFinite(value))
                throw new NumericalException(
                        "recall loss",
                        "recall loss R is "
                                + value
                                + " at refinement step "
                                + step
                                + "; first non-finite term: "
                                + Guard.firstBadTerm(
                                        weights,
                                        classesWeight,
                                        a,
                                        b,
                                        x,
                                        batch.present(),
                                        chosen,
                                        bs));
        }

        /**
         * One input step X̂ ← X̂ − η1 · ∇_X̂ R, with a = f_old(X̂) and b = f_cur(X̂) (RecallLoss's
         * notation); stored distinct, each image moves by one copy's gradient. On a device, uncut
         * (one graph, one backward).
         */
        private void inputStep(
                Var x, RecalledBatch xhat, Batch batch, int[] chosen, int step, Tensor bad) {
            Var a, b, loss, bs = null;
            try (Profile.Section p = Profile.phase("forward")) {
                if (wBs == 0) a = xhat.forward(fOld, x);
                else {
                    BatchStatsLoss.Forward out = ((BatchStatsLoss) fOld).forwardWithBatchStats(x);
                    a = out.logits();
                    bs = F.scale(LossLog.term(LossLog.R_BS, out.batchStats()), wBs);
                }
                b = xhat.forward(fCur, x);
            }
            try (Profile.Section p = Profile.phase("recall loss")) {
                loss = recallLoss(a, b, x, xhat, batch, chosen, bs);
                if (bad != null) {
                    Backends.of(xhat.images()).axpy(1f, loss.value, bad);
                    LossLog.add(LossLog.RECALL, loss); // logged iterations only (see LossLog.add)
                } else logChecked(loss, a, b, x, batch, chosen, bs, step);
            }
            try (Profile.Section p = Profile.phase("input backward")) {
                Tensor g = Autograd.grad(loss, x)[0];
                if (bad == null)
                    Guard.tensor(g, "input gradient ∂R/∂X̂ at refinement step " + step);
                else if (Guard.SCAN) {
                    Tensor sum = Backends.of(g).empty(1);
                    Backends.of(g).sumTo(g, sum);
                    Backends.of(g).axpy(1f, sum, bad);
                }
                Backends.of(xhat.images()).axpy(-eta1, xhat.perCopy(g), xhat.images());
            }
            watch.stepped(batch.t(), xhat);
        }

        /**
         * Step B (distillation): targets from f_old under no-grad, then one SGD step on λ0 ·
         * softCE(f_cur(X̂), softmax(f_old(X̂))) [+ λ0_real · softCE(f_cur(X), softmax(f_old(X)))];
         * gradients accumulate since the last zero. Returns a = f_old(X̂)'s logits.
         */
        Tensor distill(RecalledBatch xhat, Batch batch) {
            SgdGraphs g = sgdGraphs(xhat.images());
            if (g != null && !hardTargets && lastFixed != null && lastFixed.source == xhat) {
                try (Profile.Section p = Profile.phase("step B");
                        Scope sc = Scope.recycling()) {
                    return sc.keep(capturedDistill(g, xhat, batch));
                }
            }
            try (Profile.Section p = Profile.phase("step B");
                    Scope sc = Scope.recycling();
                    Pair pair =
                            onCpu(xhat) && !traced
                                    ? Pair.claim(Pair.worth(stepNanos, stepThreaded))
                                    : null) {
                Tensor a = distillStep(xhat, batch, pair);
                keepGradients(sc);
                return sc.keep(a);
            }
        }

        /**
         * {@code -Darm.graphs=reuse} on a device: {@link SgdGraphs} for f_cur and the optimiser
         * (made on first use), or null where steps A and B run as they do without graphs (the CPU,
         * a traced run, a log that keeps every value).
         */
        private SgdGraphs sgdGraphs(Tensor x) {
            if (!reuseGraphs || x.device() == Device.CPU || traced || !LossLog.capturable())
                return null;
            if (sgd == null) sgd = new SgdGraphs(fCur, opt, Backends.of(x), GRAPHS);
            return sgd;
        }

        SgdGraphs sgd; // package-visible for tests

        /**
         * Step B through {@link SgdGraphs}: on the refinement's fixed buffers (X̂ copied in again,
         * the counts, their column and the mask as the refinement wrote them), captured per
         * refinement key; a = f_old(X̂) leaves the graph through a fixed tensor, copied out.
         */
        private Tensor capturedDistill(SgdGraphs g, RecalledBatch xhat, Batch batch) {
            Backend be = Backends.of(xhat.images());
            Fixed f = lastFixed.fixed;
            RecalledBatch fx = lastFixed.batch;
            be.copy(xhat.images(), f.x);
            Tensor real = auxDistill ? g.realX(batch.x()) : batch.x();
            boolean acc = g.accumulates();
            String key =
                    "step B " + lastFixed.key + (acc ? " accumulating" : "") + LossLog.captureKey();
            f.stepB.add(key);
            SgdGraphs.Checks c =
                    auxDistill
                            ? g.checks(key, STEP_B_LOSS, STEP_B_REAL_LOSS)
                            : g.checks(key, STEP_B_LOSS);
            int t = batch.t();
            g.step(
                    g.stepB,
                    key,
                    c,
                    "step B",
                    () -> {
                        try (Scope sc = Scope.recycling()) {
                            Var a = distillBackward(fx, real, t, null, (l, n) -> c.loss(l));
                            if (f.logits == null)
                                f.logits = Scope.outside(() -> be.empty(a.value.shape));
                            be.copy(a.value, f.logits);
                            c.gradients();
                        }
                    });
            f.stepB.retainAll(g.stepB.heldKeys()); // a logged iteration's graph is gone already
            Tensor a = be.empty(f.logits.shape);
            be.copy(f.logits, a);
            return a;
        }

        /**
         * With a pair, f_old's targets (no-grad, on the partner; a recycling scope of the thread
         * that computes them returns f_old's activations to its pool and keeps the targets out of
         * it) are computed beside f_cur's forwards on X̂ and X, two forwards on each thread;
         * f_cur's order of forwards (X̂, then X) stays as it is, since train-mode BatchNorm
         * statistics follow it. On the CPU the backward then runs per branch ({@link
         * #branchBackward}).
         */
        private Tensor distillStep(RecalledBatch xhat, Batch batch, Pair pair) {
            Var a = distillBackward(xhat, batch.x(), batch.t(), pair, Guard::loss);
            Guard.gradients(fCur, "step B");
            releaseCur(); // the step writes f_cur's weights
            opt.step();
            return a.value;
        }

        /**
         * Step B up to its backward (the gradients added to f_cur's), each loss handed to {@code
         * check} as it is made; returns a = f_old(X̂). {@code realX} is the real batch
         * (aux_distill).
         */
        private Var distillBackward(
                RecalledBatch xhat, Tensor realX, int t, Pair pair, BiConsumer<Var, String> check) {
            int[] counts = xhat.counts();
            Var xr = Var.constant(xhat.images()), x = Var.constant(realX);
            Var[] old = new Var[2], cur = new Var[2]; // {a, p}, {b, f_cur(X)}
            Runnable targets =
                    () -> {
                        // f_old's activations go back to the pool of the thread that ran it; the
                        // targets outlive the scope
                        try (var ng = Autograd.noGrad();
                                Scope sc = Scope.recycling()) {
                            old[0] = xhat.forward(fOld, xr);
                            sc.keep(old[0].value);
                            if (auxDistill) {
                                old[1] = F.softmax(fOld.forward(x));
                                sc.keep(old[1].value);
                            }
                        }
                    };
            Runnable forward =
                    () -> {
                        cur[0] = xhat.forward(fCur, xr);
                        if (auxDistill) cur[1] = fCur.forward(x);
                    };
            if (pair != null) pair.both(targets, forward); // not traced: no targets event
            else {
                targets.run();
                watch.targets(t, xhat);
                forward.run();
            }
            Var a = old[0], pReal = old[1], b = cur[0];
            Var loss =
                    hardTargets
                            ? RecallLoss.crossEntropy(b, RecallLoss.argmax(a.value), counts)
                            : RecallLoss.softCrossEntropy(
                                    b, F.softmax(a), counts, xhat.countColumn());
            loss = F.scale(loss, lambda0);
            check.accept(loss, STEP_B_LOSS);
            Var recalled = loss, real = null;
            if (auxDistill) {
                real = F.scale(F.softCrossEntropy(cur[1], pReal), lambda0Real);
                check.accept(real, STEP_B_REAL_LOSS);
                loss = F.add(loss, real);
            }
            LossLog.add(LossLog.STEP_B, loss);
            if (real != null && onCpu(xhat) && splitStepB) branchBackward(pair, recalled, real);
            else Autograd.backward(loss);
            return a;
        }

        private static final String
                STEP_B_LOSS = "step B loss λ0·softCE(f_cur(X̂), softmax(f_old(X̂)))",
                STEP_B_REAL_LOSS = "step B loss λ0_real·softCE(f_cur(X), softmax(f_old(X)))";

        /**
         * Step B's backward as two passes, one per branch: the recalled part's on the caller, the
         * real part's beside it on the partner (or after it on the caller without one); each
         * parameter's gradient is then the recalled part's plus the real part's, added to what the
         * parameter held. The two branches share nothing but f_cur's weights, which no pass writes,
         * and each parameter enters each branch once, so every gradient is the same single rounded
         * sum the joint backward forms (float addition commutes): the bits equal {@code
         * Autograd.backward} on the sum for any thread count (PairThreadsTest).
         */
        private void branchBackward(Pair pair, Var recalled, Var real) {
            List<Var> ps = new ArrayList<>();
            for (Var p : fCur.parameters()) if (p.requiresGrad) ps.add(p);
            Var[] wrt = ps.toArray(new Var[0]);
            Tensor[][] g = new Tensor[2][];
            Half partnerScope = new Half();
            try {
                Runnable realPart =
                        () -> {
                            if (pair != null) partnerScope.enter(pair);
                            g[1] = Autograd.grad(real, wrt);
                        };
                Runnable recalledPart = () -> g[0] = Autograd.grad(recalled, wrt);
                if (pair != null) pair.both(realPart, recalledPart);
                else {
                    recalledPart.run();
                    realPart.run();
                }
                for (int i = 0; i < wrt.length; i++) {
                    Tensor sum = g[0][i];
                    Backend be = Backends.of(sum);
                    be.axpy(1f, g[1][i], sum);
                    if (wrt[i].grad == null) wrt[i].grad = sum;
                    else be.axpy(1f, sum, wrt[i].grad);
                }
            } finally {
                if (partnerScope.scope != null) pair.onPartner(partnerScope.scope::close);
            }
        }

        /** Whether X̂ lives in host memory (where steps are cut and may use the {@link Pair}). */
        private static boolean onCpu(RecalledBatch xhat) {
            return xhat.images().device() == Device.CPU;
        }

        /**
         * M copies of real rows (with replacement iff M &gt; N, else a random M-subset), or noise;
         * {@code rows}, when given, are the rows drawn already (the authors' stream).
         */
        RecalledBatch initial(Tensor x, SplittableRandom rng, int[] rows) {
            if (noiseInit) return RecalledBatch.noise(x, m, rng);
            return RecalledBatch.copies(x, rows != null ? rows : draw(rng, x.dim(0), m), dedup);
        }

        /**
         * ADI: M classes from seen-before minus present (ALGORITHM.md §3.3), or null if there are
         * none.
         */
        int[] chooseClasses(Batch b) {
            SplittableRandom rng = Draws.at(base, b.t(), Draws.CLASSES);
            boolean[] cand = b.seenBefore().clone();
            for (int c : b.present()) cand[c] = false;
            int[] classes = indices(cand);
            if (classes.length == 0) return null;
            int[] pick = numpy != null ? numpy.classes(b.t()) : draw(rng, classes.length, m);
            for (int i = 0; i < m; i++) pick[i] = classes[pick[i]];
            return pick;
        }
    }

    /**
     * numpy's choice(n, k, replace = k &gt; n): k uniform draws with replacement when k &gt; n,
     * otherwise the first k entries of a uniform random permutation (a permutation when k = n).
     */
    static int[] draw(SplittableRandom rng, int n, int k) {
        int[] out = new int[k];
        if (k > n) {
            for (int i = 0; i < k; i++) out[i] = rng.nextInt(n);
            return out;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; i < k; i++) { // partial Fisher–Yates
            int j = i + rng.nextInt(n - i);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
            out[i] = perm[i];
        }
        return out;
    }

    /**
     * One network's half of a cut refinement step: its leaf over X̂, its outputs, X̂'s gradient
     * through it, and, when parts of it ran on the partner thread, the recycling scope their arrays
     * come from (closed there once the caller has read them).
     */
    private static final class Half {
        Var leaf;
        Var[] out;
        Tensor grad;
        Scope scope;

        Var leaf(RecalledBatch xhat) {
            leaf = Var.param(xhat.images());
            return leaf;
        }

        /**
         * On the partner, opens its scope for this step's arrays before its first part there (a
         * part the caller took back puts them in the caller's step scope).
         */
        void enter(Pair pair) {
            if (scope == null && pair.onPartner()) scope = Scope.recycling();
        }

        void backward(Tensor... seeds) {
            grad = Autograd.grad(out, seeds, leaf)[0];
        }
    }

    private static Var plus(Var a, Var b) {
        return b == null ? a : F.add(a, b);
    }
}
