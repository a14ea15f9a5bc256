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
}
