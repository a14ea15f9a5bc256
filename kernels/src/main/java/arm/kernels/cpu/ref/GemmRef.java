package arm.kernels.cpu.ref;

/**
 * Naive SGEMM, the readable reference every fast GEMM is tested against.
 *
 * <p>C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n], all row-major with leading
 * dimensions lda/ldb/ldc. op(A) is M×K: A is stored M×K (lda ≥ K), or K×M (lda ≥ M) when
 * transposed. Likewise op(B) is K×N. Accumulates in float like the fast kernels do, but in plain k
 * order.
 */
public final class GemmRef {
    private GemmRef() {}

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
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * acc : alpha * acc + beta * c[ci];
            }
        }
    }
}
