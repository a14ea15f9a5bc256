package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ConvAsserts;
import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import arm.kernels.cpu.ref.WinogradF4Ref;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(4×4, 3×3): the SIMD kernel equals its scalar twin bit for bit on both of its input
 * paths (image rows split by permutes, patches gathered) and both output paths (a tile row's
 * outputs stored side by side, scattered), and both equal the naive convolution within the kernels'
 * tolerance, forward and as the input gradient; odd channel counts off the register tiles, batches
 * whose last chunk is partial, one to three threads.
 */
class WinogradF4SimdTest {
    private static final int L = WinogradF4Simd.L;

    /**
     * Image sides: rows of L, 2L and 4L floats (the permute path: a vector of tiles is whole tile
     * rows, from one image or several), and sides whose patches are gathered (8×8 and 4×4 are
     * ResNet's, 12×20 has 5 tiles per row, 3L floats make tile rows that a vector splits).
     */
    private static int[][] sides() {
        return new int[][] {
            {2 * L, 2 * L}, {L, L}, {8, L}, {L, 4 * L}, {4, 2 * L},
            {8, 8}, {4, 4}, {12, 20}, {8, 3 * L}, {4, 8}
        };
    }

    @Test
    void forwardEqualsItsTwinAndTheNaiveLoops() {
        SplittableRandom r = new SplittableRandom(21);
        int cases = 0;
        for (int n : new int[] {1, 3})
            for (int ci : new int[] {8, 13, 20})
                for (int co : new int[] {4, 7, 23})
                    for (int[] hw : sides()) {
                        ConvShape g = new ConvShape(n, ci, hw[0], hw[1], co, 3, 3, 1, 1);
                        float[] x = ConvAsserts.rand(r, n * g.xImage()),
                                w = ConvAsserts.rand(r, co * g.k);
                        float[] y = new float[n * g.yImage()],
                                twin = new float[y.length],
                                ref = new float[y.length];
                        Arrays.fill(y, Float.NaN);
                        WinogradF4Simd.forward(x, w, y, g, 1 + cases % 3);
                        WinogradF4Ref.forward(x, w, twin, n, ci, g.h, g.w, co);
                        ConvRef.forward(x, w, ref, n, ci, g.h, g.w, co, 3, 3, 1, 1);
                        assertThat(GemmSimdBitsTest.bits(y))
                                .as(g + " SIMD against its twin")
                                .isEqualTo(GemmSimdBitsTest.bits(twin));
                        ConvAsserts.close(g + " forward", "winograd4", y, ref);
                        cases++;
                    }
        assertThat(cases).isEqualTo(2 * 3 * 3 * sides().length);
    }

    /**
     * ResNet's shapes as an evaluation batch and a plain step run them, against the naive loops.
     */
    @Test
    void resnetShapesMatchNaive() {
        SplittableRandom r = new SplittableRandom(22);
        int[][] shapes = {{10, 40, 16}, {7, 40, 16}, {33, 80, 8}, {3, 20, 32}};
        for (int[] s : shapes) {
            ConvShape g = new ConvShape(s[0], s[1], s[2], s[2], s[1], 3, 3, 1, 1);
            float[] x = ConvAsserts.rand(r, s[0] * g.xImage()), w = ConvAsserts.rand(r, s[1] * g.k);
            float[] y = new float[s[0] * g.yImage()],
                    twin = new float[y.length],
                    ref = new float[y.length];
            WinogradF4Simd.forward(x, w, y, g, 2);
            WinogradF4Ref.forward(x, w, twin, g.n, g.ci, g.h, g.w, g.co);
            ConvRef.forward(x, w, ref, g.n, g.ci, g.h, g.w, g.co, 3, 3, 1, 1);
            assertThat(GemmSimdBitsTest.bits(y))
                    .as(g + " SIMD against its twin")
                    .isEqualTo(GemmSimdBitsTest.bits(twin));
            ConvAsserts.close(g + " forward", "winograd4", y, ref);
        }
    }

    @Test
    void inputGradientThroughTheFlippedWeightsMatchesNaive() {
        SplittableRandom r = new SplittableRandom(23);
        for (int[] hw : sides()) {
            int n = 2, ci = 11, co = 20;
            ConvShape g = new ConvShape(n, ci, hw[0], hw[1], co, 3, 3, 1, 1);
            ConvShape t = new ConvShape(n, co, hw[0], hw[1], ci, 3, 3, 1, 1);
            float[] w = ConvAsserts.rand(r, co * g.k), dy = ConvAsserts.rand(r, n * g.yImage());
            float[] dx = new float[n * g.xImage()], ref = new float[dx.length];
            WinogradF4Simd.forward(dy, ConvIm2col.flipTransposed(w, g), dx, t, 2);
            ConvRef.backwardInput(dy, w, ref, n, ci, g.h, g.w, co, 3, 3, 1, 1);
            ConvAsserts.close(g + " input gradient", "winograd4", dx, ref);
        }
    }

    /** Each image alone gives the bits it gets in a batch, whatever the thread count. */
    @Test
    void resultsDoNotDependOnTheBatchOrTheThreads() {
        SplittableRandom r = new SplittableRandom(24);
        for (int side : new int[] {2 * L, 8}) {
            ConvShape g = new ConvShape(5, 40, side, side, 36, 3, 3, 1, 1);
            float[] x = ConvAsserts.rand(r, 5 * g.xImage()), w = ConvAsserts.rand(r, 36 * g.k);
            float[] one = new float[5 * g.yImage()],
                    two = new float[one.length],
                    three = new float[one.length];
            WinogradF4Simd.forward(x, w, one, g, 1);
            WinogradF4Simd.forward(x, w, two, g, 2);
            WinogradF4Simd.forward(x, w, three, g, 3);
            assertThat(GemmSimdBitsTest.bits(two)).isEqualTo(GemmSimdBitsTest.bits(one));
            assertThat(GemmSimdBitsTest.bits(three)).isEqualTo(GemmSimdBitsTest.bits(one));
            ConvShape single = new ConvShape(1, 40, side, side, 36, 3, 3, 1, 1);
            float[] last = new float[g.yImage()];
            WinogradF4Simd.forward(
                    Arrays.copyOfRange(x, 4 * g.xImage(), 5 * g.xImage()), w, last, single, 1);
            assertThat(GemmSimdBitsTest.bits(last))
                    .isEqualTo(
                            GemmSimdBitsTest.bits(
                                    Arrays.copyOfRange(one, 4 * g.yImage(), 5 * g.yImage())));
        }
    }

    @Test
    void takesOnlyItsShapes() {
        assertThat(WinogradF4Simd.supports(new ConvShape(1, 20, 16, 16, 20, 3, 3, 1, 1))).isTrue();
        assertThat(WinogradF4Simd.supports(new ConvShape(1, 20, 6, 8, 20, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradF4Simd.supports(new ConvShape(1, 20, 8, 10, 20, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradF4Simd.supports(new ConvShape(1, 20, 16, 16, 20, 3, 3, 2, 1))).isFalse();
        assertThat(WinogradF4Simd.supports(new ConvShape(1, 3, 16, 16, 20, 3, 3, 1, 1))).isFalse();
    }

    /**
     * The dispatch's rule ({@link WinogradF4Simd#pays}, on JDK 25 and newer): ResNet's 16×16 stage
     * from 16 images on, its 8×8 stage from 64, never the 32×32 stage's 20 channels nor the 4×4
     * images; a plain step's 10 images stay on F(2×2, 3×3).
     */
    @Test
    void paysWhereTheTransformsAreWorthIt() {
        boolean jdk25 = Runtime.version().feature() >= 25;
        assertThat(WinogradF4Simd.pays(new ConvShape(16, 40, 16, 16, 40, 3, 3, 1, 1)))
                .isEqualTo(jdk25);
        assertThat(WinogradF4Simd.pays(new ConvShape(15, 40, 16, 16, 40, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradF4Simd.pays(new ConvShape(10, 40, 16, 16, 40, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradF4Simd.pays(new ConvShape(100, 80, 8, 8, 80, 3, 3, 1, 1)))
                .isEqualTo(jdk25);
        assertThat(WinogradF4Simd.pays(new ConvShape(64, 80, 8, 8, 80, 3, 3, 1, 1)))
                .isEqualTo(jdk25);
        assertThat(WinogradF4Simd.pays(new ConvShape(63, 80, 8, 8, 80, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradF4Simd.pays(new ConvShape(100, 20, 32, 32, 20, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradF4Simd.pays(new ConvShape(100, 160, 4, 4, 160, 3, 3, 1, 1))).isFalse();
    }
}
