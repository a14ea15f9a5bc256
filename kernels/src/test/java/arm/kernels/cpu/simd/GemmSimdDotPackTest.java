package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link GemmSimd#dotPacked} on a packed B gives the dot path's bits ({@link GemmSimd#sgemm} with a
 * transposed B and few rows, itself pinned to a scalar model in GemmSimdBitsTest): random non-zero
 * data, M not a multiple of the 10-row block, N not a multiple of the 2L-column panel, K with and
 * without a tail below one vector, K below one vector, alpha and beta of every kind, row strides
 * wider than the rows, and a packed array reused for another B.
 */
class GemmSimdDotPackTest {
    static final int L = GemmSimd.L;

    static final int[][] SHAPES = { // M, K, N
        {1, 1, 1},
        {1, 16, 32},
        {3, 5, 40},
        {10, 784, 400},
        {10, 400, 400},
        {10, 400, 10},
        {7, 17, 33},
        {11, 31, 64},
        {13, 257, 97},
        {20, 400, 45},
        {21, 790, 100},
        {47, 2048, 35},
    };

    static final float[][] ALPHA_BETA = {{1f, 0f}, {0.75f, 1f}, {-1.5f, 0.5f}};

    @Test
    void packedGivesTheDotPathsBits() {
        for (int[] s : SHAPES)
            for (float[] ab : ALPHA_BETA) {
                int m = s[0], k = s[1], n = s[2];
                SplittableRandom r = new SplittableRandom(31L * m + 7L * k + n);
                int lda = k + 3, ldb = k + 5, ldc = n + 2, aOff = 4, bOff = 9, cOff = 1;
                float[] a = random(r, aOff + m * lda), b = random(r, bOff + n * ldb);
                float[] c = random(r, cOff + m * ldc);
                float[] want = c.clone(), got = c.clone();
                GemmSimd.sgemm(
                        false, true, m, n, k, ab[0], a, aOff, lda, b, bOff, ldb, ab[1], want, cOff,
                        ldc);
                GemmSimd.DotPack p = GemmSimd.packDot(b, bOff, ldb, n, k);
                GemmSimd.dotPacked(p, m, ab[0], a, aOff, lda, b, ab[1], got, cOff, ldc);
                assertThat(bits(got))
                        .as("%dx%dx%d alpha %s beta %s", m, k, n, ab[0], ab[1])
                        .isEqualTo(bits(want));
            }
    }

    @Test
    void aReusedArrayIsRepackedWhole() {
        SplittableRandom r = new SplittableRandom(5);
        int m = 10, k = 3 * L + 1, n = 2 * L + 3;
        float[] b1 = random(r, n * k), b2 = random(r, n * k), a = random(r, m * k);
        GemmSimd.DotPack p1 = GemmSimd.packDot(b1, 0, k, n, k);
        float[] arr = p1.array();
        GemmSimd.DotPack p2 = GemmSimd.packDot(b2, 0, k, n, k, arr);
        assertThat(p2.array()).isSameAs(arr);
        float[] want = new float[m * n], got = new float[m * n];
        GemmSimd.sgemm(false, true, m, n, k, 1f, a, 0, k, b2, 0, k, 0f, want, 0, n);
        GemmSimd.dotPacked(p2, m, 1f, a, 0, k, b2, 0f, got, 0, n);
        assertThat(bits(got)).isEqualTo(bits(want));
        // a fresh packing of b2 is the same array content
        assertThat(GemmSimd.packDot(b2, 0, k, n, k).array()).isEqualTo(arr);
    }

    @Test
    void packedLayoutMatchesItsDefinition() {
        SplittableRandom r = new SplittableRandom(9);
        int k = 2 * L + 3, n = 2 * L + 5, nr = 2 * L, q = k / L, ldb = k + 1;
        float[] b = random(r, n * ldb);
        float[] p = GemmSimd.packDot(b, 0, ldb, n, k).array();
        int panels = (n + nr - 1) / nr;
        assertThat(p).hasSize(panels * nr * q * L);
        for (int jp = 0; jp < panels; jp++)
            for (int l = 0; l < L; l++)
                for (int qq = 0; qq < q; qq++)
                    for (int jj = 0; jj < nr; jj++) {
                        int j = jp * nr + jj;
                        float want = j < n ? b[j * ldb + qq * L + l] : 0f;
                        assertThat(p[((jp * L + l) * q + qq) * nr + jj]).isEqualTo(want);
                    }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) (r.nextDouble() * 2 - 1);
            x[i] = v == 0f ? 0.25f : v;
        }
        return x;
    }

    static int[] bits(float[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Float.floatToRawIntBits(x[i]);
        return out;
    }
}
