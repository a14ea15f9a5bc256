package arm.kernels.cpu.ref;

import arm.tensor.Unary;

/**
 * Naive batch normalisation per channel of NCHW data; statistics over the m = N·H·W values of a
 * channel, accumulated in double. Arguments other than x, y and the gradients are in {@link
 * BatchNormArrays}.
 *
 * <p>Forward (train): μ = Σx/m, σ² = Σ(x−μ)²/m (biased), x̂ = (x−μ)/√(σ²+ε), y = γ·x̂ + β.
 * Backward: dβ = Σdy, dγ = Σ dy·x̂, dx = γ/(m·√(σ²+ε)) · (m·dy − dβ − x̂·dγ).
 *
 * <p>Counted (weighted) form, for a batch stored as its distinct samples, sample n standing for
 * counts[n] identical copies (ARM's recalled batch, ALGORITHM.md §2.1). With w_n = counts[n] and m
 * = (Σ w_n)·H·W it equals the replicated batch exactly:
 *
 * <pre>
 * μ = Σ w·x / m,   σ² = Σ w·(x − μ)² / m
 * dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/(m·√(σ²+ε)) · (m·dy − w·(dβ + x̂·dγ))
 * </pre>
 *
 * where dy is the gradient of the weighted loss (the sum over a sample's copies), and dx is then
 * the sum of the copies' input gradients. counts = null means every w_n = 1 (the plain formulas).
 *
 * <p>With relu the forward is max(0, BN(x)) and the backward first masks dy by [y &gt; 0] (y the
 * ReLU's output): the ReLU loops of {@link ElementwiseRef} after and before the batch norm.
 */
public final class BatchNormRef {
    private BatchNormRef() {}

    /**
     * y = BN(x), or relu(BN(x)) when relu. Training: the batch statistics into a.mean, a.var, then
     * the running-statistics update; eval: normalises with a.mean, a.var.
     */
    public static void forward(BatchNormArrays a, float[] x, boolean relu, float[] y) {
        if (a.training()) statistics(a, x);
        normalise(a, x, y);
        if (relu) ElementwiseRef.unary(Unary.RELU, y, 0f, y, a.n() * a.c() * a.hw());
        a.updateRunning(0, a.c());
    }

    /**
     * Eval mode: relu(BN(x) + r), composed as the graph computes it (the batch norm, then the
     * residual add, then the ReLU, each a pass of its own); r [N, C, HW]. The naive twin of the
     * fused {@code forwardAddRelu} kernels.
     */
    public static void forwardAddRelu(BatchNormArrays a, float[] x, float[] r, float[] y) {
        if (a.training()) throw new IllegalArgumentException("eval mode only");
        normalise(a, x, y);
        int len = a.n() * a.c() * a.hw();
        for (int i = 0; i < len; i++) y[i] = y[i] + r[i];
        ElementwiseRef.unary(Unary.RELU, y, 0f, y, len);
    }

    private static void statistics(BatchNormArrays a, float[] x) {
        int n = a.n(), c = a.c(), hw = a.hw();
        double m = a.values();
        for (int ch = 0; ch < c; ch++) {
            double s = 0; // w = 1 multiplies exactly: counts = null sums as the plain formula does
            for (int b = 0; b < n; b++) {
                double w = a.weight(b);
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) s += w * x[o + i];
            }
            double mu = s / m, ss = 0;
            for (int b = 0; b < n; b++) {
                double w = a.weight(b);
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    double d = x[o + i] - mu;
                    ss += w * d * d;
                }
            }
            a.mean()[ch] = (float) mu;
            a.var()[ch] = (float) (ss / m);
        }
    }

    /** y = γ/√(σ²+ε)·x + (β − μ·γ/√(σ²+ε)) per channel. */
    private static void normalise(BatchNormArrays a, float[] x, float[] y) {
        int n = a.n(), c = a.c(), hw = a.hw();
        for (int ch = 0; ch < c; ch++) {
            float inv = (float) (1.0 / Math.sqrt(a.var()[ch] + (double) a.eps()));
            float g = a.gamma()[ch] * inv, sh = a.beta()[ch] - a.mean()[ch] * g;
            for (int b = 0; b < n; b++)
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) y[o + i] = x[o + i] * g + sh;
        }
    }

    /**
     * Backward through the batch statistics a.mean, a.var (class comment); reluOut is the fused
     * ReLU's output or null. dx, dGamma, dBeta may each be null when not wanted.
     */
    public static void backward(
            BatchNormArrays a,
            float[] x,
            float[] reluOut,
            float[] dy,
            float[] dx,
            float[] dGamma,
            float[] dBeta) {
        int n = a.n(), c = a.c(), hw = a.hw();
        if (reluOut != null) {
            float[] dz = new float[n * c * hw];
            ElementwiseRef.unaryBackward(Unary.RELU, reluOut, reluOut, dy, 0f, dz, dz.length);
            dy = dz;
        }
        double m = a.values();
        for (int ch = 0; ch < c; ch++) {
            double inv = 1.0 / Math.sqrt(a.var()[ch] + (double) a.eps()), mu = a.mean()[ch];
            double sdy = 0, sdyx = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    sdy += dy[o + i];
                    sdyx += dy[o + i] * ((x[o + i] - mu) * inv);
                }
            if (dBeta != null) dBeta[ch] = (float) sdy;
            if (dGamma != null) dGamma[ch] = (float) sdyx;
            if (dx == null) continue;
            double k = a.gamma()[ch] * inv / m;
            // counts = null forms m·dy in float, the counted form in double (it cancels against
            // w·Σdy when a sample's copies fill the batch)
            float mf = (float) m;
            for (int b = 0; b < n; b++) {
                double w = a.weight(b);
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    double xh = (x[o + i] - mu) * inv,
                            mdy = a.counts() == null ? mf * dy[o + i] : m * dy[o + i];
                    dx[o + i] = (float) (k * (mdy - w * sdy - w * xh * sdyx));
                }
            }
        }
    }
}
