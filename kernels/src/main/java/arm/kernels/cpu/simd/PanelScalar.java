package arm.kernels.cpu.simd;

/**
 * Scalar twin of the panel path's micro-kernels ({@link GemmSimd#kernel}): C[0..mr, 0..nr) (+)= Σ_p
 * A[p][r] · B[p][0..nr), A a packed panel ({@code a[ao + p·mr + r]}, alpha folded in), B at {@code
 * b[bo + p·bs + j]}. Every element of C is the same in-order FMA chain over p as in the vector
 * tiles (from +0, or from C when add), so the bits are the same. It accumulates in C itself, row by
 * row: cheap in the interpreter and C1, where the vector tiles run on boxed vectors ({@link
 * DotWarm} picks).
 */
final class PanelScalar {
    private PanelScalar() {}

    static void kernel(
            int mr,
            int nr,
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        for (int r = 0; r < mr; r++) {
            int row = ci + r * ldc;
            if (!add) for (int j = 0; j < nr; j++) c[row + j] = 0f;
            for (int p = 0; p < kc; p++) {
                float x = a[ao + p * mr + r];
                int bp = bo + p * bs;
                for (int j = 0; j < nr; j++) c[row + j] = Math.fma(x, b[bp + j], c[row + j]);
            }
        }
    }
}
