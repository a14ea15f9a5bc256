package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ConvAsserts;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The strided input gradient per phase against the naive loops: strides 2 and 3 (3 with a 1×1 or
 * 2×2 kernel leaves phases no tap reaches), every padding below the kernel, channel counts off the
 * 5- and 10-channel tiles, odd and even sizes, 1 and 2 threads; every element of dx is written (it
 * starts as NaN).
 */
class ConvStridedGradSimdTest {

    @Test
    void inputGradientMatchesNaive() {
        SplittableRandom r = new SplittableRandom(5);
        int cases = 0;
        for (int n : new int[] {1, 3})
            for (int ci : new int[] {1, 3, 20, 23})
                for (int co : new int[] {2, 17, 40})
                    for (int[] hw : new int[][] {{8, 8}, {11, 9}, {7, 16}})
                        for (int k : new int[] {1, 2, 3, 5})
                            for (int s = 2; s <= 3; s++)
                                for (int pad = 0; pad < k; pad++) {
                                    ConvShape g =
                                            new ConvShape(n, ci, hw[0], hw[1], co, k, k, s, pad);
                                    if (!ConvStridedGradSimd.supports(g)) continue;
                                    float[] w = ConvAsserts.rand(r, co * g.k),
                                            dy = ConvAsserts.rand(r, n * g.yImage());
                                    float[] dx = new float[n * g.xImage()],
                                            dxRef = new float[dx.length];
                                    Arrays.fill(dx, Float.NaN);
                                    ConvStridedGradSimd.backwardInput(dy, w, dx, g, 1 + cases % 2);
                                    ConvRef.backwardInput(
                                            dy, w, dxRef, n, ci, g.h, g.w, co, k, k, s, pad);
                                    ConvAsserts.close(g + " input gradient", "strided", dx, dxRef);
                                    cases++;
                                }
        assertThat(cases).isGreaterThan(500);
    }

    @Test
    void bitsDoNotDependOnTheThreadCount() {
        SplittableRandom r = new SplittableRandom(7);
        ConvShape g = new ConvShape(5, 20, 32, 32, 40, 3, 3, 2, 1);
        float[] w = ConvAsserts.rand(r, g.co * g.k), dy = ConvAsserts.rand(r, 5 * g.yImage());
        float[] one = new float[5 * g.xImage()];
        ConvStridedGradSimd.backwardInput(dy, w, one, g, 1);
        for (int threads : new int[] {2, 3}) {
            float[] dx = new float[one.length];
            ConvStridedGradSimd.backwardInput(dy, w, dx, g, threads);
            assertThat(dx).as("%d threads", threads).containsExactly(one);
        }
    }

    @Test
    void resnetStridedShapes() {
        SplittableRandom r = new SplittableRandom(6);
        for (int[] s :
                new int[][] {
                    {20, 32, 40, 3},
                    {40, 16, 80, 3},
                    {80, 8, 160, 3},
                    {20, 32, 40, 1},
                    {40, 16, 80, 1}
                }) {
            ConvShape g = new ConvShape(3, s[0], s[1], s[1], s[2], s[3], s[3], 2, s[3] / 2);
            float[] w = ConvAsserts.rand(r, g.co * g.k), dy = ConvAsserts.rand(r, 3 * g.yImage());
            float[] dx = new float[3 * g.xImage()], dxRef = new float[dx.length];
            Arrays.fill(dx, Float.NaN);
            ConvStridedGradSimd.backwardInput(dy, w, dx, g, 2);
            ConvRef.backwardInput(dy, w, dxRef, 3, g.ci, g.h, g.w, g.co, g.kh, g.kw, 2, g.pad);
            ConvAsserts.close(g + " input gradient", "strided", dx, dxRef);
        }
    }
}
