package arm.kernels.cpu.ref;

/**
 * Naive batch normalisation per channel of NCHW data; statistics over the m = N·H·W values of a
 * channel, accumulated in double.
 *
 * <p>Forward (train): μ = Σx/m, σ² = Σ(x−μ)²/m (biased), x̂ = (x−μ)/√(σ²+ε), y = γ·x̂ + β.
 * Backward: dβ = Σdy, dγ = Σ dy·x̂, dx = γ/(m·√(σ²+ε)) · (m·dy − dβ − x̂·dγ).
 */
public final class BatchNormRef {
  private BatchNormRef() {}

  public static void forwardTrain(
      float[] x, float[] gamma, float[] beta, float eps, float[] y, float[] mean, float[] var,
      int n, int c, int hw) {
    int m = n * hw;
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int b = 0; b < n; b++)
        for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) s += x[o + i];
      double mu = s / m, ss = 0;
      for (int b = 0; b < n; b++)
        for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
          double d = x[o + i] - mu;
          ss += d * d;
        }
      mean[ch] = (float) mu;
      var[ch] = (float) (ss / m);
    }
    forwardEval(x, gamma, beta, mean, var, eps, y, n, c, hw);
  }

  public static void forwardEval(
      float[] x, float[] gamma, float[] beta, float[] mean, float[] var, float eps, float[] y,
      int n, int c, int hw) {
    for (int ch = 0; ch < c; ch++) {
      float inv = (float) (1.0 / Math.sqrt(var[ch] + (double) eps));
      float g = gamma[ch] * inv, sh = beta[ch] - mean[ch] * g;
      for (int b = 0; b < n; b++)
        for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) y[o + i] = x[o + i] * g + sh;
    }
  }

  /** dx, dGamma, dBeta may each be null when not wanted. */
  public static void backward(
      float[] x, float[] dy, float[] gamma, float[] mean, float[] var, float eps,
      float[] dx, float[] dGamma, float[] dBeta, int n, int c, int hw) {
    int m = n * hw;
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
      for (int b = 0; b < n; b++)
        for (int i = 0, o = (b * c + ch) * hw; i < hw; i++) {
          double xh = (x[o + i] - mu) * inv;
          dx[o + i] = (float) (k * (m * dy[o + i] - sdy - xh * sdyx));
        }
    }
  }
}
