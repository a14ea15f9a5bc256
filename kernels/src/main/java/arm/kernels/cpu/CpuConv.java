package arm.kernels.cpu;

import arm.kernels.cpu.ref.ConvRef;

/** Chooses the convolution implementation: naive direct loops for now; fast paths plug in here. */
public final class CpuConv {
  private CpuConv() {}

  public static String path() {
    return "naive";
  }

  public static void forward(float[] x, float[] w, float[] y, int n, int ci, int h, int wd, int co,
      int kh, int kw, int stride, int pad) {
    ConvRef.forward(x, w, y, n, ci, h, wd, co, kh, kw, stride, pad);
  }

  public static void backwardInput(float[] dy, float[] w, float[] dx, int n, int ci, int h, int wd,
      int co, int kh, int kw, int stride, int pad) {
    ConvRef.backwardInput(dy, w, dx, n, ci, h, wd, co, kh, kw, stride, pad);
  }

  public static void backwardWeight(float[] x, float[] dy, float[] dw, int n, int ci, int h, int wd,
      int co, int kh, int kw, int stride, int pad) {
    ConvRef.backwardWeight(x, dy, dw, n, ci, h, wd, co, kh, kw, stride, pad);
  }
}
