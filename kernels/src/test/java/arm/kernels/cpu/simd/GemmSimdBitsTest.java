package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.CpuGemm.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SIMD GEMM's bits do not depend on how the work is cut: every register tile of the panel path
 * (5×2, 5×4, 10×2, 8×3) and every column split over threads (1, 2, 3, 5 parts) gives the same bits
 * for every element, on random data, all four transpose variants, M/N/K that are not multiples of
 * any tile, K = 1, and tiny, tall and wide shapes. (Accuracy against a float64 reference is
 * GemmTest's job; this checks that the cut never moves a rounding.)
 */
class GemmSimdBitsTest {
    static final int[][] SHAPES = { // M, K, N
        {1, 1, 1},
        {3, 1, 70},
        {7, 13, 17},
        {10, 784, 40},
        {10, 40, 784},
        {11, 257, 97},
        {23, 300, 201},
        {41, 5, 385},
        {100, 78, 40},
        {161, 33, 100},
        {168, 260, 50},
        {250, 1, 3},
        {400, 10, 78},
    };
    static final int[] TILES = {GemmSimd.T5X2, GemmSimd.T5X4, GemmSimd.T10X2, GemmSimd.T8X3};

    @Test
    void everyTileGivesTheSameBits() {
        for (int[] s : SHAPES)
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2, tb = t % 2 == 1;
                int m = s[0], k = s[1], n = s[2];
                Case c = new Case(m, k, n, ta, tb, 31L * m + k + n);
                float[] first = null;
                for (int tile : TILES) {
                    float[] out = c.c.clone();
                    GemmSimd.panels(
                            tile, ta, tb, m, n, k, 0.75f, c.a, 0, c.lda, c.b, 0, c.ldb, 0.5f, out,
                            0, n);
                    if (first == null) first = out;
                    else
                        assertThat(bits(out))
                                .as("tile %d, %dx%dx%d ta=%b tb=%b", tile, m, k, n, ta, tb)
                                .isEqualTo(bits(first));
                }
            }
    }

    /** Shapes above CpuGemm's split limit (4·10⁶ multiply-adds), dot and panel paths. */
    @Test
    void everySplitGivesTheSameBits() {
        for (int[] s :
                new int[][] {{10, 784, 800}, {100, 78, 1000}, {20, 180, 3000}, {7, 1000, 777}})
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2, tb = t % 2 == 1;
                int m = s[0], k = s[1], n = s[2];
                Case c = new Case(m, k, n, ta, tb, 7L * m + k);
                float[] one = null;
                for (int threads : new int[] {1, 2, 3, 5}) {
                    float[] out = c.c.clone();
                    CpuGemm.sgemmSplit(
                            Path.SIMD, threads, ta, tb, m, n, k, 1f, c.a, 0, c.lda, c.b, 0, c.ldb,
                            0f, out, 0, n);
                    if (one == null) one = out;
                    else
                        assertThat(bits(out))
                                .as("%d parts, %dx%dx%d ta=%b tb=%b", threads, m, k, n, ta, tb)
                                .isEqualTo(bits(one));
                }
            }
    }

    /**
     * The dot path (x·Wᵀ, few rows) against a scalar model of its exact order: per C element, L
     * lane sums each fused-multiply-added in K order over the whole vectors, the lanes added in
     * lane order, then the K tail one product at a time. Pins the bits of the 5×4, 4×4, 2×4 and
     * one-sum kernels for odd and even numbers of K vectors (dot2x4 takes two vectors per trip),
     * for K shorter than one vector, beyond one K slice (KD), with A stored transposed, and for row
     * blocks that are and are not multiples of 5 (M = 10, the MNIST batch: two 5×4 tiles per four
     * columns; M = 40: blocks of 32 and 8 rows).
     */
    @Test
    void dotPathKeepsItsSummationOrder() {
        int l = GemmSimd.L;
        int[][] shapes = {
            {10, 784, 13},
            {10, 800, 9},
            {10, 49 * l, 4},
            {10, 50 * l + 3, 6},
            {3, 2 * l + 5, 7},
            {2, l - 1, 5},
            {5, 3 * l, 4},
            {5, l + 1, 8},
            {15, 3 * l + 7, 9},
            {20, 130, 12},
            {40, 2 * l + 3, 11},
            {10, GemmSimd.KD + 2 * l + 5, 5}
        };
        for (int[] s : shapes)
            for (boolean ta : new boolean[] {false, true}) dotOrder(s[0], s[1], s[2], ta);
    }

    private static void dotOrder(int m, int k, int n, boolean ta) {
        int l = GemmSimd.L;
        Case c = new Case(m, k, n, ta, true, 7L * m + k + n);
        for (float beta : new float[] {0f, 0.5f}) {
            float[] out = c.c.clone();
            GemmSimd.sgemm(ta, true, m, n, k, 0.75f, c.a, 0, c.lda, c.b, 0, k, beta, out, 0, n);
            float[] want = c.c.clone();
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    int ci = i * n + j;
                    float t = 0f;
                    for (int p0 = 0; p0 < k; p0 += GemmSimd.KD) {
                        int kc = Math.min(GemmSimd.KD, k - p0), kv = kc - kc % l;
                        float[] lanes = new float[l];
                        for (int p = 0; p < kv; p += l)
                            for (int q = 0; q < l; q++)
                                lanes[q] =
                                        Math.fma(
                                                c.a(i, p0 + p + q, m, k, ta),
                                                c.b[j * k + p0 + p + q],
                                                lanes[q]);
                        float u = 0f;
                        for (int q = 0; q < l; q++) u += lanes[q];
                        for (int p = kv; p < kc; p++)
                            u += c.a(i, p0 + p, m, k, ta) * c.b[j * k + p0 + p];
                        // the first slice scales C by beta, later ones add to it
                        if (p0 > 0) t = 0.75f * u + t;
                        else t = beta == 0f ? 0.75f * u : 0.75f * u + beta * want[ci];
                    }
                    want[ci] = t;
                }
            assertThat(bits(out))
                    .as("%dx%dx%d ta=%b beta %s", m, k, n, ta, beta)
                    .isEqualTo(bits(want));
        }
    }

    /** Random op(A) (M×K), op(B) (K×N) and C, stored as the transpose flags say. */
    private static final class Case {
        final float[] a, b, c;
        final int lda, ldb;

        Case(int m, int k, int n, boolean ta, boolean tb, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            a = random(rng, m * k);
            b = random(rng, k * n);
            c = random(rng, m * n);
            lda = ta ? m : k;
            ldb = tb ? k : n;
        }

        /** op(A)[i, p] for an M×K op(A). */
        float a(int i, int p, int m, int k, boolean ta) {
            return ta ? a[p * m + i] : a[i * k + p];
        }
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
        return v;
    }

    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }
}
