package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The panel path's last panel when it is whole vectors wide (N = 784 or 400 with the 10×2 tile, B
 * read in place): its 10×1 tiles ({@link GemmSimd#kernel10x1}) give the bits of the same GEMM with
 * B packed (given transposed, so that every panel is packed and the last one zero-padded), on
 * random non-zero data, M = 10 and 20 (whole 10-row tiles), K across a KC slice, alpha and beta of
 * every kind, and a last panel one and more vectors wide.
 */
class GemmSimdLastPanelTest {
    static final int L = GemmSimd.L;

    @Test
    void lastPanelInPlaceGivesThePackedBits() {
        int[][] shapes = { // M, K, N
            {10, 400, 784}, {10, 400, 400}, {20, 300, 2 * L + L}, {10, 7, L}, {10, 260, 4 * L + L}
        };
        float[][] alphaBeta = {{1f, 0f}, {0.75f, 1f}, {-1.5f, 0.5f}};
        for (int[] s : shapes)
            for (float[] ab : alphaBeta) {
                int m = s[0], k = s[1], n = s[2];
                SplittableRandom r = new SplittableRandom(17L * m + k + n);
                float[] a = GemmSimdDotPackTest.random(r, m * k);
                float[] b = GemmSimdDotPackTest.random(r, k * n), bt = new float[n * k];
                for (int p = 0; p < k; p++)
                    for (int j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
                float[] c = GemmSimdDotPackTest.random(r, m * n);
                float[] inPlace = c.clone(), packed = c.clone();
                GemmSimd.panels(
                        GemmSimd.T10X2,
                        false,
                        false,
                        m,
                        n,
                        k,
                        ab[0],
                        a,
                        0,
                        k,
                        b,
                        0,
                        n,
                        ab[1],
                        inPlace,
                        0,
                        n);
                GemmSimd.panels(
                        GemmSimd.T10X2,
                        false,
                        true,
                        m,
                        n,
                        k,
                        ab[0],
                        a,
                        0,
                        k,
                        bt,
                        0,
                        k,
                        ab[1],
                        packed,
                        0,
                        n);
                assertThat(GemmSimdDotPackTest.bits(inPlace))
                        .as("%dx%dx%d alpha %s beta %s", m, k, n, ab[0], ab[1])
                        .isEqualTo(GemmSimdDotPackTest.bits(packed));
            }
    }
}
