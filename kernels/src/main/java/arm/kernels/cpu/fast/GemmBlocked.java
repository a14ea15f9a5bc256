package arm.kernels.cpu.fast;

/**
 * Cache-blocked SGEMM in plain Java, the fallback when the Vector API module is absent: C[M, N] =
 * alpha · op(A)[M, K] · op(B)[K, N] + beta · C, same contract as {@link
 * arm.kernels.cpu.ref.GemmRef#sgemm}.
 *
 * <p>Loop order i-k-j: the innermost loop is {@code Crow[j] += a_ik · Brow[j]} for four rows of C
 * at once, sharing each B load. HotSpot's auto-vectoriser turns that loop into SIMD code, but only
 * when every array is indexed by the bare loop counter: with an offset (c[c0 + j]) it cannot rule
 * out that two rows overlap and stays scalar (about 5× slower here). So op(B) is packed KC×NC into
 * separate row arrays (this is also where a transposed B gets turned around), and the four C row
 * strips are copied into zero-based row buffers while K runs. The B block stays in L2, the row
 * buffers in L1. beta is applied once, up front.
 */
public final class GemmBlocked {
    private GemmBlocked() {}

    static final int KC = 256, NC = 512;

    /** Per-thread buffers: packed B rows and four accumulator rows. */
    private static final class Work {
        final float[][] b = new float[KC][NC];
        final float[] c0 = new float[NC],
                c1 = new float[NC],
                c2 = new float[NC],
                c3 = new float[NC];
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    public static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
        if (k == 0 || alpha == 0f) return;
        Work w = WORK.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, jc, kc, nc, w.b);
                for (int i = 0; i < m; i += 4) {
                    int rows = Math.min(4, m - i), ci = cOff + i * ldc + jc;
                    float[][] acc = {w.c0, w.c1, w.c2, w.c3};
                    for (int r = 0; r < rows; r++) System.arraycopy(c, ci + r * ldc, acc[r], 0, nc);
                    for (int p = 0; p < kc; p++) {
                        float x0 = alpha * at(transA, a, aOff, lda, i, pc + p);
                        if (rows == 4) {
                            float x1 = alpha * at(transA, a, aOff, lda, i + 1, pc + p);
                            float x2 = alpha * at(transA, a, aOff, lda, i + 2, pc + p);
                            float x3 = alpha * at(transA, a, aOff, lda, i + 3, pc + p);
                            axpy4(nc, x0, x1, x2, x3, w.b[p], w.c0, w.c1, w.c2, w.c3);
                        } else {
                            for (int r = 1; r < rows; r++) {
                                axpy(
                                        nc,
                                        alpha * at(transA, a, aOff, lda, i + r, pc + p),
                                        w.b[p],
                                        acc[r]);
                            }
                            axpy(nc, x0, w.b[p], w.c0);
                        }
                    }
                    for (int r = 0; r < rows; r++) System.arraycopy(acc[r], 0, c, ci + r * ldc, nc);
                }
            }
        }
    }

    /** dst[p][j] = op(B)[pc + p, jc + j]. */
    static void packB(
            boolean transB,
            float[] b,
            int bOff,
            int ldb,
            int pc,
            int jc,
            int kc,
            int nc,
            float[][] dst) {
        for (int p = 0; p < kc; p++) {
            if (!transB) {
                System.arraycopy(b, bOff + (pc + p) * ldb + jc, dst[p], 0, nc);
            } else {
                float[] d = dst[p];
                int src = bOff + jc * ldb + pc + p;
                for (int j = 0; j < nc; j++) d[j] = b[src + j * ldb];
            }
        }
    }

    private static float at(boolean transA, float[] a, int aOff, int lda, int i, int p) {
        return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
    }

    /** c_r[j] += x_r · b[j] for four rows; zero-based so that it vectorises. */
    private static void axpy4(
            int n,
            float x0,
            float x1,
            float x2,
            float x3,
            float[] b,
            float[] c0,
            float[] c1,
            float[] c2,
            float[] c3) {
        for (int j = 0; j < n; j++) {
            float y = b[j];
            c0[j] += x0 * y;
            c1[j] += x1 * y;
            c2[j] += x2 * y;
            c3[j] += x3 * y;
        }
    }

    private static void axpy(int n, float x, float[] b, float[] c) {
        for (int j = 0; j < n; j++) c[j] += x * b[j];
    }
}
