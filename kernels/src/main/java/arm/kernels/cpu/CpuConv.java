package arm.kernels.cpu;

import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;

/**
 * Chooses the convolution implementation once, at class load: {@code -Darm.conv=naive} forces the
 * direct loops of {@link ConvRef}; otherwise im2col + {@link CpuGemm} ({@link ConvIm2col}), which
 * inherits the GEMM's SIMD or scalar path. {@link #path()} names the choice and the thread count.
 */
public final class CpuConv {
  private CpuConv() {}

  public enum Path { NAIVE, IM2COL }

  private static final Path PATH = choose(System.getProperty("arm.conv"));

  static Path choose(String forced) {
    if (forced == null || forced.isBlank()) return Path.IM2COL;
    try {
      return Path.valueOf(forced.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-Darm.conv=" + forced + ": expected naive or im2col", e);
    }
  }

  public static Path active() {
    return PATH;
  }

  /** e.g. "im2col + gemm simd (AVX2, 8 float lanes), 2 threads". */
  public static String path() {
    return PATH == Path.NAIVE ? "naive"
        : "im2col + gemm " + CpuGemm.path() + ", " + CpuThreads.threads()
            + (CpuThreads.threads() == 1 ? " thread" : " threads");
  }

  public static void forward(float[] x, float[] w, float[] y, int n, int ci, int h, int wd, int co,
      int kh, int kw, int stride, int pad) {
    if (PATH == Path.NAIVE) ConvRef.forward(x, w, y, n, ci, h, wd, co, kh, kw, stride, pad);
    else ConvIm2col.forward(x, w, y, new ConvShape(n, ci, h, wd, co, kh, kw, stride, pad));
  }

  public static void backwardInput(float[] dy, float[] w, float[] dx, int n, int ci, int h, int wd,
      int co, int kh, int kw, int stride, int pad) {
    if (PATH == Path.NAIVE) ConvRef.backwardInput(dy, w, dx, n, ci, h, wd, co, kh, kw, stride, pad);
    else ConvIm2col.backwardInput(dy, w, dx, new ConvShape(n, ci, h, wd, co, kh, kw, stride, pad));
  }

  public static void backwardWeight(float[] x, float[] dy, float[] dw, int n, int ci, int h, int wd,
      int co, int kh, int kw, int stride, int pad) {
    if (PATH == Path.NAIVE) ConvRef.backwardWeight(x, dy, dw, n, ci, h, wd, co, kh, kw, stride, pad);
    else ConvIm2col.backwardWeight(x, dy, dw, new ConvShape(n, ci, h, wd, co, kh, kw, stride, pad));
  }
}
