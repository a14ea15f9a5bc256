package arm.kernels.cpu.fast;

import arm.kernels.cpu.ref.BatchNormArrays;

/**
 * Batch normalisation per channel of NCHW data, the fast twin of {@link
 * arm.kernels.cpu.ref.BatchNormRef} (same formulas, same outputs up to rounding).
 *
 * <p>x, y, dy, dx [N, C, HW]; γ, β, μ, σ² [C] and the rest in {@link BatchNormArrays}; m = N·HW
 * values per channel. Each (n, c) plane is summed in float with four independent accumulators
 * (instruction-level parallelism; a plane has at most 84·84 values), planes are combined in double.
 * The per-element passes are written as y = a·x + b forms that the JIT vectorises.
 *
 * <pre>
 * forward:  μ = Σx/m,  σ² = Σ(x − μ)²/m,  y = γ/√(σ²+ε) · x + (β − μ·γ/√(σ²+ε))
 * backward: with inv = 1/√(σ²+ε), Sdy = Σdy, Sdyc = Σ dy·(x − μ):
 *           dβ = Sdy,  dγ = inv·Sdyc,
 *           dx = γ·inv·dy − (γ·inv³·Sdyc/m)·(x − μ) − γ·inv·Sdy/m
 * </pre>
 *
 * <p>Counted form (a.counts not null): sample n stands for w_n = counts[n] identical copies, m = (Σ
 * w)·HW, and every batch sum over planes is weighted: μ = Σ w·x/m, σ² = Σ w·(x − μ)²/m; in the
 * backward dβ and dγ are plain sums (dy already carries the copies) and the two correction terms of
 * dx scale by w_n (see {@link arm.kernels.cpu.ref.BatchNormRef}). A weight of 1 multiplies exactly,
 * so counts = null gives the same bits as the plain formulas.
 *
 * <p>The fused BN → ReLU pair (relu, reluOut) writes max(0, y) in the affine pass, and its backward
 * applies the mask [y &gt; 0] inside both passes of the batch-norm backward, so neither the ReLU's
 * output nor its gradient is ever materialised.
 */
public final class BatchNormFast {
    private BatchNormFast() {}

    /**
     * y = BN(x), or max(0, BN(x)) when relu, on channels [c0, c1) (a thread's share; the whole
     * tensor is [0, C)). Training: the batch statistics into a.mean, a.var, the affine pass, then
     * the running-statistics update; eval: the affine pass with a.mean, a.var.
     */
    public static void forward(
            BatchNormArrays a, float[] x, boolean relu, float[] y, int c0, int c1) {
        for (int ch = c0; ch < c1; ch++) {
            if (a.training()) statistics(a, x, ch);
            normalise(a, x, y, ch, relu);
        }
        a.updateRunning(c0, c1);
    }

    /**
     * Eval mode, channels [c0, c1): y = max(0, (x·g + sh) + r), the eval BN, the residual add and
     * the ReLU in one pass with the composed ops' rounding (r [N, C, HW] the residual).
     */
    public static void forwardAddRelu(
            BatchNormArrays a, float[] x, float[] r, float[] y, int c0, int c1) {
        int n = a.n(), c = a.c(), hw = a.hw();
        for (int ch = c0; ch < c1; ch++) {
            float inv = (float) (1.0 / Math.sqrt(a.var()[ch] + (double) a.eps()));
            float g = a.gamma()[ch] * inv, sh = a.beta()[ch] - a.mean()[ch] * g;
            for (int b = 0; b < n; b++)
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    float v = (x[o + i] * g + sh) + r[o + i];
                    y[o + i] = v > 0f ? v : 0f;
                }
        }
    }

    /** Channel ch's batch statistics (planes weighted by the counts) into a.mean, a.var. */
    private static void statistics(BatchNormArrays a, float[] x, int ch) {
        int n = a.n(), c = a.c(), hw = a.hw();
        double m = a.values();
        double s = 0;
        for (int b = 0; b < n; b++) s += a.weight(b) * sum(x, (b * c + ch) * hw, hw);
        float mu = (float) (s / m);
        double ss = 0;
        for (int b = 0; b < n; b++)
            ss += a.weight(b) * sumSquaredDeviation(x, (b * c + ch) * hw, hw, mu);
        a.mean()[ch] = mu;
        a.var()[ch] = (float) (ss / m);
    }

    /** Channel ch of y = γ/√(σ²+ε)·x + (β − μ·γ/√(σ²+ε)), or its max with 0. */
    private static void normalise(BatchNormArrays a, float[] x, float[] y, int ch, boolean relu) {
        int n = a.n(), c = a.c(), hw = a.hw();
        float inv = (float) (1.0 / Math.sqrt(a.var()[ch] + (double) a.eps()));
        float g = a.gamma()[ch] * inv, sh = a.beta()[ch] - a.mean()[ch] * g;
        for (int b = 0; b < n; b++) {
            int o = (b * c + ch) * hw;
            if (relu) affineRelu(x, y, o, hw, g, sh);
            else affine(x, y, o, hw, g, sh);
        }
    }

    /**
     * The backward on channels [c0, c1): reluOut = the fused forward's output (dy is then masked by
     * [reluOut &gt; 0] in every pass, without forming the masked gradient), or null for the plain
     * batch norm; the counts weight the planes' correction terms. dx, dGamma, dBeta may each be
     * null. The choices are made per plane, outside the loops.
     */
    public static void backward(
            BatchNormArrays a,
            float[] x,
            float[] reluOut,
            float[] dy,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int c0,
            int c1) {
        backward(a, x, reluOut, dy, dx, dGamma, dBeta, c0, c1, SCALAR);
    }

    /**
     * The backward's per-plane passes: the masked sums of the fused BN → ReLU and the dx pass.
     * {@link #SCALAR} is the plain Java; {@link arm.kernels.cpu.simd.BatchNormPasses} computes the
     * same bits on the Vector API.
     */
    public interface Passes {
        /**
         * Σ dy·[y &gt; 0] over [o, o + len), four accumulators: the scalar loop for every
         * implementation (its four interleaved chains in a fixed order gain nothing from vectors).
         */
        default float maskedSum(float[] dy, float[] y, int o, int len) {
            return BatchNormFast.maskedSum(dy, y, o, len);
        }

        /** Σ dy·[y &gt; 0]·(x − μ), four accumulators: the scalar loop, as maskedSum. */
        default float maskedDotCentred(float[] dy, float[] y, float[] x, int o, int len, float mu) {
            return BatchNormFast.maskedDotCentred(dy, y, x, o, len, mu);
        }

        /** dx = ax·dz + bw·x + kw on [o, o + len), dz = dy, or dy·[relu &gt; 0] when relu given. */
        void dx(
                float[] dy,
                float[] relu,
                float[] x,
                float[] dx,
                int o,
                int len,
                float ax,
                float bw,
                float kw);
    }

    /** The scalar passes. */
    public static final Passes SCALAR =
            new Passes() {
                @Override
                public void dx(
                        float[] dy,
                        float[] relu,
                        float[] x,
                        float[] dx,
                        int o,
                        int len,
                        float ax,
                        float bw,
                        float kw) {
                    if (relu == null)
                        for (int i = o; i < o + len; i++) dx[i] = ax * dy[i] + bw * x[i] + kw;
                    else
                        for (int i = o; i < o + len; i++)
                            dx[i] = ax * ReluFast.masked(dy[i], relu[i]) + bw * x[i] + kw;
                }
            };

    /**
     * {@link #backward(BatchNormArrays, float[], float[], float[], float[], float[], float[], int,
     * int)} with the given passes.
     */
    public static void backward(
            BatchNormArrays a,
            float[] x,
            float[] reluOut,
            float[] dy,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int c0,
            int c1,
            Passes passes) {
        int n = a.n(), c = a.c(), hw = a.hw();
        float[] relu = reluOut;
        double m = a.values();
        for (int ch = c0; ch < c1; ch++) {
            double inv = 1.0 / Math.sqrt(a.var()[ch] + (double) a.eps());
            float mu = a.mean()[ch];
            double sdy = 0, sdyc = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                sdy += relu == null ? sum(dy, o, hw) : passes.maskedSum(dy, relu, o, hw);
                sdyc +=
                        relu == null
                                ? dotCentred(dy, x, o, hw, mu)
                                : passes.maskedDotCentred(dy, relu, x, o, hw, mu);
            }
            if (dBeta != null) dBeta[ch] = (float) sdy;
            if (dGamma != null) dGamma[ch] = (float) (inv * sdyc);
            if (dx == null) continue;
            double g = a.gamma()[ch];
            float ax = (float) (g * inv), bx = (float) (-g * inv * inv * inv * sdyc / m);
            float k0 = (float) (-g * inv * sdy / m - bx * (double) mu); // folds −bx·μ in
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                float w = (float) a.weight(b), bw = bx * w, kw = k0 * w; // w = 1: the plain bits
                passes.dx(dy, relu, x, dx, o, hw, ax, bw, kw);
            }
        }
    }

    static float sum(float[] v, int o, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
        }
        for (; i < end; i++) s0 += v[i];
        return (s0 + s1) + (s2 + s3);
    }

    static float sumSquaredDeviation(float[] v, int o, int len, float mu) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4) {
            float d0 = v[i] - mu, d1 = v[i + 1] - mu, d2 = v[i + 2] - mu, d3 = v[i + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < end; i++) {
            float d = v[i] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    static float dotCentred(float[] dy, float[] x, int o, int len, float mu) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4) {
            s0 += dy[i] * (x[i] - mu);
            s1 += dy[i + 1] * (x[i + 1] - mu);
            s2 += dy[i + 2] * (x[i + 2] - mu);
            s3 += dy[i + 3] * (x[i + 3] - mu);
        }
        for (; i < end; i++) s0 += dy[i] * (x[i] - mu);
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ dy·[y &gt; 0] with four accumulators. */
    public static float maskedSum(float[] dy, float[] y, int o, int len) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4) {
            s0 += ReluFast.masked(dy[i], y[i]);
            s1 += ReluFast.masked(dy[i + 1], y[i + 1]);
            s2 += ReluFast.masked(dy[i + 2], y[i + 2]);
            s3 += ReluFast.masked(dy[i + 3], y[i + 3]);
        }
        for (; i < end; i++) s0 += ReluFast.masked(dy[i], y[i]);
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ dy·[y &gt; 0]·(x − μ) with four accumulators. */
    public static float maskedDotCentred(
            float[] dy, float[] y, float[] x, int o, int len, float mu) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4) {
            s0 += ReluFast.masked(dy[i], y[i]) * (x[i] - mu);
            s1 += ReluFast.masked(dy[i + 1], y[i + 1]) * (x[i + 1] - mu);
            s2 += ReluFast.masked(dy[i + 2], y[i + 2]) * (x[i + 2] - mu);
            s3 += ReluFast.masked(dy[i + 3], y[i + 3]) * (x[i + 3] - mu);
        }
        for (; i < end; i++) s0 += ReluFast.masked(dy[i], y[i]) * (x[i] - mu);
        return (s0 + s1) + (s2 + s3);
    }

    private static void affine(float[] x, float[] y, int o, int len, float g, float sh) {
        for (int i = o; i < o + len; i++) y[i] = x[i] * g + sh;
    }

    private static void affineRelu(float[] x, float[] y, int o, int len, float g, float sh) {
        for (int i = o; i < o + len; i++)
            y[i] = Math.max(x[i] * g + sh, 0f); // branch-free, see ReluFast
    }
}
