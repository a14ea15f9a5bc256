package arm.kernels.cpu.ref;

/**
 * Naive twin of {@link arm.kernels.cpu.simd.WinogradSimd}: the 3×3, stride-1, pad-1 convolution by
 * Winograd's F(2×2, 3×3) in scalar loops, tile by tile, with the same transforms in the same order
 * (so the same bits as the SIMD kernel). x [N, Ci, H, W], w [Co, Ci, 3, 3], y [N, Co, H, W], H and
 * W even.
 *
 * <pre>
 * V[c] = Bᵀ·d[c]·B,  U[o, c] = G·w[o, c]·Gᵀ,  M[o] = Σ_c U[o, c] ⊙ V[c] (c in order, fused
 * multiply-adds from 0),  y tile = Aᵀ·M[o]·A
 * </pre>
 *
 * with d[c] the 4×4 patch of the zero-padded input at rows 2·th .. 2·th + 3 and columns 2·tw ..
 * 2·tw + 3 (the matrices are written out in the SIMD kernel's comment).
 */
public final class WinogradRef {
    private WinogradRef() {}

    public static void forward(
            float[] x, float[] w, float[] y, int n, int ci, int h, int wd, int co) {
        if (h % 2 != 0 || wd % 2 != 0)
            throw new IllegalArgumentException(
                    "F(2,3) tiles need even H and W, got " + h + "×" + wd);
        float[] u = new float[co * ci * 16];
        for (int o = 0; o < co; o++)
            for (int c = 0; c < ci; c++)
                transformWeight(w, (o * ci + c) * 9, u, (o * ci + c) * 16, 1);
        float[] v = new float[ci * 16], d = new float[16], m = new float[16];
        for (int b = 0; b < n; b++)
            for (int th = 0; th < h / 2; th++)
                for (int tw = 0; tw < wd / 2; tw++) {
                    for (int c = 0; c < ci; c++) {
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++) {
                                int r = 2 * th + i - 1, s = 2 * tw + j - 1;
                                boolean in = r >= 0 && r < h && s >= 0 && s < wd;
                                d[4 * i + j] = in ? x[((b * ci + c) * h + r) * wd + s] : 0f;
                            }
                        inputTransform(d, v, c * 16);
                    }
                    for (int o = 0; o < co; o++) {
                        for (int xi = 0; xi < 16; xi++) {
                            float acc = 0f;
                            for (int c = 0; c < ci; c++)
                                acc = Math.fma(u[(o * ci + c) * 16 + xi], v[c * 16 + xi], acc);
                            m[xi] = acc;
                        }
                        int at = ((b * co + o) * h + 2 * th) * wd + 2 * tw;
                        outputTransform(m, y, at, wd);
                    }
                }
    }

    /**
     * out[o0 + (4i + j)·stride] = (G·g·Gᵀ)[i][j] for the 3×3 g at w[at], computed in double and
     * rounded once (G·g first, then ·Gᵀ row by row).
     */
    public static void transformWeight(float[] w, int at, float[] out, int o0, int stride) {
        double g00 = w[at], g01 = w[at + 1], g02 = w[at + 2];
        double g10 = w[at + 3], g11 = w[at + 4], g12 = w[at + 5];
        double g20 = w[at + 6], g21 = w[at + 7], g22 = w[at + 8];
        // G·g: rows g0, (g0 + g1 + g2)/2, (g0 − g1 + g2)/2, g2 of g's rows, column by column
        row(g00, g01, g02, out, o0, stride);
        row(
                (g00 + g10 + g20) / 2,
                (g01 + g11 + g21) / 2,
                (g02 + g12 + g22) / 2,
                out,
                o0 + 4 * stride,
                stride);
        row(
                (g00 - g10 + g20) / 2,
                (g01 - g11 + g21) / 2,
                (g02 - g12 + g22) / 2,
                out,
                o0 + 8 * stride,
                stride);
        row(g20, g21, g22, out, o0 + 12 * stride, stride);
    }

    /** One row of (G·g)·Gᵀ from the row (h0, h1, h2) of G·g. */
    private static void row(double h0, double h1, double h2, float[] out, int o, int stride) {
        out[o] = (float) h0;
        out[o + stride] = (float) ((h0 + h1 + h2) / 2);
        out[o + 2 * stride] = (float) ((h0 - h1 + h2) / 2);
        out[o + 3 * stride] = (float) h2;
    }

    /** v[at + 4i + j] = (Bᵀ·d·B)[i][j]: rows first (s = Bᵀ·d), then columns. */
    static void inputTransform(float[] d, float[] v, int at) {
        float[] s = new float[16];
        for (int j = 0; j < 4; j++) {
            s[j] = d[j] - d[8 + j];
            s[4 + j] = d[4 + j] + d[8 + j];
            s[8 + j] = d[8 + j] - d[4 + j];
            s[12 + j] = d[4 + j] - d[12 + j];
        }
        for (int i = 0; i < 4; i++) {
            int r = 4 * i;
            v[at + r] = s[r] - s[r + 2];
            v[at + r + 1] = s[r + 1] + s[r + 2];
            v[at + r + 2] = s[r + 2] - s[r + 1];
            v[at + r + 3] = s[r + 1] - s[r + 3];
        }
    }

    /** The 2×2 outputs Aᵀ·m·A at y[at], y[at + 1], y[at + wd], y[at + wd + 1]. */
    static void outputTransform(float[] m, float[] y, int at, int wd) {
        float[] t = new float[8]; // Aᵀ·m, 2 × 4
        for (int j = 0; j < 4; j++) {
            t[j] = m[j] + m[4 + j] + m[8 + j];
            t[4 + j] = m[4 + j] - m[8 + j] - m[12 + j];
        }
        for (int i = 0; i < 2; i++) {
            int r = 4 * i;
            y[at + i * wd] = t[r] + t[r + 1] + t[r + 2];
            y[at + i * wd + 1] = t[r + 1] - t[r + 2] - t[r + 3];
        }
    }
}
