package arm.kernels.cpu.simd;

/**
 * Scalar twins of the dot path's kernels ({@link GemmSimd.Dot}): the same sums in the same order,
 * so the same bits, without a vector. Shapes: A rows a0 + i·as and B rows b0 + j·bs, each kc floats
 * long; a 4×4, 2×4 or 1×1 tile of C[i, j] = alpha · ⟨A row i, B row j⟩ + beta · C[i, j].
 *
 * <p>Why: until C2 has compiled a Vector API kernel, the interpreter and C1 run it on boxed vector
 * objects (every load and FMA allocates and goes through the API's Java fallback), 10–100× slower
 * than the same arithmetic as plain floats, and the first seconds of an MNIST run are spent there.
 * Scalar code is cheap interpreted, is compiled by C1 within a few calls and by C2 in milliseconds.
 * The dot path runs these until its vector kernels have been measured faster ({@link DotWarm}).
 *
 * <p>The order it keeps: the vector kernel holds L lane sums per element, lane q summing fma(a[p],
 * b[p], ·) over p = q, q + L, q + 2L, … below kv = kc − kc mod L in increasing p from +0; then adds
 * the lanes in lane order to 0f ({@code sumLanes}), then the K tail one product at a time (a
 * multiply and an add, not fused). Here lane q's sums are computed in turn (16 independent chains
 * for the 4×4 tile) and each added to its total as it finishes, which is the same order.
 */
final class DotScalar {
    private DotScalar() {}

    private static final int L = GemmSimd.L;

    static void dot4x4(
            int kc,
            float[] a,
            int a0,
            int as,
            float[] b,
            int b0,
            int bs,
            float[] c,
            int ci,
            int ldc,
            float alpha,
            float beta) {
        int a1 = a0 + as, a2 = a1 + as, a3 = a2 + as, b1 = b0 + bs, b2 = b1 + bs, b3 = b2 + bs;
        int kv = kc - kc % L;
        float t00 = 0f, t01 = 0f, t02 = 0f, t03 = 0f, t10 = 0f, t11 = 0f, t12 = 0f, t13 = 0f;
        float t20 = 0f, t21 = 0f, t22 = 0f, t23 = 0f, t30 = 0f, t31 = 0f, t32 = 0f, t33 = 0f;
        for (int q = 0; q < L; q++) {
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f, s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            for (int p = q; p < kv; p += L) {
                float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
                float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
                s00 = Math.fma(x0, y0, s00);
                s01 = Math.fma(x0, y1, s01);
                s02 = Math.fma(x0, y2, s02);
                s03 = Math.fma(x0, y3, s03);
                s10 = Math.fma(x1, y0, s10);
                s11 = Math.fma(x1, y1, s11);
                s12 = Math.fma(x1, y2, s12);
                s13 = Math.fma(x1, y3, s13);
                s20 = Math.fma(x2, y0, s20);
                s21 = Math.fma(x2, y1, s21);
                s22 = Math.fma(x2, y2, s22);
                s23 = Math.fma(x2, y3, s23);
                s30 = Math.fma(x3, y0, s30);
                s31 = Math.fma(x3, y1, s31);
                s32 = Math.fma(x3, y2, s32);
                s33 = Math.fma(x3, y3, s33);
            }
            t00 += s00;
            t01 += s01;
            t02 += s02;
            t03 += s03;
            t10 += s10;
            t11 += s11;
            t12 += s12;
            t13 += s13;
            t20 += s20;
            t21 += s21;
            t22 += s22;
            t23 += s23;
            t30 += s30;
            t31 += s31;
            t32 += s32;
            t33 += s33;
        }
        for (int p = kv; p < kc; p++) {
            float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
            float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
            t00 += x0 * y0;
            t01 += x0 * y1;
            t02 += x0 * y2;
            t03 += x0 * y3;
            t10 += x1 * y0;
            t11 += x1 * y1;
            t12 += x1 * y2;
            t13 += x1 * y3;
            t20 += x2 * y0;
            t21 += x2 * y1;
            t22 += x2 * y2;
            t23 += x2 * y3;
            t30 += x3 * y0;
            t31 += x3 * y1;
            t32 += x3 * y2;
            t33 += x3 * y3;
        }
        put(c, ci, t00, alpha, beta);
        put(c, ci + 1, t01, alpha, beta);
        put(c, ci + 2, t02, alpha, beta);
        put(c, ci + 3, t03, alpha, beta);
        put(c, ci + ldc, t10, alpha, beta);
        put(c, ci + ldc + 1, t11, alpha, beta);
        put(c, ci + ldc + 2, t12, alpha, beta);
        put(c, ci + ldc + 3, t13, alpha, beta);
        put(c, ci + 2 * ldc, t20, alpha, beta);
        put(c, ci + 2 * ldc + 1, t21, alpha, beta);
        put(c, ci + 2 * ldc + 2, t22, alpha, beta);
        put(c, ci + 2 * ldc + 3, t23, alpha, beta);
        put(c, ci + 3 * ldc, t30, alpha, beta);
        put(c, ci + 3 * ldc + 1, t31, alpha, beta);
        put(c, ci + 3 * ldc + 2, t32, alpha, beta);
        put(c, ci + 3 * ldc + 3, t33, alpha, beta);
    }

    static void dot2x4(
            int kc,
            float[] a,
            int a0,
            int as,
            float[] b,
            int b0,
            int bs,
            float[] c,
            int ci,
            int ldc,
            float alpha,
            float beta) {
        int a1 = a0 + as, b1 = b0 + bs, b2 = b1 + bs, b3 = b2 + bs;
        int kv = kc - kc % L;
        float t00 = 0f, t01 = 0f, t02 = 0f, t03 = 0f, t10 = 0f, t11 = 0f, t12 = 0f, t13 = 0f;
        for (int q = 0; q < L; q++) {
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            for (int p = q; p < kv; p += L) {
                float x0 = a[a0 + p], x1 = a[a1 + p];
                float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
                s00 = Math.fma(x0, y0, s00);
                s01 = Math.fma(x0, y1, s01);
                s02 = Math.fma(x0, y2, s02);
                s03 = Math.fma(x0, y3, s03);
                s10 = Math.fma(x1, y0, s10);
                s11 = Math.fma(x1, y1, s11);
                s12 = Math.fma(x1, y2, s12);
                s13 = Math.fma(x1, y3, s13);
            }
            t00 += s00;
            t01 += s01;
            t02 += s02;
            t03 += s03;
            t10 += s10;
            t11 += s11;
            t12 += s12;
            t13 += s13;
        }
        for (int p = kv; p < kc; p++) {
            float x0 = a[a0 + p], x1 = a[a1 + p];
            float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
            t00 += x0 * y0;
            t01 += x0 * y1;
            t02 += x0 * y2;
            t03 += x0 * y3;
            t10 += x1 * y0;
            t11 += x1 * y1;
            t12 += x1 * y2;
            t13 += x1 * y3;
        }
        put(c, ci, t00, alpha, beta);
        put(c, ci + 1, t01, alpha, beta);
        put(c, ci + 2, t02, alpha, beta);
        put(c, ci + 3, t03, alpha, beta);
        put(c, ci + ldc, t10, alpha, beta);
        put(c, ci + ldc + 1, t11, alpha, beta);
        put(c, ci + ldc + 2, t12, alpha, beta);
        put(c, ci + ldc + 3, t13, alpha, beta);
    }

    static float dot(int kc, float[] a, int a0, float[] b, int b0) {
        int kv = kc - kc % L;
        float t = 0f;
        for (int q = 0; q < L; q++) {
            float s = 0f;
            for (int p = q; p < kv; p += L) s = Math.fma(a[a0 + p], b[b0 + p], s);
            t += s;
        }
        for (int p = kv; p < kc; p++) t += a[a0 + p] * b[b0 + p];
        return t;
    }

    private static void put(float[] c, int ci, float s, float alpha, float beta) {
        c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
    }
}
