package arm.kernels.cpu.fast;

/**
 * Cache-blocked SGEMM in plain Java, the fallback when the Vector API module is absent:
 * C[M, N] = alpha · op(A)[M, K] · op(B)[K, N] + beta · C, same contract as
 * {@link arm.kernels.cpu.ref.GemmRef#sgemm}.
 *
 * <p>Loop order i-k-j: the innermost loop is {@code Crow[j] += a_ik · Brow[j]} over contiguous
 * rows, which HotSpot's auto-vectoriser turns into SIMD code by itself. Blocking keeps it in
 * cache: op(B) is packed KC×NC at a time into a contiguous row-major block (this is where a
 * transposed B gets turned around) that stays in L2, and each C row strip of NC floats stays in L1
 * while K runs. Four C rows share each B row load. beta is applied once, up front.
 */
public final class GemmBlocked {
  private GemmBlocked() {}

  static final int KC = 128, NC = 512;

  private static final ThreadLocal<float[]> PACK = ThreadLocal.withInitial(() -> new float[KC * NC]);

  public static void sgemm(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      for (int j = 0; j < n; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
    }
    if (k == 0 || alpha == 0f) return;
    float[] bp = PACK.get();
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        packB(transB, b, bOff, ldb, pc, jc, kc, nc, bp);
        int i = 0;
        for (; i + 4 <= m; i += 4) {
          block4(transA, alpha, a, aOff, lda, i, pc, kc, bp, nc, c, cOff + i * ldc + jc, ldc);
        }
        for (; i < m; i++) {
          block1(transA, alpha, a, aOff, lda, i, pc, kc, bp, nc, c, cOff + i * ldc + jc);
        }
      }
    }
  }

  /** dst[p·nc + j] = op(B)[pc + p, jc + j]. */
  static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc,
      float[] dst) {
    for (int p = 0; p < kc; p++) {
      int d = p * nc;
      if (!transB) {
        System.arraycopy(b, bOff + (pc + p) * ldb + jc, dst, d, nc);
      } else {
        int src = bOff + jc * ldb + pc + p;
        for (int j = 0; j < nc; j++) dst[d + j] = b[src + j * ldb];
      }
    }
  }

  private static float at(boolean transA, float[] a, int aOff, int lda, int i, int p) {
    return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
  }

  /** Rows i..i+3 of C, columns of the packed block: C += alpha · A[i.., pc..] · Bp. */
  private static void block4(boolean transA, float alpha, float[] a, int aOff, int lda, int i,
      int pc, int kc, float[] bp, int nc, float[] c, int c0, int ldc) {
    int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    for (int p = 0; p < kc; p++) {
      float x0 = alpha * at(transA, a, aOff, lda, i, pc + p);
      float x1 = alpha * at(transA, a, aOff, lda, i + 1, pc + p);
      float x2 = alpha * at(transA, a, aOff, lda, i + 2, pc + p);
      float x3 = alpha * at(transA, a, aOff, lda, i + 3, pc + p);
      int bRow = p * nc;
      for (int j = 0; j < nc; j++) {
        float y = bp[bRow + j];
        c[c0 + j] += x0 * y;
        c[c1 + j] += x1 * y;
        c[c2 + j] += x2 * y;
        c[c3 + j] += x3 * y;
      }
    }
  }

  private static void block1(boolean transA, float alpha, float[] a, int aOff, int lda, int i,
      int pc, int kc, float[] bp, int nc, float[] c, int c0) {
    for (int p = 0; p < kc; p++) {
      float x = alpha * at(transA, a, aOff, lda, i, pc + p);
      int bRow = p * nc;
      for (int j = 0; j < nc; j++) c[c0 + j] += x * bp[bRow + j];
    }
  }
}
