package arm.kernels.cpu.ref;

/**
 * Naive twin of {@link arm.kernels.cpu.simd.WinogradF4Simd}: the 3×3, stride-1, pad-1 convolution
 * by Winograd's F(4×4, 3×3) in scalar loops, tile by tile, with the same transforms in the same
 * order (so the same bits as the SIMD kernel). x [N, Ci, H, W], w [Co, Ci, 3, 3], y [N, Co, H, W],
 * H and W multiples of 4.
 *
 * <pre>
 * V[c] = Bᵀ·d[c]·B,  U[o, c] = G·w[o, c]·Gᵀ,  M[o] = Σ_c U[o, c] ⊙ V[c] (c in order, fused
 * multiply-adds from 0),  y tile = Aᵀ·M[o]·A
 * </pre>
 *
 * with d[c] the 6×6 patch of the zero-padded input at rows 4·th .. 4·th + 5 and columns 4·tw ..
 * 4·tw + 5 (the matrices are written out in the SIMD kernel's comment). Each transform is one 1-D
 * transform of the columns, then the same 1-D transform of the rows ({@link #in6}, {@link #out4});
 * their operations, fused multiply-adds included, are the SIMD kernel's lane by lane.
 */
public final class WinogradF4Ref {
    private WinogradF4Ref() {}

    public static void forward(
            float[] x, float[] w, float[] y, int n, int ci, int h, int wd, int co) {
        if (h % 4 != 0 || wd % 4 != 0)
            throw new IllegalArgumentException(
                    "F(4,3) tiles need H and W divisible by 4, got " + h + "×" + wd);
        float[] u = new float[co * ci * 36];
        double[] scratch = new double[24];
        for (int o = 0; o < co; o++)
            for (int c = 0; c < ci; c++)
                transformWeight(w, (o * ci + c) * 9, u, (o * ci + c) * 36, 1, scratch);
        float[] v = new float[ci * 36], d = new float[36], m = new float[36];
        for (int b = 0; b < n; b++)
            for (int th = 0; th < h / 4; th++)
                for (int tw = 0; tw < wd / 4; tw++) {
                    for (int c = 0; c < ci; c++) {
                        for (int i = 0; i < 6; i++)
                            for (int j = 0; j < 6; j++) {
                                int r = 4 * th + i - 1, s = 4 * tw + j - 1;
                                boolean in = r >= 0 && r < h && s >= 0 && s < wd;
                                d[6 * i + j] = in ? x[((b * ci + c) * h + r) * wd + s] : 0f;
                            }
                        inputTransform(d, v, c * 36);
                    }
                    for (int o = 0; o < co; o++) {
                        for (int xi = 0; xi < 36; xi++) {
                            float acc = 0f;
                            for (int c = 0; c < ci; c++)
                                acc = Math.fma(u[(o * ci + c) * 36 + xi], v[c * 36 + xi], acc);
                            m[xi] = acc;
                        }
                        int at = ((b * co + o) * h + 4 * th) * wd + 4 * tw;
                        outputTransform(m, y, at, wd);
                    }
                }
    }

    /**
     * out[o0 + (6i + j)·stride] = (G·g·Gᵀ)[i][j] for the 3×3 g at w[at], computed in double and
     * rounded once: G·g column by column, then each of its rows times Gᵀ, both by {@link #g6}; h is
     * scratch of at least 24 doubles.
     */
    public static void transformWeight(
            float[] w, int at, float[] out, int o0, int stride, double[] h) {
        for (int j = 0; j < 3; j++) g6(w[at + j], w[at + 3 + j], w[at + 6 + j], h, j, 3);
        for (int i = 0; i < 6; i++) { // h[0..17] = G·g [6][3]; h[18..23] its row i times Gᵀ
            g6(h[3 * i], h[3 * i + 1], h[3 * i + 2], h, 18, 1);
            for (int j = 0; j < 6; j++) out[o0 + (6 * i + j) * stride] = (float) h[18 + j];
        }
    }

    /**
     * G times the column (g0, g1, g2) into r[o + k·step]; G's rows are (1/4, 0, 0), −(1, 1, 1)/6,
     * −(1, −1, 1)/6, (1/24, 1/12, 1/6), (1/24, −1/12, 1/6), (0, 0, 1): F(4, 3)'s interpolation at
     * the points 0, 1, −1, 2, −2 and ∞.
     */
    private static void g6(double g0, double g1, double g2, double[] r, int o, int step) {
        double a = g0 + g2, b = g0 * (1 / 24.0) + g2 * (1 / 6.0), c = g1 * (1 / 12.0);
        r[o] = g0 * 0.25;
        r[o + step] = (a + g1) * (-1 / 6.0);
        r[o + 2 * step] = (a - g1) * (-1 / 6.0);
        r[o + 3 * step] = b + c;
        r[o + 4 * step] = b - c;
        r[o + 5 * step] = g2;
    }

    /**
     * The 1-D input transform r = Bᵀ·d of six values read at d[at + k·step], written to r[ro +
     * k·rstep]:
     *
     * <pre>
     * r0 = 4d0 − 5d2 + d4        r1 = (d4 − 4d2) + (d3 − 4d1)    r2 = (d4 − 4d2) − (d3 − 4d1)
     * r5 = 4d1 − 5d3 + d5        r3 = (d4 − d2) + 2(d3 − d1)     r4 = (d4 − d2) − 2(d3 − d1)
     * </pre>
     */
    static void in6(float[] d, int at, int step, float[] r, int ro, int rstep) {
        float d0 = d[at], d1 = d[at + step], d2 = d[at + 2 * step];
        float d3 = d[at + 3 * step], d4 = d[at + 4 * step], d5 = d[at + 5 * step];
        float t1 = Math.fma(d2, -4f, d4), t2 = Math.fma(d1, -4f, d3);
        float t3 = d4 - d2, t4 = (d3 - d1) * 2f;
        r[ro] = Math.fma(d2, -5f, Math.fma(d0, 4f, d4));
        r[ro + rstep] = t1 + t2;
        r[ro + 2 * rstep] = t1 - t2;
        r[ro + 3 * rstep] = t3 + t4;
        r[ro + 4 * rstep] = t3 - t4;
        r[ro + 5 * rstep] = Math.fma(d3, -5f, Math.fma(d1, 4f, d5));
    }

    /**
     * The 1-D output transform y = Aᵀ·m of six values read at m[at + k·step], written to y[yo +
     * k·ystep]: with a = m1 + m2, b = m1 − m2, c = m3 + m4, e = m3 − m4,
     *
     * <pre>
     * y0 = (m0 + a) + c     y1 = b + 2e     y2 = a + 4c     y3 = (b + 8e) + m5
     * </pre>
     */
    static void out4(float[] m, int at, int step, float[] y, int yo, int ystep) {
        float m0 = m[at], m1 = m[at + step], m2 = m[at + 2 * step];
        float m3 = m[at + 3 * step], m4 = m[at + 4 * step], m5 = m[at + 5 * step];
        float a = m1 + m2, b = m1 - m2, c = m3 + m4, e = m3 - m4;
        y[yo] = (m0 + a) + c;
        y[yo + ystep] = Math.fma(e, 2f, b);
        y[yo + 2 * ystep] = Math.fma(c, 4f, a);
        y[yo + 3 * ystep] = Math.fma(e, 8f, b) + m5;
    }

    /** v[at + 6i + j] = (Bᵀ·d·B)[i][j]: the rows first (s = d·B), then the columns. */
    static void inputTransform(float[] d, float[] v, int at) {
        float[] s = new float[36];
        for (int i = 0; i < 6; i++) in6(d, 6 * i, 1, s, 6 * i, 1);
        for (int j = 0; j < 6; j++) in6(s, j, 6, v, at + j, 6);
    }

    /** The 4×4 outputs Aᵀ·m·A at y[at + i·wd + j]: the columns first (t = Aᵀ·m), then the rows. */
    static void outputTransform(float[] m, float[] y, int at, int wd) {
        float[] t = new float[24]; // Aᵀ·m, 4 × 6
        for (int j = 0; j < 6; j++) out4(m, j, 6, t, j, 6);
        for (int i = 0; i < 4; i++) out4(t, 6 * i, 1, y, at + i * wd, 1);
    }
}
