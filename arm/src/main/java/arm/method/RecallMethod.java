package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
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
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Profile;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ARM (ALGORITHM.md §1.4, §2) and ADI (§3.3). Both run, per iteration t:
 *
 * <pre>
 * if the lag rule fires: f_old ← copy(f_cur)
 * step A: SGD step on mean CE(f_cur(X), Y)
 * if t ≥ recall_from_t:
 *   zero the weight gradients once (so round r applies the sum of rounds 0..r, §9 D12)
 *   for r in 0..R−1:
 *     if r = 0 or from_scratch: X̂ ← M rows of X (with replacement iff M &gt; N), or U[0,1) noise
 *     S times: X̂ ← X̂ − η1 · ∇_X̂ R(f_old(X̂), f_cur(X̂), X̂)      (input gradient only)
 *     targets (no grad): p̂ = softmax(f_old(X̂)), p = softmax(f_old(X))
 *     step B: SGD step on λ0 · softCE(f_cur(X̂), p̂) + [aux_distill] λ0_real · softCE(f_cur(X), p)
 * </pre>
 *
 * They differ only in R: ARM's recall loss ({@link RecallLoss#arm}), or ADI's CE toward M past
 * classes drawn from seen-but-not-present classes plus the same divergence ({@link
 * RecallLoss#adi}).
 *
 * <p>ARM's option {@code dedup} (off by default): when the M draws repeat real rows, X̂ is kept as
 * its U distinct images with multiplicities ({@link DistinctRows}); both networks run the counted
 * forward ({@link CountedForward}: counted train-mode BatchNorm), R and step B's recalled mean
 * count each image w_u times, and each input step moves an image by η1 times one copy's gradient
 * (∂R/∂x̂_u / w_u). The result equals the replicated batch's up to float rounding (tested in
 * DedupTest). Not for ADI: its target classes are drawn per copy, so copies differ.
 */
final class RecallMethod extends ContinualMethod {
    private final boolean adi;
    private final int m, s, r;
    private final float eta1, lambda0, lambda0Real, classesWeight, wBs;
    private final boolean fromScratch, noiseInit, auxDistill, hardTargets, dedup;
    private final Divergence divergence;
    private final float wD, l1, l2, l3, l4, l5, l6;

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
        l1 = adi ? 0 : opts.nonNegative("lambda1");
        l2 = adi ? 0 : opts.nonNegative("lambda2");
        l3 = adi ? 0 : opts.nonNegative("lambda3");
        l4 = opts.nonNegative("lambda4");
        l5 = opts.nonNegative("lambda5");
        l6 = opts.nonNegative("lambda6");
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
                        l1,
                        l2,
                        l3,
                        l4,
                        l5,
                        l6,
                        Models.imageShape(data.train().itemShape()));
        RecallLearner l = new RecallLearner(fCur, opt, w, lag(data, rng), recallFromT(data), rng);
        if (authorsRng)
            l.numpy = NumpyDraws.of(data, recallFromT(data), m, r, fromScratch, adi, !noiseInit);
        return l;
    }

    /** Observes a learner's steps, for tests of the order of operations. */
    interface Trace {
        Trace NONE = (event, t, xhat) -> {};

        /** event ∈ refresh, stepA, refine (after each input step), targets, stepB. */
        void at(String event, int t, Tensor xhat);
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
        Trace trace = Trace.NONE;

        /** Records Figs. 2–3 data when set; null = off. */
        RecallRecorder recorder;

        /** rng = authors: the authors' numpy draws of this run (null: our per-site streams). */
        NumpyDraws numpy;

        /** The real rows the last {@link #initial} copied (null after noise initialisation). */
        private int[] lastRows;

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

        @Override
        public Map<String, Tensor> stateTensors() {
            Map<String, Tensor> out = tensorsOf(fOld, "f_old.");
            if (recorder != null) out.putAll(recorder.stateTensors());
            return out;
        }

        @Override
        public Map<String, long[]> stateValues() {
            Map<String, long[]> out = new java.util.TreeMap<>();
            out.put("lag.next", new long[] {lag.next()});
            if (recorder != null) out.putAll(recorder.stateValues());
            return out;
        }

        @Override
        public void restoreState(Map<String, long[]> values, Map<String, Tensor> tensors) {
            long[] next = values.get("lag.next");
            if (next == null || next.length != 1 || next[0] < 0 || next[0] > Integer.MAX_VALUE)
                throw new IllegalArgumentException("checkpoint lacks a valid lag.next");
            lag.resumeAt((int) next[0]);
            if (recorder != null) recorder.restore(values, tensors);
        }

        @Override
        public void train(Batch b) {
            if (lag.refreshAt(b.t())) {
                fOld.copyFrom(fCur);
                trace.at("refresh", b.t(), null);
            }
            try (Profile.Section p = Profile.phase("step A")) {
                realStep(fCur, opt, b);
            }
            trace.at("stepA", b.t(), null);
            if (b.t() < recallFromT) return;
            int[] chosen = adi ? chooseClasses(b) : null;
            if (adi && chosen == null) return; // no seen-but-absent class to recall yet
            opt.zeroGrad();
            Tensor xhat = null, start = null;
            DistinctRows distinct = null;
            for (int round = 0; round < r; round++) {
                if (round == 0 || fromScratch) {
                    int[] rows = numpy != null && !noiseInit ? numpy.rows(b.t(), round) : null;
                    xhat = initial(b.x(), Draws.at(base, b.t(), Draws.RECALL_INIT + round), rows);
                    if (recorder != null && recorder.wantsImages(b.t()))
                        start = Tensor.of(xhat.toArray(), xhat.shape);
                    distinct = distinctRows(b.x().dim(0));
                    if (distinct != null) xhat = distinct.distinct(b.x());
                }
                refine(xhat, b, chosen, distinct);
                Guard.tensor(xhat, "recalled inputs X̂ after refinement");
                Tensor oldLogits;
                try (Profile.Section p = Profile.phase("step B")) {
                    oldLogits = recallStep(xhat, b, distinct);
                }
                if (distinct != null && recorder != null)
                    oldLogits = distinct.expand(oldLogits); // M rows
                if (recorder != null) recorder.round(b.t(), oldLogits);
                if (start != null && round == r - 1)
                    recorder.images(
                            b.t(),
                            start,
                            distinct == null ? xhat : distinct.expand(xhat),
                            lastRows,
                            b.y(),
                            oldLogits);
            }
        }

        /** With dedup on and repeated draws in {@link #lastRows}: the distinct rows; else null. */
        private DistinctRows distinctRows(int n) {
            if (!dedup || lastRows == null) return null;
            DistinctRows d = DistinctRows.of(lastRows, n);
            return d.repeats() ? d : null;
        }

        /** A recalled batch and where it came from, for analyses. */
        record Recalled(Tensor xhat, int[] rows, Tensor oldLogits) {}

        /**
         * Recalls once from batch b (initialise, S refinement steps) with the current f_old and
         * f_cur, without any SGD step; f_old's logits on the final X̂ come under no-grad. For
         * analyses of a finished run: call it on a {@link #frozenCopy}, since train-mode BatchNorm
         * passes move the running statistics. Null for ADI when b leaves no past class to recall.
         */
        Recalled recallOnly(Batch b) {
            int[] chosen = adi ? chooseClasses(b) : null;
            if (adi && chosen == null) return null;
            Tensor xhat = initial(b.x(), Draws.at(base, b.t(), Draws.RECALL_INIT), null);
            int[] rows = lastRows;
            DistinctRows distinct = distinctRows(b.x().dim(0));
            if (distinct != null) xhat = distinct.distinct(b.x());
            refine(xhat, b, chosen, distinct);
            try (var ng = Autograd.noGrad()) {
                Tensor logits = forward(fOld, Var.constant(xhat), distinct).value;
                if (distinct == null) return new Recalled(xhat, rows, logits);
                return new Recalled(distinct.expand(xhat), rows, distinct.expand(logits));
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
         * S steps of plain gradient descent on R over X̂ (in place); weights are never touched.
         * With {@code distinct} (null: none) X̂ holds the distinct images and every step is
         * counted.
         */
        void refine(Tensor xhat, Batch b, int[] chosen, DistinctRows distinct) {
            if (xhat.device() == arm.tensor.Device.CPU) {
                refineSteps(xhat, b, chosen, distinct, null);
                return;
            }
            // on a device the finite checks are deferred: each step adds its loss and
            // input-gradient sum
            // to one device scalar, read once after the S steps (NaN or Inf anywhere makes it
            // non-finite);
            // only then is X̂ restored and the refinement redone with a check at every step, which
            // names
            // the step and the term exactly as the immediate checks do
            arm.tensor.Backend be = Backends.of(xhat);
            Tensor start = be.empty(xhat.shape), bad = be.zeros(1);
            be.copy(xhat, start);
            refineSteps(xhat, b, chosen, distinct, bad);
            if (Float.isFinite(be.download(bad)[0])) return;
            be.copy(start, xhat);
            refineSteps(xhat, b, chosen, distinct, null);
        }

        /**
         * S steps; {@code bad} null: check each step on the host, else accumulate into it (see
         * refine).
         */
        private void refineSteps(
                Tensor xhat, Batch b, int[] chosen, DistinctRows distinct, Tensor bad) {
            Var x = Var.param(xhat);
            for (int step = 0; step < s; step++) {
                if (captureSteps && trace == Trace.NONE && bad != null) {
                    int st = step;
                    if (graphs == null) graphs = new CapturedStep(Backends.of(xhat));
                    graphs.run(
                            graphKey(xhat, b, chosen, distinct),
                            () -> refineOneStep(x, xhat, b, chosen, distinct, st, bad));
                } else {
                    refineOneStep(x, xhat, b, chosen, distinct, step, bad);
                }
            }
        }

        /**
         * What a captured step bakes in besides fixed weights: X̂ itself (a new tensor each
         * iteration), the class sets and the counts (their device copies are taken at capture).
         */
        private static String graphKey(Tensor xhat, Batch b, int[] chosen, DistinctRows distinct) {
            return System.identityHashCode(xhat)
                    + arm.tensor.Shape.str(xhat.shape)
                    + java.util.Arrays.toString(b.present())
                    + java.util.Arrays.toString(chosen)
                    + java.util.Arrays.toString(distinct == null ? null : distinct.counts());
        }

        /**
         * {@code -Darm.graphs=true}: on a device, refinement steps go through a {@link
         * CapturedStep} (runs without a trace): captured once per iteration and replayed where the
         * backend can; a capture that fails (the step waited for the host) leaves the steps eager,
         * and {@link #graphs}.fallback() says why. Per-call host values are baked into a graph: the
         * cumulative-average BatchNorm factor (momentum None, ResNet's stem) changes every call, so
         * use it with the MLP.
         */
        private final boolean captureSteps = Boolean.getBoolean("arm.graphs");

        CapturedStep graphs;

        private void refineOneStep(
                Var x,
                Tensor xhat,
                Batch b,
                int[] chosen,
                DistinctRows distinct,
                int step,
                Tensor bad) {
            try (Scope sc =
                    Scope.open()) { // on a device, each step's graph is freed before the next
                refineStep(x, xhat, b, chosen, distinct, step, bad);
            }
        }

        /** One input step X̂ ← X̂ − η1 · ∇_X̂ R (per copy: the distinct image's gradient / w_u). */
        private void refineStep(
                Var x,
                Tensor xhat,
                Batch b,
                int[] chosen,
                DistinctRows distinct,
                int step,
                Tensor bad) {
            int[] counts = distinct == null ? null : distinct.counts();
            Var a, q, loss, bs = null;
            try (Profile.Section p = Profile.phase("forward")) {
                if (wBs == 0) a = forward(fOld, x, distinct);
                else {
                    BatchStatsLoss.Forward out = ((BatchStatsLoss) fOld).forwardWithBatchStats(x);
                    a = out.logits();
                    bs = F.scale(LossLog.term(LossLog.R_BS, out.batchStats()), wBs);
                }
                q = forward(fCur, x, distinct);
            }
            try (Profile.Section p = Profile.phase("recall loss")) {
                loss =
                        adi
                                ? RecallLoss.adi(weights, classesWeight, a, q, x, chosen, bs)
                                : plus(RecallLoss.arm(weights, a, q, x, b.present(), counts), bs);
                if (bad != null) {
                    Backends.of(xhat).axpy(1f, loss.value, bad);
                    LossLog.add(LossLog.RECALL, loss); // reads R back only on logged iterations
                } else {
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
                                                q,
                                                x,
                                                b.present(),
                                                chosen,
                                                bs));
                }
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
                if (distinct != null) g = perCopy(g, counts);
                Backends.of(xhat).axpy(-eta1, g, xhat);
            }
            trace.at("refine", b.t(), traced(xhat, distinct));
        }

        /**
         * The replicated batch for the trace (which observes M images), only when someone listens.
         */
        private Tensor traced(Tensor xhat, DistinctRows distinct) {
            return distinct == null || trace == Trace.NONE ? xhat : distinct.expand(xhat);
        }

        /**
         * Targets from f_old under no-grad, then step B (gradients accumulate since the last zero).
         * Returns f_old's logits on X̂ (the targets' source), for the recorder.
         */
        Tensor recallStep(Tensor xhat, Batch b, DistinctRows distinct) {
            int[] counts = distinct == null ? null : distinct.counts();
            Var xr = Var.constant(xhat), x = Var.constant(b.x());
            Var aHat, pReal = null;
            try (var ng = Autograd.noGrad()) {
                aHat = forward(fOld, xr, distinct);
                if (auxDistill) pReal = F.softmax(fOld.forward(x));
            }
            trace.at("targets", b.t(), traced(xhat, distinct));
            Var out = forward(fCur, xr, distinct);
            Var loss =
                    hardTargets
                            ? RecallLoss.crossEntropy(out, RecallLoss.argmax(aHat.value), counts)
                            : RecallLoss.softCrossEntropy(out, F.softmax(aHat), counts);
            loss = F.scale(loss, lambda0);
            Guard.loss(loss, "step B loss λ0·softCE(f_cur(X̂), softmax(f_old(X̂)))");
            if (auxDistill) {
                Var real = F.scale(F.softCrossEntropy(fCur.forward(x), pReal), lambda0Real);
                Guard.loss(real, "step B loss λ0_real·softCE(f_cur(X), softmax(f_old(X)))");
                loss = F.add(loss, real);
            }
            LossLog.add(LossLog.STEP_B, loss);
            Autograd.backward(loss);
            Guard.gradients(fCur, "step B");
            opt.step();
            trace.at("stepB", b.t(), traced(xhat, distinct));
            return aHat.value;
        }

        /**
         * M copies of real rows (with replacement iff M &gt; N, else a random M-subset), or noise;
         * {@code rows}, when given, are the rows drawn already (the authors' stream).
         */
        Tensor initial(Tensor x, SplittableRandom rng, int[] rows) {
            int n = x.dim(0), d = x.numel() / n;
            int[] shape = x.shape.clone();
            shape[0] = m;
            float[] out = new float[m * d];
            lastRows = null;
            if (noiseInit) {
                for (int i = 0; i < out.length; i++) out[i] = (float) rng.nextDouble();
            } else {
                float[] src = x.toArray();
                int[] idx = rows != null ? rows : draw(rng, n, m);
                lastRows = idx;
                for (int i = 0; i < m; i++) System.arraycopy(src, idx[i] * d, out, i * d, d);
            }
            return ContinualMethod.onDevice(Tensor.of(out, shape), x.device());
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

    /** net(x), or the counted forward of the distinct images when {@code distinct} is not null. */
    private static Var forward(Module net, Var x, DistinctRows distinct) {
        return distinct == null
                ? net.forward(x)
                : ((CountedForward) net).forward(x, distinct.counts());
    }

    /**
     * g [U, …] with row u divided by counts[u]: one copy's gradient from the sum over the copies.
     */
    private static Tensor perCopy(Tensor g, int[] counts) {
        int[] shape = new int[g.rank()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = counts.length;
        float[] w = new float[counts.length];
        for (int u = 0; u < w.length; u++) w[u] = counts[u];
        var be = Backends.of(g);
        Tensor col =
                g.device() == arm.tensor.Device.CPU ? Tensor.of(w, shape) : be.upload(w, shape);
        Tensor out = be.zeros(g.shape);
        be.binary(arm.tensor.Binary.DIV, g, col, out);
        return out;
    }

    private static Var plus(Var a, Var b) {
        return b == null ? a : F.add(a, b);
    }
}
