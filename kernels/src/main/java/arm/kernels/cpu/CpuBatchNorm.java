package arm.kernels.cpu;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.simd.BatchNormSimd;

/**
 * Chooses the batch-norm implementation once, at class load ({@code -Darm.bn=naive|fast|simd}):
 * {@link BatchNormRef} (naive loops), {@link BatchNormFast} (scalar, four accumulators) or {@link
 * BatchNormSimd} (Vector API; the default when the GEMM runs on the Vector API, else fast). Shapes:
 * x [N, C, HW], statistics [C]. With {@code -Darm.threads} &gt; 1 large tensors are split by
 * channel (channels are independent, so the bits do not depend on the thread count).
 */
public final class CpuBatchNorm {
  private CpuBatchNorm() {}

  enum Path { NAIVE, FAST, SIMD }

  private static final Path PATH = choose(System.getProperty("arm.bn"), CpuGemm.active() == CpuGemm.Path.SIMD);

  static Path choose(String forced, boolean simd) {
    if (forced == null || forced.isBlank()) return simd ? Path.SIMD : Path.FAST;
    Path p;
    try {
      p = Path.valueOf(forced.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-Darm.bn=" + forced + ": expected naive, fast or simd", e);
    }
    if (p == Path.SIMD && !simd)
      throw new IllegalStateException("-Darm.bn=simd needs the Vector API (--add-modules jdk.incubator.vector)");
    return p;
  }

  private static final boolean NAIVE = PATH == Path.NAIVE;

  public static String path() {
    return PATH.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Elements from which a batch norm is split across threads. */
  static final int PARALLEL_MIN = 1 << 16;

  /** The kernel on channels [c0, c1), as a view of the full tensors. */
  private interface Channels {
    void run(int c0, int c1);
  }

  private static void byChannel(int n, int c, int hw, Channels body) {
    int parts = (long) n * c * hw < PARALLEL_MIN ? 1 : CpuThreads.parts(c);
    CpuThreads.run(parts, p -> body.run(c * p / parts, c * (p + 1) / parts));
  }

  public static void forwardTrain(float[] x, float[] gamma, float[] beta, float eps, float[] y,
      float[] mean, float[] var, int n, int c, int hw) {
    if (NAIVE) BatchNormRef.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw);
    else if (PATH == Path.SIMD) byChannel(n, c, hw, (c0, c1) -> Simd.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, false));
    else byChannel(n, c, hw, (c0, c1) -> BatchNormFast.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1));
  }

  public static void forwardEval(float[] x, float[] gamma, float[] beta, float[] mean, float[] var,
      float eps, float[] y, int n, int c, int hw) {
    if (NAIVE) BatchNormRef.forwardEval(x, gamma, beta, mean, var, eps, y, n, c, hw);
    else byChannel(n, c, hw, (c0, c1) -> BatchNormFast.forwardEval(x, gamma, beta, mean, var, eps, y, n, c, hw, c0, c1));
  }

  /** y = relu(BN(x)); the naive path composes BatchNormRef and the ReLU loop. */
  public static void forwardTrainRelu(float[] x, float[] gamma, float[] beta, float eps, float[] y,
      float[] mean, float[] var, int n, int c, int hw) {
    if (PATH == Path.SIMD) {
      byChannel(n, c, hw, (c0, c1) -> Simd.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, true));
      return;
    }
    if (!NAIVE) {
      byChannel(n, c, hw, (c0, c1) -> BatchNormFast.forwardTrainRelu(x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1));
      return;
    }
    BatchNormRef.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw);
    arm.kernels.cpu.ref.ElementwiseRef.unary(arm.tensor.Unary.RELU, y, 0f, y, n * c * hw);
  }

  /** Backward of {@link #forwardTrainRelu} from its output y. */
  public static void backwardRelu(float[] x, float[] y, float[] dy, float[] gamma, float[] mean,
      float[] var, float eps, float[] dx, float[] dGamma, float[] dBeta, int n, int c, int hw) {
    if (PATH == Path.SIMD) {
      byChannel(n, c, hw, (c0, c1) -> Simd.backward(x, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1));
      return;
    }
    if (!NAIVE) {
      byChannel(n, c, hw, (c0, c1) -> BatchNormFast.backwardRelu(x, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1));
      return;
    }
    float[] dz = new float[n * c * hw];
    arm.kernels.cpu.ref.ElementwiseRef.unaryBackward(arm.tensor.Unary.RELU, y, y, dy, 0f, dz, dz.length);
    BatchNormRef.backward(x, dz, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw);
  }

  public static void backward(float[] x, float[] dy, float[] gamma, float[] mean, float[] var,
      float eps, float[] dx, float[] dGamma, float[] dBeta, int n, int c, int hw) {
    if (NAIVE) BatchNormRef.backward(x, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw);
    else if (PATH == Path.SIMD) byChannel(n, c, hw, (c0, c1) -> Simd.backward(x, null, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1));
    else byChannel(n, c, hw, (c0, c1) -> BatchNormFast.backward(x, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1));
  }

  /** Holder: the only place that names BatchNormSimd; loaded on the first SIMD call. */
  private static final class Simd {
    static void forwardTrain(float[] x, float[] gamma, float[] beta, float eps, float[] y, float[] mean,
        float[] var, int n, int c, int hw, int c0, int c1, boolean relu) {
      BatchNormSimd.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, relu);
    }

    static void backward(float[] x, float[] y, float[] dy, float[] gamma, float[] mean, float[] var,
        float eps, float[] dx, float[] dGamma, float[] dBeta, int n, int c, int hw, int c0, int c1) {
      BatchNormSimd.backward(x, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
    }
  }
}
