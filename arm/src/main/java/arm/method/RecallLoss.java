package arm.method;

import arm.autograd.F;
import arm.autograd.Var;
import arm.autograd.ops.ImagePrior;
import arm.autograd.ops.LogitTerms;
import arm.run.LossLog;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.LogitWeights;
import arm.tensor.Tensor;
import java.util.Arrays;

/**
 * The recall objective R that input refinement minimises (ALGORITHM.md §2.3), and ADI's refinement
 * loss (§3.3), composed from autograd primitives so that one {@code Autograd.grad(R, X̂)} gives the
 * input gradient through f_old and f_cur. On a device ARM's R runs as two fused ops instead, the
 * logit terms ({@link F#logitTerms}) and the image prior ({@link F#imagePrior}), each term still
 * logged apart; the CPU keeps the composed terms, whose rounding its runs are checked against.
 *
 * <p>Notation: a = f_old(X̂), b = f_cur(X̂), logits [M, K]; p = softmax(a), q = softmax(b); P = the
 * distinct labels of the current real batch, C = |P|; X̂ [M, …] with D values per image, viewed as
 * c×H×W for the total-variation term. Every term is a batch mean (or built from one), so the
 * per-image step is η1/M times the per-image gradient.
 *
 * <pre>
 * R_D     = 1 − (1/M) Σ_i ½[KL(m_i‖p_i) + KL(m_i‖q_i)],  m = ½(p+q)   (code's reversed-KL form, D1)
 * R_NL    = (1/C)(1/M) Σ_i Σ_{c∈P} log p_i[c]                            (λ1 on a, λ2 on b)
 * R_div   = Σ_k p̄_k log p̄_k,  p̄ = max((1/M) Σ_i p_i, ε)              (λ3)
 * R_sharp = (1/M) Σ_i −log p_i[argmax_k a_ik]   (argmax constant)      (λ4)
 * R_L2    = (1/(M·D)) Σ_i ‖x̂_i‖₂               (not squared)          (λ5)
 * R_TV    = (2/M)[Σ Δ_h² / (c(H−1)W) + Σ Δ_w² / (cH(W−1))]              (λ6)
 * </pre>
 *
 * <p>Counted batches (the {@code counts} overloads; null = every row once): X̂ holds U distinct
 * images, row u standing for w_u = counts[u] identical copies of the M = Σ w_u of the replicated
 * batch (ALGORITHM.md §2.1). Every Σ_i over the batch becomes Σ_u w_u (batch means, p̄, the soft-CE
 * of step B), so each value equals the replicated batch's, and the gradient w.r.t. row u is the sum
 * of its copies' gradients, w_u times one copy's.
 */
public final class RecallLoss {
    /** float64 machine epsilon, the diversity clamp of the authors' code (stored as float32). */
    public static final float EPS = (float) 2.220446049250313e-16;

    /**
     * Floor under the mixture m and under ‖x̂‖² before log / sqrt: only an entry that underflowed
     * to 0 is raised, and the clamp gives it zero gradient, as PyTorch's kl_div (target = 0) and
     * norm (norm = 0) backward do. Without it 0·log 0 would be NaN.
     */
    static final float TINY = Float.MIN_NORMAL;

    /** How the divergence term is measured (ALGORITHM.md §9 D1 and the CE-as-D ablation). */
    public enum Divergence {
        /** The authors' code: ½[KL(m‖p) + KL(m‖q)], unbounded. The default. */
        REVERSED_KL,
        /** The paper's wording: Jensen–Shannon ½[KL(p‖m) + KL(q‖m)]. */
        JENSEN_SHANNON,
        /**
         * The ablation {@code --use_crossent_as_D}: −(1/M) Σ_i softCE(b_i, p_i), p not detached.
         */
        CROSS_ENTROPY
    }

    /**
     * Weights of ARM's recall loss. A weight of 0 removes its term (the λk = 0 ablations and the
     * absent {@code --sharpen_class}, {@code --L2}, {@code --TV} flags).
     *
     * @param imageShape c, H, W of one image, for the TV term
     */
    public record Weights(
            Divergence divergence,
            float wD,
            float lambda1,
            float lambda2,
            float lambda3,
            float lambda4,
            float lambda5,
            float lambda6,
            int[] imageShape) {}

    private RecallLoss() {}

    // ------------------------------------------------------------ the two objectives

    /** ARM's recall loss R (ALGORITHM.md §2.3), to be minimised over X̂. */
    public static Var arm(Weights w, Var a, Var b, Var xhat, int[] present) {
        return arm(w, a, b, xhat, present, null);
    }

    /** R of a counted batch (class comment); counts [U] or null. */
    public static Var arm(Weights w, Var a, Var b, Var xhat, int[] present, int[] counts) {
        return arm(w, a, b, xhat, present, counts, null);
    }

    /**
     * R with, on a device, the class mask [K] given (null: made from present), e.g. a fixed input
     * that a graph reused across iterations reads ({@link arm.tensor.Backend#writeInts}); the CPU
     * uses present.
     */
    static Var arm(Weights w, Var a, Var b, Var xhat, int[] present, int[] counts, int[] mask) {
        Var logits =
                a.value.device() != Device.CPU
                        ? logits(w, a, b, present, counts, mask)
                        : composedLogits(w, a, b, present, counts);
        return plus(logits, images(w.lambda5(), w.lambda6(), w.imageShape(), xhat, counts));
    }

    /**
     * The logit terms of R composed from primitives (102 backend calls forward and backward with
     * every weight set, 122 counted), as the CPU runs them; null when every weight is 0.
     */
    static Var composedLogits(Weights w, Var a, Var b, int[] present, int[] counts) {
        Var lp = F.logSoftmax(a);
        Var r = null;
        if (w.wD() != 0)
            r =
                    plus(
                            r,
                            w.wD(),
                            LossLog.term(LossLog.R_D, divergence(w.divergence(), a, b, counts)));
        if (w.lambda1() != 0)
            r = plus(r, w.lambda1(), LossLog.term(LossLog.R_NL_OLD, notLocal(lp, present, counts)));
        if (w.lambda2() != 0)
            r =
                    plus(
                            r,
                            w.lambda2(),
                            LossLog.term(
                                    LossLog.R_NL_NEW, notLocal(F.logSoftmax(b), present, counts)));
        if (w.lambda3() != 0)
            r = plus(r, w.lambda3(), LossLog.term(LossLog.R_DIV, diversity(a, counts)));
        if (w.lambda4() != 0)
            r = plus(r, w.lambda4(), LossLog.term(LossLog.R_SHARP, sharpen(a, lp, counts)));
        return r;
    }

    /**
     * ADI's refinement loss (ALGORITHM.md §3.3): classesWeight·CE(a, chosen) +
     * adaptiveWeight·R_D(a, b) + optional λ4 sharpen, λ5 L2, λ6 TV, and {@code batchStats} =
     * w_bs·R_bs when the caller has one (ResNets only; null for the MLP).
     */
    public static Var adi(
            Weights w, float classesWeight, Var a, Var b, Var xhat, int[] chosen, Var batchStats) {
        return adi(
                w, classesWeight, a, b, xhat, chosen, batchStats, a.value.device() != Device.CPU);
    }

    /**
     * ADI's R with its logit terms wD·R_D + λ4·R_sharp as the fused op ({@code fused}: what a
     * device runs; ARM's terms with λ1 = λ2 = λ3 = 0, so no class mask is read) or composed (the
     * CPU, bit for bit as before). The fused op sums its two terms itself, so a device's R rounds
     * differently from the composed sum.
     */
    static Var adi(
            Weights w,
            float classesWeight,
            Var a,
            Var b,
            Var xhat,
            int[] chosen,
            Var batchStats,
            boolean fused) {
        Var r = null;
        if (classesWeight != 0)
            r = plus(r, classesWeight, LossLog.term(LossLog.R_CLASSES, F.crossEntropy(a, chosen)));
        if (fused) {
            Weights logitsOnly =
                    new Weights(
                            w.divergence(),
                            w.wD(),
                            0f,
                            0f,
                            0f,
                            w.lambda4(),
                            0f,
                            0f,
                            w.imageShape());
            r = plus(r, logits(logitsOnly, a, b, NO_CLASSES, null));
        } else {
            if (w.wD() != 0)
                r = plus(r, w.wD(), LossLog.term(LossLog.R_D, divergence(w.divergence(), a, b)));
            if (w.lambda4() != 0)
                r =
                        plus(
                                r,
                                w.lambda4(),
                                LossLog.term(LossLog.R_SHARP, sharpen(a, F.logSoftmax(a))));
        }
        r = plus(r, images(w.lambda5(), w.lambda6(), w.imageShape(), xhat, null));
        return plus(r, batchStats);
    }

    /** ADI's "present classes" for the fused terms: none (its not-local weights are 0). */
    private static final int[] NO_CLASSES = {};

    /**
     * The logit terms wD·R_D + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div + λ4·R_sharp as one fused op
     * ({@link F#logitTerms}: one launch forward, one backward on a GPU, instead of 102 calls, 122
     * counted), each term still logged apart; null when every weight is 0. {@link #arm} runs it on
     * a device; the CPU keeps the composed terms, whose float rounding the CPU runs are checked
     * against.
     */
    static Var logits(Weights w, Var a, Var b, int[] present, int[] counts) {
        return logits(w, a, b, present, counts, null);
    }

    /** {@link #logits} with the class mask given (null: made from present). */
    static Var logits(Weights w, Var a, Var b, int[] present, int[] counts, int[] mask) {
        LogitWeights lw =
                new LogitWeights(
                        switch (w.divergence()) {
                            case REVERSED_KL -> LogitWeights.REVERSED_KL;
                            case JENSEN_SHANNON -> LogitWeights.JENSEN_SHANNON;
                            case CROSS_ENTROPY -> LogitWeights.CROSS_ENTROPY;
                        },
                        w.wD(),
                        w.lambda1(),
                        w.lambda2(),
                        w.lambda3(),
                        w.lambda4());
        float[] weights = lw.asArray();
        boolean any = false;
        for (float x : weights) any |= x != 0;
        if (!any) return null;
        LogitTerms.Terms t =
                mask == null
                        ? LogitTerms.terms(a, b, present, counts, lw)
                        : LogitTerms.masked(a, b, mask, counts, lw);
        int[] columns = {
            LossLog.R_D, LossLog.R_NL_OLD, LossLog.R_NL_NEW, LossLog.R_DIV, LossLog.R_SHARP
        };
        for (int i = 0; i < columns.length; i++)
            if (weights[i] != 0) LossLog.term(columns[i], t.terms()[i]);
        return t.loss();
    }

    /**
     * λ5·R_L2 + λ6·R_TV (null when both weights are 0). On a device it is one fused op ({@link
     * F#imagePrior}: two launches forward, one backward, instead of ~56), which still logs R_L2 and
     * R_TV as separate terms; on the CPU the composed terms below, whose float rounding the CPU
     * runs are checked against.
     */
    static Var images(float l5, float l6, int[] chw, Var xhat, int[] counts) {
        if (l5 == 0 && l6 == 0) return null;
        if (xhat.value.device() != Device.CPU) {
            ImagePrior.Terms t = ImagePrior.terms(xhat, l5, l6, chw[0], chw[1], chw[2], counts);
            if (l5 != 0) LossLog.term(LossLog.R_L2, t.l2());
            if (l6 != 0) LossLog.term(LossLog.R_TV, t.tv());
            return t.loss();
        }
        Var r = null;
        if (l5 != 0) r = plus(r, l5, LossLog.term(LossLog.R_L2, l2(xhat, counts)));
        if (l6 != 0)
            r =
                    plus(
                            r,
                            l6,
                            LossLog.term(
                                    LossLog.R_TV,
                                    totalVariation(xhat, chw[0], chw[1], chw[2], counts)));
        return r;
    }

    private static Var plus(Var sum, float weight, Var term) {
        return plus(sum, weight == 1f ? term : F.scale(term, weight));
    }

    private static Var plus(Var sum, Var term) {
        if (term == null) return sum;
        return sum == null ? term : F.add(sum, term);
    }

    // ------------------------------------------------------------ the terms

    /** R_D in the chosen form; shape [1]. */
    public static Var divergence(Divergence kind, Var a, Var b) {
        return divergence(kind, a, b, null);
    }

    /** R_D of a counted batch; counts [U] or null. */
    public static Var divergence(Divergence kind, Var a, Var b, int[] counts) {
        return switch (kind) {
            case REVERSED_KL -> reversedKl(a, b, counts);
            case JENSEN_SHANNON -> jensenShannon(a, b, counts);
            case CROSS_ENTROPY -> F.neg(softCrossEntropy(b, F.softmax(a), counts));
        };
    }

    /** 1 − (1/M) Σ_i Σ_k m_ik (log m_ik − ½(log p_ik + log q_ik)); gradients flow through m too. */
    public static Var reversedKl(Var a, Var b) {
        return reversedKl(a, b, null);
    }

    /** {@link #reversedKl(Var, Var)} of a counted batch; counts [U] or null. */
    public static Var reversedKl(Var a, Var b, int[] counts) {
        Var lp = F.logSoftmax(a), lq = F.logSoftmax(b);
        Var m = F.scale(F.add(F.softmax(a), F.softmax(b)), 0.5f);
        Var inner = F.sub(F.log(F.clampMin(m, TINY)), F.scale(F.add(lp, lq), 0.5f));
        return oneMinusBatchMean(counted(F.mul(m, inner), counts), rows(a, counts));
    }

    /** 1 − (1/M) Σ_i ½[KL(p_i‖m_i) + KL(q_i‖m_i)], the paper's Jensen–Shannon form. */
    public static Var jensenShannon(Var a, Var b) {
        return jensenShannon(a, b, null);
    }

    /** {@link #jensenShannon(Var, Var)} of a counted batch; counts [U] or null. */
    public static Var jensenShannon(Var a, Var b, int[] counts) {
        Var lp = F.logSoftmax(a), lq = F.logSoftmax(b), p = F.softmax(a), q = F.softmax(b);
        Var logM = F.log(F.clampMin(F.scale(F.add(p, q), 0.5f), TINY));
        Var js = F.scale(F.add(F.mul(p, F.sub(lp, logM)), F.mul(q, F.sub(lq, logM))), 0.5f);
        return oneMinusBatchMean(counted(js, counts), rows(a, counts));
    }

    private static Var oneMinusBatchMean(Var perEntry, int m) {
        return F.addScalar(F.scale(F.sum(perEntry), -1f / m), 1f);
    }

    /** (1/C)(1/M) Σ_i Σ_{c∈P} logProbs[i, c], given log-softmax outputs [M, K]. */
    public static Var notLocal(Var logProbs, int[] present) {
        return notLocal(logProbs, present, null);
    }

    /** R_NL of a counted batch; counts [U] or null. */
    public static Var notLocal(Var logProbs, int[] present, int[] counts) {
        int m = rows(logProbs, counts), k = logProbs.dim(1);
        float[] mask = new float[k];
        for (int c : present) mask[c] = 1f; // P is a set: repeats count once
        int classes = 0;
        for (float v : mask) classes += (int) v;
        Tensor maskT =
                logProbs.value.device() == Device.CPU
                        ? Tensor.of(mask, k)
                        : deviceMask(Backends.of(logProbs.value), mask);
        Var sel = counted(F.mul(logProbs, Var.constant(maskT)), counts);
        return F.scale(F.sum(sel), 1f / (classes * (float) m));
    }

    /**
     * The 0/1 class mask built on the device ({@link #deviceIntegers}): refinement steps after the
     * first neither upload it nor wait for the host. Exactly the same values as the host mask.
     */
    static Tensor deviceMask(Backend be, float[] mask) {
        int[] v = new int[mask.length];
        for (int c = 0; c < v.length; c++) v[c] = mask[c] != 0 ? 1 : 0;
        return deviceIntegers(be, v);
    }

    /**
     * A float vector of small non-negative integers built on the device: a one is scattered at
     * column r of v[r] rows of an [n, k] buffer (n = Σ v) and the rows are summed. The columns are
     * an int array, which a GPU backend uploads once per content, so the same vector in every
     * refinement step costs no upload and no host wait, and a captured step can be replayed.
     * Integer sums of ones are exact: the values are exactly v's.
     */
    static Tensor deviceIntegers(Backend be, int[] v) {
        int k = v.length, n = 0;
        for (int x : v) n += x;
        if (n == 0) return be.zeros(k);
        if ((long) n * k > MAX_SCATTER) return be.upload(floats(v), k); // too large to build so
        int[] at = new int[n];
        for (int r = 0, i = 0; r < k; r++) for (int j = 0; j < v[r]; j++) at[i++] = r;
        Tensor ones = be.empty(n), rows = be.zeros(n, k), out = be.empty(k);
        be.fill(ones, 1f);
        be.scatterAddLastAxis(ones, at, rows); // row i: a one at column at[i]
        be.sumTo(rows, out);
        return out;
    }

    /** The largest [n, k] buffer {@link #deviceIntegers} builds (16 MiB of floats). */
    private static final long MAX_SCATTER = 1L << 22;

    /** The ints as floats. */
    static float[] floats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return f;
    }

    /**
     * Σ_k p̄_k log p̄_k with p̄ the batch mean of softmax(a), entries below {@link #EPS} set to
     * EPS.
     */
    public static Var diversity(Var a) {
        return diversity(a, null);
    }

    /** R_div of a counted batch: p̄ = Σ_u w_u p_u / M; counts [U] or null. */
    public static Var diversity(Var a, int[] counts) {
        Var mean =
                counts == null
                        ? F.mean(F.softmax(a), 0)
                        : F.scale(F.sum(counted(F.softmax(a), counts), 0), 1f / rows(a, counts));
        Var pBar = F.clampMin(mean, EPS);
        return F.sum(F.mul(pBar, F.log(pBar)));
    }

    /** (1/M) Σ_i −log p_i[ĉ_i], ĉ_i = argmax_k a_ik held constant; logProbs = log_softmax(a). */
    public static Var sharpen(Var a, Var logProbs) {
        return sharpen(a, logProbs, null);
    }

    /** R_sharp of a counted batch; counts [U] or null. */
    public static Var sharpen(Var a, Var logProbs, int[] counts) {
        // on a device the argmax stays there (no host wait); the same indices, the same sums
        Var picked =
                a.value.device() == Device.CPU
                        ? F.gather(logProbs, F.argmax(a))
                        : F.gather(logProbs, F.argmaxIndex(a));
        if (counts == null) return F.neg(F.mean(picked));
        return F.neg(F.scale(F.sum(counted(picked, counts)), 1f / rows(a, counts)));
    }

    /** (1/(M·D)) Σ_i ‖x̂_i‖₂ (not squared). */
    public static Var l2(Var xhat) {
        return l2(xhat, null);
    }

    /** R_L2 of a counted batch; counts [U] or null. */
    public static Var l2(Var xhat, int[] counts) {
        int u = xhat.dim(0), d = xhat.value.numel() / u, m = rows(xhat, counts);
        Var sq = F.sum(F.mul(F.reshape(xhat, u, d), F.reshape(xhat, u, d)), 1); // [U, 1]
        return F.scale(F.sum(counted(F.sqrt(F.clampMin(sq, TINY)), counts)), 1f / ((float) m * d));
    }

    /** (2/M)[Σ (x[h+1,w] − x[h,w])² / (c(H−1)W) + Σ (x[h,w+1] − x[h,w])² / (cH(W−1))]. */
    public static Var totalVariation(Var xhat, int c, int h, int w) {
        return totalVariation(xhat, c, h, w, null);
    }

    /** R_TV of a counted batch; counts [U] or null. */
    public static Var totalVariation(Var xhat, int c, int h, int w, int[] counts) {
        int u = xhat.dim(0), m = rows(xhat, counts);
        if (xhat.value.numel() != u * c * h * w)
            throw new IllegalArgumentException(
                    "TV: images of "
                            + xhat.value.numel() / u
                            + " values are not "
                            + c
                            + "x"
                            + h
                            + "x"
                            + w);
        Var img = F.reshape(xhat, u * c, h, w);
        Var dh = F.sub(F.slice(img, 1, 1, h), F.slice(img, 1, 0, h - 1));
        Var dw = F.sub(F.slice(img, 2, 1, w), F.slice(img, 2, 0, w - 1));
        Var sh = F.scale(F.sum(counted(F.mul(dh, dh), counts)), 1f / ((float) c * (h - 1) * w));
        Var sw = F.scale(F.sum(counted(F.mul(dw, dw), counts)), 1f / ((float) c * h * (w - 1)));
        return F.scale(F.add(sh, sw), 2f / m);
    }

    // ------------------------------------------------------------ counted batch means

    /** mean_i softCE(logits_i, targets_i) over the M samples a counted batch stands for. */
    public static Var softCrossEntropy(Var logits, Var targets, int[] counts) {
        return softCrossEntropy(logits, targets, counts, null);
    }

    /**
     * The same with the counts also as a device tensor [U] ({@code column}, or null): its rows
     * weight the entries instead of weights built from the host counts, so a graph replayed on
     * other counts written there reads them (the same values, so the same bits).
     */
    static Var softCrossEntropy(Var logits, Var targets, int[] counts, Tensor column) {
        if (counts == null) return F.softCrossEntropy(logits, targets);
        Var entries = F.mul(targets, F.logSoftmax(logits));
        Var perEntry =
                column == null
                        ? counted(entries, counts)
                        : F.mul(entries, Var.constant(column.reshape(counts.length, 1)));
        return F.scale(F.sum(perEntry), -1f / rows(logits, counts));
    }

    /** mean_i −log softmax(logits_i)[labels_i] over the M samples a counted batch stands for. */
    public static Var crossEntropy(Var logits, int[] labels, int[] counts) {
        if (counts == null) return F.crossEntropy(logits, labels);
        Var picked = counted(F.gather(F.logSoftmax(logits), labels), counts);
        return F.neg(F.scale(F.sum(picked), 1f / rows(logits, counts)));
    }

    /** M: the rows v stands for (Σ counts), or v's rows when counts is null. */
    static int rows(Var v, int[] counts) {
        if (counts == null) return v.dim(0);
        int m = 0;
        for (int k : counts) m += k;
        return m;
    }

    /**
     * v with each row scaled by its count: v [U·k, …] (k consecutive rows per sample, e.g. an
     * image's channels) times counts repeated k times; v itself when counts is null.
     */
    static Var counted(Var v, int[] counts) {
        if (counts == null) return v;
        int rows = v.dim(0), per = rows / counts.length;
        if (per * counts.length != rows)
            throw new IllegalArgumentException(
                    counts.length + " counts for " + rows + " rows of " + v);
        int[] w = new int[rows];
        for (int r = 0; r < rows; r++) w[r] = counts[r / per];
        int[] shape = new int[v.value.rank()];
        Arrays.fill(shape, 1);
        shape[0] = rows;
        // on a device the weights are built there (no upload, no host wait: capturable)
        Tensor wt =
                v.value.device() == Device.CPU
                        ? Tensor.of(floats(w), shape)
                        : deviceIntegers(Backends.of(v.value), w).reshape(shape);
        return F.mul(v, Var.constant(wt));
    }

    /** Row-wise argmax (first index on ties), outside the graph. */
    static int[] argmax(Tensor logits) {
        return F.argmax(Var.constant(logits));
    }
}
