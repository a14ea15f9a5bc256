package arm.kernels.cpu;

import arm.kernels.cpu.ref.GemmRef;

/**
 * Chooses the SGEMM implementation: naive reference for now; fast paths plug in here. The chosen
 * path is reported by {@link #path()} and written into results and benchmark output.
 */
public final class CpuGemm {
  private CpuGemm() {}

  public static String path() {
    return "naive";
  }

  public static void sgemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    GemmRef.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }
}
