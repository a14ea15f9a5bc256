package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ConvAsserts;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The strided 1×1 kernel against the naive loops, forward and input gradient: strides 2 and 3, odd
 * and even sides (partial slots where the vector length does not divide Ho·Wo, images whose last
 * rows and columns no output reads), channel counts off the 4-row tile, one image and many (groups
 * of images, slots across images), 1 and 2 threads; every output starts as NaN, so an element left
 * unwritten fails.
 */
class ConvProjectionSimdTest {

    @Test
    void forwardAndInputGradientMatchNaive() {
        SplittableRandom r = new SplittableRandom(11);
        int cases = 0;
        for (int n : new int[] {1, 3, 70})
            for (int ci : new int[] {1, 5, 20})
                for (int co : new int[] {3, 8, 41})
                    for (int[] hw : new int[][] {{8, 8}, {11, 9}, {32, 32}, {7, 40}, {2, 2}})
                        for (int s = 2; s <= 3; s++) {
                            if (n == 70 && hw[0] * hw[1] > 100) continue; // keep it short
                            check(
                                    r,
                                    new ConvShape(n, ci, hw[0], hw[1], co, 1, 1, s, 0),
                                    1 + cases % 2);
                            cases++;
                        }
        assertThat(cases).isGreaterThan(150);
    }

    @Test
    void resnetProjections() {
        SplittableRandom r = new SplittableRandom(12);
        for (int n : new int[] {10, 100})
            for (int[] s : new int[][] {{20, 32, 40}, {40, 16, 80}, {80, 8, 160}})
                check(r, new ConvShape(n, s[0], s[1], s[1], s[2], 1, 1, 2, 0), 2);
    }

    @Test
    void bitsDoNotDependOnTheThreadCount() {
        SplittableRandom r = new SplittableRandom(13);
        ConvShape g = new ConvShape(5, 20, 32, 32, 40, 1, 1, 2, 0);
        float[] x = ConvAsserts.rand(r, g.n * g.xImage()),
                w = ConvAsserts.rand(r, g.co * g.ci),
                dy = ConvAsserts.rand(r, g.n * g.yImage());
        float[] y1 = new float[g.n * g.yImage()], dx1 = new float[x.length];
        ConvProjectionSimd.forward(x, w, y1, g, 1);
        ConvProjectionSimd.backwardInput(dy, w, dx1, g, 1);
        for (int threads : new int[] {2, 3}) {
            float[] y = new float[y1.length], dx = new float[dx1.length];
            ConvProjectionSimd.forward(x, w, y, g, threads);
            ConvProjectionSimd.backwardInput(dy, w, dx, g, threads);
            assertThat(y).as("forward, %d threads", threads).containsExactly(y1);
            assertThat(dx).as("input gradient, %d threads", threads).containsExactly(dx1);
        }
    }

    @Test
    void refusesWhatItDoesNotTake() {
        assertThat(ConvProjectionSimd.supports(new ConvShape(2, 4, 8, 8, 4, 1, 1, 1, 0))).isFalse();
        assertThat(ConvProjectionSimd.supports(new ConvShape(2, 4, 8, 8, 4, 1, 1, 2, 1))).isFalse();
        assertThat(ConvProjectionSimd.supports(new ConvShape(2, 4, 8, 8, 4, 3, 3, 2, 1))).isFalse();
    }

    private static void check(SplittableRandom r, ConvShape g, int threads) {
        float[] x = ConvAsserts.rand(r, g.n * g.xImage()),
                w = ConvAsserts.rand(r, g.co * g.ci),
                dy = ConvAsserts.rand(r, g.n * g.yImage());
        float[] y = nan(g.n * g.yImage()), yRef = new float[y.length];
        ConvProjectionSimd.forward(x, w, y, g, threads);
        ConvRef.forward(x, w, yRef, g.n, g.ci, g.h, g.w, g.co, 1, 1, g.stride, 0);
        ConvAsserts.close(g + " forward", "projection", y, yRef);
        float[] dx = nan(x.length), dxRef = new float[x.length];
        ConvProjectionSimd.backwardInput(dy, w, dx, g, threads);
        ConvRef.backwardInput(dy, w, dxRef, g.n, g.ci, g.h, g.w, g.co, 1, 1, g.stride, 0);
        ConvAsserts.close(g + " input gradient", "projection", dx, dxRef);
    }

    private static float[] nan(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }
}
