package arm.kernels.cpu.ref;

/**
 * The image terms of ARM's recall loss, λ5·R_L2 + λ6·R_TV, and their gradient in closed form (the
 * formulas are {@code Backend.imagePrior}'s), naively: one pass per image, sums in double. The CUDA
 * kernels of prior.cu compute the same sums, one block per image.
 */
public final class ImagePriorRef {
    private ImagePriorRef() {}

    /** The smallest normal float: the floor under Σ x² before the square root. */
    static final float TINY = Float.MIN_NORMAL;

    /**
     * Per image u the three weighted sums {w_u·√max(s_u, TINY), w_u·Σ Δ_h², w_u·Σ Δ_w²}, summed
     * over u; k = {1/(M·D), 1/(c(h−1)w), 1/(ch(w−1)), 2/M} from {@code Checks.imagePrior}; writes
     * {l5·R_L2 + l6·R_TV, R_L2, R_TV} to out[0..2].
     */
    public static void forward(
            float[] x,
            int u,
            int c,
            int h,
            int w,
            int[] counts,
            float l5,
            float l6,
            float[] k,
            float[] out) {
        int d = c * h * w;
        double s0 = 0, s1 = 0, s2 = 0;
        for (int r = 0; r < u; r++) {
            double wt = counts == null ? 1 : counts[r], sq = 0, th = 0, tw = 0;
            for (int j = 0; j < d; j++) {
                int at = r * d + j, col = j % w, row = j / w % h;
                double v = x[at];
                sq += v * v;
                if (row + 1 < h) th += sq(x[at + w] - v);
                if (col + 1 < w) tw += sq(x[at + 1] - v);
            }
            s0 += wt * Math.sqrt(Math.max(sq, TINY));
            s1 += wt * th;
            s2 += wt * tw;
        }
        float rl2 = (float) (s0 * k[0]), rtv = (float) ((s1 * k[1] + s2 * k[2]) * k[3]);
        out[0] = total(l5, rl2, l6, rtv);
        out[1] = rl2;
        out[2] = rtv;
    }

    /** l5·R_L2 + l6·R_TV with a term of weight 0 left out (never 0·NaN). */
    public static float total(float l5, float rl2, float l6, float rtv) {
        float t = 0f;
        if (l5 != 0) t += l5 * rl2;
        if (l6 != 0) t += l6 * rtv;
        return t;
    }

    /** dx = dy · ∂(l5·R_L2 + l6·R_TV)/∂x (overwrites dx); k as in {@link #forward}. */
    public static void backward(
            float[] x,
            int u,
            int c,
            int h,
            int w,
            int[] counts,
            float l5,
            float l6,
            float[] k,
            float dy,
            float[] dx) {
        int d = c * h * w;
        double aL2 = (double) l5 * k[0], aH = 2.0 * l6 * k[3] * k[1], aW = 2.0 * l6 * k[3] * k[2];
        for (int r = 0; r < u; r++) {
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (double) x[r * d + j] * x[r * d + j];
            // the clamp passes no gradient below TINY, as clamp_min's backward
            double g = (double) dy * (counts == null ? 1 : counts[r]);
            double norm = l5 != 0 && sq >= TINY ? aL2 / Math.sqrt(sq) : 0;
            for (int j = 0; j < d; j++) {
                int at = r * d + j, col = j % w, row = j / w % h;
                double v = x[at], dh = 0, dw = 0;
                if (row > 0) dh += v - x[at - w];
                if (row + 1 < h) dh -= x[at + w] - v;
                if (col > 0) dw += v - x[at - 1];
                if (col + 1 < w) dw -= x[at + 1] - v;
                dx[at] = (float) (g * (norm * v + aH * dh + aW * dw));
            }
        }
    }

    private static double sq(double v) {
        return v * v;
    }
}
