package arm.kernels.cpu.ref;

/**
 * Naive batch normalisation per channel of NCHW data; statistics over the m = N·H·W values of a
 * channel, accumulated in double.
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
 */
public final class BatchNormRef {
    private BatchNormRef() {}

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
        forwardTrain(x, null, gamma, beta, eps, y, mean, var, n, c, hw);
    }

    /** The counted form; counts [N] or null. */
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
            int hw) {
        double m = (double) total(counts, n) * hw;
        for (int ch = 0; ch < c; ch++) {
            double s = 0; // w = 1 multiplies exactly: counts = null sums as the plain formula does
            for (int b = 0; b < n; b++) {
                double w = weight(counts, b);
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) s += w * x[o + i];
            }
            double mu = s / m, ss = 0;
            for (int b = 0; b < n; b++) {
                double w = weight(counts, b);
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    double d = x[o + i] - mu;
                    ss += w * d * d;
                }
            }
            mean[ch] = (float) mu;
            var[ch] = (float) (ss / m);
        }
        forwardEval(x, gamma, beta, mean, var, eps, y, n, c, hw);
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
        for (int ch = 0; ch < c; ch++) {
            float inv = (float) (1.0 / Math.sqrt(var[ch] + (double) eps));
            float g = gamma[ch] * inv, sh = beta[ch] - mean[ch] * g;
            for (int b = 0; b < n; b++)
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) y[o + i] = x[o + i] * g + sh;
        }
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
        backward(x, null, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw);
    }

    /** The counted form; counts [N] or null. */
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
            int hw) {
        double m = (double) total(counts, n) * hw;
        for (int ch = 0; ch < c; ch++) {
            double inv = 1.0 / Math.sqrt(var[ch] + (double) eps), mu = mean[ch];
            double sdy = 0, sdyx = 0;
            for (int b = 0; b < n; b++)
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    sdy += dy[o + i];
                    sdyx += dy[o + i] * ((x[o + i] - mu) * inv);
                }
            if (dBeta != null) dBeta[ch] = (float) sdy;
            if (dGamma != null) dGamma[ch] = (float) sdyx;
            if (dx == null) continue;
            double k = gamma[ch] * inv / m;
            // The plain kernel has always formed m·dy in float; counts = null keeps those bits, the
            // counted form uses double (it cancels against w·Σdy when a sample's copies fill the
            // batch).
            float mf = (float) m;
            for (int b = 0; b < n; b++) {
                double w = weight(counts, b);
                for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
                    double xh = (x[o + i] - mu) * inv,
                            mdy = counts == null ? mf * dy[o + i] : m * dy[o + i];
                    dx[o + i] = (float) (k * (mdy - w * sdy - w * xh * sdyx));
                }
            }
        }
    }

    /** Σ counts, or n when counts is null. */
    public static long total(int[] counts, int n) {
        if (counts == null) return n;
        long t = 0;
        for (int i = 0; i < n; i++) t += counts[i];
        return t;
    }

    private static double weight(int[] counts, int b) {
        return counts == null ? 1.0 : counts[b];
    }
}
