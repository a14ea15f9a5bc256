package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.FixedInts;
import arm.tensor.Tensor;

/**
 * The image prior of ARM's recall loss, λ5·R_L2 + λ6·R_TV, as one op: x̂ [U, …] holds U images of D
 * = c·h·w values, row u standing for w_u = counts[u] copies (null: once each), M = Σ w_u, TINY =
 * the smallest normal float (the clamp that gives ‖x̂_u‖ = 0 a zero gradient, as torch's norm).
 *
 * <pre>
 * forward:  R_L2 = (1/(M·D)) Σ_u w_u √max(s_u, TINY),   s_u = Σ_j x̂_uj²
 *           R_TV = (2/M)[Σ_u w_u Σ Δ_h² / (c(h−1)w) + Σ_u w_u Σ Δ_w² / (ch(w−1))]
 *           y    = λ5·R_L2 + λ6·R_TV                    (a weight of 0 drops its term)
 * backward: dx̂_u = dy · w_u · ( λ5/(M·D) · x̂_u/√s_u · [s_u ≥ TINY]
 *                              + λ6·(4/M)·(δ_h/(c(h−1)w) + δ_w/(ch(w−1))) )
 *           δ_h[i] = (x[i] − x[i−1])·[i &gt; 0] − (x[i+1] − x[i])·[i &lt; h−1] along h, δ_w along w
 * </pre>
 *
 * Δ_h, Δ_w are the differences of neighbours along h and w within each channel. The composed terms
 * ({@code RecallLoss.l2}, {@code RecallLoss.totalVariation}) cost 56 backend calls forward and
 * backward (62 counted); this op costs three launches: two forward (the per-image sums, then the
 * scalar) and one backward, which recomputes s_u rather than saving it. Saves nothing but x̂'s
 * reference.
 */
public final class ImagePrior {
    private ImagePrior() {}

    /** y [1] with R_L2 and R_TV alone beside it ([1] constants, for logging). */
    public record Terms(Var loss, Var l2, Var tv) {}

    /** λ5·R_L2 + λ6·R_TV of x̂ viewed as [U, c, h, w]; counts [U] or null. */
    public static Var apply(Var x, float l5, float l6, int c, int h, int w, int[] counts) {
        return terms(x, l5, l6, c, h, w, counts).loss();
    }

    /** {@link #apply} with the two terms' values. */
    public static Terms terms(Var x, float l5, float l6, int c, int h, int w, int[] counts) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(1), l2 = be.empty(1), tv = be.empty(1);
        be.imagePrior(x.value, c, h, w, counts, l5, l6, y, l2, tv);
        Var loss = Node.record(y, new PriorNode(x, l5, l6, c, h, w, counts));
        return new Terms(loss, Var.constant(l2), Var.constant(tv));
    }

    static final class PriorNode extends Node {
        final float l5, l6;
        final int c, h, w;
        final int[] counts;

        PriorNode(Var x, float l5, float l6, int c, int h, int w, int[] counts) {
            super(x);
            this.l5 = l5;
            this.l6 = l6;
            this.c = c;
            this.h = h;
            this.w = w;
            this.counts = FixedInts.keep(counts);
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.empty(x.shape());
            be.imagePriorBackward(x.value, c, h, w, counts, l5, l6, dy, dx);
            g.add(x, dx);
        }
    }
}
