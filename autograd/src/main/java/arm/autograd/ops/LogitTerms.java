package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.LogitWeights;
import arm.tensor.Tensor;

/**
 * The logit terms of ARM's recall loss as one op: a = f_old(X̂), b = f_cur(X̂) [U, K], row u
 * standing for w_u = counts[u] copies (null: once each), M = Σ w_u, P the classes of the real batch
 * (a set: repeats count once), C = |P|:
 *
 * <pre>
 * y = wD·R_D(a, b) + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div(a) + λ4·R_sharp(a)   (a weight of 0 drops its term)
 * </pre>
 *
 * with the terms of {@code RecallLoss} (formulas in {@link Backend#logitTerms}; backward in closed
 * form, {@code LogitTermsRef}). The composed terms cost 102 backend calls forward and backward with
 * every weight set (122 counted; {@code LogitTermsLossTest}); on a GPU this op costs two launches,
 * one forward (one block: per-row sums, column means, the terms) and one backward (a thread per
 * row, the softmaxes recomputed). Saves the column mean p̄ [K] (for R_div) besides a's and b's
 * references.
 */
public final class LogitTerms {
    private LogitTerms() {}

    /**
     * y [1] and the five terms alone beside it ([1] constants indexed by {@link #R_D} … {@link
     * #R_SHARP}; a term of weight 0 is 0 there), for logging.
     */
    public record Terms(Var loss, Var[] terms) {}

    public static final int R_D = 0, R_NL_OLD = 1, R_NL_NEW = 2, R_DIV = 3, R_SHARP = 4;

    /** The 0/1 class mask [K] of the classes P. */
    public static int[] mask(int[] present, int classes) {
        int[] m = new int[classes];
        for (int c : present) m[c] = 1;
        return m;
    }

    /** y of logits a, b; present the classes P; counts [U] or null. */
    public static Var apply(Var a, Var b, int[] present, int[] counts, LogitWeights w) {
        return terms(a, b, present, counts, w).loss();
    }

    /** {@link #apply} with the terms' values. */
    public static Terms terms(Var a, Var b, int[] present, int[] counts, LogitWeights w) {
        Backend be = Node.backendOf(a.value);
        int[] mask = mask(present, a.dim(1));
        Tensor y = be.empty(1), colMean = be.empty(a.dim(1));
        Tensor[] terms = new Tensor[5];
        Var[] vars = new Var[5];
        for (int i = 0; i < 5; i++) vars[i] = Var.constant(terms[i] = be.empty(1));
        be.logitTerms(a.value, w.needsB() ? b.value : null, mask, counts, w, y, terms, colMean);
        Var loss =
                Node.record(
                        y,
                        new LogitNode(
                                a,
                                w.needsB() ? b : null,
                                mask,
                                counts,
                                w,
                                w.l3() != 0 ? colMean : null));
        return new Terms(loss, vars);
    }

    static final class LogitNode extends Node {
        final int[] mask, counts;
        final LogitWeights w;
        final Tensor colMean;
        final boolean hasB;

        LogitNode(Var a, Var b, int[] mask, int[] counts, LogitWeights w, Tensor colMean) {
            super(b == null ? new Var[] {a} : new Var[] {a, b});
            this.hasB = b != null;
            this.mask = mask;
            this.counts = counts == null ? null : counts.clone();
            this.w = w;
            this.colMean = colMean;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var a = inputs[0], b = hasB ? inputs[1] : null;
            boolean needA = g.needs(a), needB = b != null && g.needs(b);
            if (!needA && !needB) return;
            Backend be = backendOf(dy);
            Tensor da = needA ? be.empty(a.shape()) : null;
            Tensor db = needB ? be.empty(b.shape()) : null;
            be.logitTermsBackward(
                    a.value, hasB ? b.value : null, mask, counts, w, colMean, dy, da, db);
            if (needA) g.add(a, da);
            if (needB) g.add(b, db);
        }
    }
}
