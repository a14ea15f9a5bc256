package arm.kernels.cpu.fast;

/**
 * Batch normalisation per channel of NCHW data, the fast twin of {@link
 * arm.kernels.cpu.ref.BatchNormRef} (same formulas, same outputs up to rounding).
 *
 * <p>x, y, dy, dx [N, C, HW]; γ, β, μ, σ² [C]; m = N·HW values per channel. Each (n, c) plane is
 * summed in float with four independent accumulators (instruction-level parallelism; a plane has at
 * most 84·84 values), planes are combined in double. The per-element passes are written as y = a·x
 * + b forms that the JIT vectorises.
 *
 * <pre>
 * forward:  μ = Σx/m,  σ² = Σ(x − μ)²/m,  y = γ/√(σ²+ε) · x + (β − μ·γ/√(σ²+ε))
 * backward: with inv = 1/√(σ²+ε), Sdy = Σdy, Sdyc = Σ dy·(x − μ):
 *           dβ = Sdy,  dγ = inv·Sdyc,
 *           dx = γ·inv·dy − (γ·inv³·Sdyc/m)·(x − μ) − γ·inv·Sdy/m
 * </pre>
 *
 * <p>Counted form (the {@code counts} overloads; counts = null is the plain one): sample n stands
 * for w_n = counts[n] identical copies, m = (Σ w)·HW, and every batch sum over planes is weighted:
 * μ = Σ w·x/m, σ² = Σ w·(x − μ)²/m; in the backward dβ and dγ are plain sums (dy already carries
 * the copies) and the two correction terms of dx scale by w_n (see {@link
 * arm.kernels.cpu.ref.BatchNormRef}). A weight of 1 multiplies exactly, so counts = null gives the
 * same bits as the plain formulas.
 *
 * <p>The fused BN → ReLU pair ({@link #forwardTrainRelu}, {@link #backwardRelu}) writes max(0, y)
 * in the affine pass, and its backward applies the mask [y &gt; 0] inside both passes of the
 * batch-norm backward, so neither the ReLU's output nor its gradient is ever materialised.
 */
public final class BatchNormFast {
    private BatchNormFast() {}

    public static void forwardTrain(
            float[] x,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw) {
        forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw, 0, c);
    }

    /** The same on channels [c0, c1) only (a thread's share). */
    public static void forwardTrain(
            float[] x,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        train(x, null, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, false);
    }

    /** The counted form on channels [c0, c1); counts [N] or null. */
    public static void forwardTrain(
            float[] x,
            int[] counts,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        train(x, counts, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, false);
    }

    public static void forwardEval(
            float[] x,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            float eps,
            float[] y,
            int n,
            int c,
            int hw) {
        forwardEval(x, gamma, beta, mean, var, eps, y, n, c, hw, 0, c);
    }

    /** The same on channels [c0, c1) only (a thread's share). */
    public static void forwardEval(
            float[] x,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            float eps,
            float[] y,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        for (int ch = c0; ch < c1; ch++)
            normalise(x, gamma, beta, mean, var, eps, y, n, c, hw, ch, false);
    }

    /** y = max(0, BN(x)): {@link #forwardTrain} with the ReLU in the affine pass. */
    public static void forwardTrainRelu(
            float[] x,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw) {
        forwardTrainRelu(x, gamma, beta, eps, y, mean, var, n, c, hw, 0, c);
    }

    /** The same on channels [c0, c1) only (a thread's share). */
    public static void forwardTrainRelu(
            float[] x,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        train(x, null, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, true);
    }

    /** The counted form on channels [c0, c1); counts [N] or null. */
    public static void forwardTrainRelu(
            float[] x,
            int[] counts,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        train(x, counts, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, true);
    }

    /**
     * Per channel: the batch statistics (planes weighted by counts, null = 1 each) into mean, var,
     * then the affine pass (with the ReLU if asked).
     */
    private static void train(
            float[] x,
            int[] counts,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw,
            int c0,
            int c1,
            boolean relu) {
        double m = (double) total(counts, n) * hw;
        for (int ch = c0; ch < c1; ch++) {
            double s = 0;
            for (int b = 0; b < n; b++) s += weight(counts, b) * sum(x, (b * c + ch) * hw, hw);
            float mu = (float) (s / m);
            double ss = 0;
            for (int b = 0; b < n; b++)
                ss += weight(counts, b) * sumSquaredDeviation(x, (b * c + ch) * hw, hw, mu);
            mean[ch] = mu;
            var[ch] = (float) (ss / m);
            normalise(x, gamma, beta, mean, var, eps, y, n, c, hw, ch, relu);
        }
    }

    /** Channel ch of y = γ/√(σ²+ε)·x + (β − μ·γ/√(σ²+ε)), or its max with 0. */
    private static void normalise(
            float[] x,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            float eps,
            float[] y,
            int n,
            int c,
            int hw,
            int ch,
            boolean relu) {
        float inv = (float) (1.0 / Math.sqrt(var[ch] + (double) eps));
        float g = gamma[ch] * inv, sh = beta[ch] - mean[ch] * g;
        for (int b = 0; b < n; b++) {
            int o = (b * c + ch) * hw;
            if (relu) affineRelu(x, y, o, hw, g, sh);
            else affine(x, y, o, hw, g, sh);
        }
    }

    /**
     * Backward of {@link #forwardTrainRelu} given its output y: {@link #backward} of dz = dy·[y
     * &gt; 0] without forming dz. dx, dGamma, dBeta may each be null.
     */
    public static void backwardRelu(
            float[] x,
            float[] y,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw) {
        backwardRelu(x, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, 0, c);
    }

    /** The same on channels [c0, c1) only (a thread's share). */
    public static void backwardRelu(
            float[] x,
            float[] y,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        backwardRelu(x, null, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
    }

    /** The counted form on channels [c0, c1); counts [N] or null. */
    public static void backwardRelu(
            float[] x,
            int[] counts,
            float[] y,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        if (y == null)
            throw new IllegalArgumentException("backwardRelu needs the forward's output y");
        pass(x, counts, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
    }

    /** dx, dGamma, dBeta may each be null when not wanted. */
    public static void backward(
            float[] x,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw) {
        backward(x, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, 0, c);
    }

    /** The same on channels [c0, c1) only (a thread's share). */
    public static void backward(
            float[] x,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        pass(x, null, null, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
    }

    /** The counted form on channels [c0, c1); counts [N] or null. */
    public static void backward(
            float[] x,
            int[] counts,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        pass(x, counts, null, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
    }

    /**
     * Every backward: relu = the fused forward's output y (dy is then masked by [y &gt; 0] in every
     * pass), or null for the plain batch norm; counts weight the planes' correction terms (null = 1
     * each). The choices are made per plane, outside the loops.
     */
    private static void pass(
            float[] x,
            int[] counts,
            float[] relu,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw,
            int c0,
            int c1) {
        double m = (double) total(counts, n) * hw;
        for (int ch = c0; ch < c1; ch++) {
            double inv = 1.0 / Math.sqrt(var[ch] + (double) eps);
            float mu = mean[ch];
            double sdy = 0, sdyc = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                sdy += relu == null ? sum(dy, o, hw) : maskedSum(dy, relu, o, hw);
                sdyc +=
                        relu == null
                                ? dotCentred(dy, x, o, hw, mu)
                                : maskedDotCentred(dy, relu, x, o, hw, mu);
            }
            if (dBeta != null) dBeta[ch] = (float) sdy;
            if (dGamma != null) dGamma[ch] = (float) (inv * sdyc);
            if (dx == null) continue;
            double g = gamma[ch];
            float a = (float) (g * inv), bx = (float) (-g * inv * inv * inv * sdyc / m);
            float k0 =
                    (float)
                            (-g * inv * sdy / m
                                    - bx * (double) mu); // folds −bx·μ into the constant
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                float w = (float) weight(counts, b),
                        bw = bx * w,
                        kw = k0 * w; // w = 1: exact, the plain bits
                if (relu == null)
                    for (int i = o; i < o + hw; i++) dx[i] = a * dy[i] + bw * x[i] + kw;
                else
                    for (int i = o; i < o + hw; i++)
                        dx[i] = a * ReluFast.masked(dy[i], relu[i]) + bw * x[i] + kw;
            }
        }
    }

    /** Σ counts, or n when counts is null (the number of samples the batch stands for). */
    static long total(int[] counts, int n) {
        return arm.kernels.cpu.ref.BatchNormRef.total(counts, n);
    }

    private static double weight(int[] counts, int b) {
        return counts == null ? 1.0 : counts[b];
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
    static float maskedSum(float[] dy, float[] y, int o, int len) {
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
    static float maskedDotCentred(float[] dy, float[] y, float[] x, int o, int len, float mu) {
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
