package arm.kernels.cpu.ref;

/**
 * Naive twin of {@link arm.kernels.cpu.LinearEval}: y = act(x·Wᵀ + b) of an eval-mode fully
 * connected layer.
 *
 * <p>Shapes: x [m, k] (row i at xOff + i·ldx), W [n, k] row-major (PyTorch's Linear layout), b [n],
 * y [m, n] (row i at yOff + i·n). Each y[i, j] is the FMA chain s = fma(x[i,p], W[j,p], s) over p =
 * 0 … k−1 in order from s = +0, then s + b[j] rounded once, then max(·, +0) when relu (as {@link
 * Math#max}): the values the SIMD GEMM's panel path, the broadcast add and ReLU give in three
 * passes.
 */
public final class LinearEvalRef {
    private LinearEvalRef() {}

    public static void forward(
            float[] x,
            int xOff,
            int ldx,
            int m,
            int k,
            float[] w,
            float[] b,
            int n,
            boolean relu,
            float[] y,
            int yOff) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s = Math.fma(x[xOff + i * ldx + p], w[j * k + p], s);
                float v = s + b[j];
                y[yOff + i * n + j] = relu ? Math.max(v, 0f) : v;
            }
    }

    /**
     * Naive twin of the sparse path ({@code LinearEvalSimd.forwardSparse}): the same chains with
     * the steps where x[i,p] == 0 (either sign) left out. Equal to {@link #forward} bit for bit
     * when every weight is finite (fma(±0, w, c) = c for c ≠ −0, and a chain from +0 never holds
     * −0); with an infinite or NaN weight it is not (0 · ∞ = NaN), which is why the fast path falls
     * back to the dense kernel there.
     */
    public static void forwardSkippingZeros(
            float[] x,
            int xOff,
            int ldx,
            int m,
            int k,
            float[] w,
            float[] b,
            int n,
            boolean relu,
            float[] y,
            int yOff) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float a = x[xOff + i * ldx + p];
                    if (a != 0f) s = Math.fma(a, w[j * k + p], s);
                }
                float v = s + b[j];
                y[yOff + i * n + j] = relu ? Math.max(v, 0f) : v;
            }
    }
}
