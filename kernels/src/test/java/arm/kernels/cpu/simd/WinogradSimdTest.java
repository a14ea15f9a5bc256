package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ConvAsserts;
import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import arm.kernels.cpu.ref.WinogradRef;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2×2, 3×3): the SIMD kernel equals its scalar twin bit for bit, and both equal the
 * naive convolution within the kernels' tolerance, forward and as the input gradient (the forward
 * with the flipped transposed weights); odd channel counts off the 5- and 10-channel tiles, rows of
 * a whole vector of tiles and of half of one, one and two threads.
 */
class WinogradSimdTest {
    private static final int L = WinogradSimd.L;

    /**
     * Image sides: rows of L tiles, of L/2 and of 2L (a row of tiles per vector), then small and
     * uneven ones whose tiles are gathered (8×8 and 4×4 are ResNet's; 6×10 puts chunks across
     * images unevenly, 2×2 is one tile).
     */
    private static int[][] sides() {
        return new int[][] {
            {2 * L, 2 * L}, {L, L}, {L + 2 * L, 2 * L}, {L, 4 * L}, {2 * L, L},
            {8, 8}, {4, 4}, {6, 10}, {2, 2}, {12, 6}
        };
    }

    @Test
    void forwardEqualsItsTwinAndTheNaiveLoops() {
        SplittableRandom r = new SplittableRandom(11);
        int cases = 0;
        for (int n : new int[] {1, 3})
            for (int ci : new int[] {8, 13, 20})
                for (int co : new int[] {4, 7, 20, 23})
                    for (int[] hw : sides()) {
                        ConvShape g = new ConvShape(n, ci, hw[0], hw[1], co, 3, 3, 1, 1);
                        if (!WinogradSimd.supports(g)) continue;
                        float[] x = ConvAsserts.rand(r, n * g.xImage()),
                                w = ConvAsserts.rand(r, co * g.k);
                        float[] y = new float[n * g.yImage()],
                                twin = new float[y.length],
                                ref = new float[y.length];
                        Arrays.fill(y, Float.NaN);
                        WinogradSimd.forward(x, w, y, g, 1 + cases % 2);
                        WinogradRef.forward(x, w, twin, n, ci, g.h, g.w, co);
                        ConvRef.forward(x, w, ref, n, ci, g.h, g.w, co, 3, 3, 1, 1);
                        assertThat(bits(y)).as(g + " SIMD against its twin").isEqualTo(bits(twin));
                        ConvAsserts.close(g + " forward", "winograd", y, ref);
                        cases++;
                    }
        assertThat(cases).isEqualTo(2 * 3 * 4 * sides().length);
    }

    @Test
    void inputGradientThroughTheFlippedWeightsMatchesNaive() {
        SplittableRandom r = new SplittableRandom(12);
        for (int[] hw : sides()) {
            int n = 2, ci = 11, co = 20;
            ConvShape g = new ConvShape(n, ci, hw[0], hw[1], co, 3, 3, 1, 1);
            ConvShape t = new ConvShape(n, co, hw[0], hw[1], ci, 3, 3, 1, 1);
            if (!WinogradSimd.supports(t)) continue;
            float[] w = ConvAsserts.rand(r, co * g.k), dy = ConvAsserts.rand(r, n * g.yImage());
            float[] dx = new float[n * g.xImage()], ref = new float[dx.length];
            WinogradSimd.forward(dy, ConvIm2col.flipTransposed(w, g), dx, t, 2);
            ConvRef.backwardInput(dy, w, ref, n, ci, g.h, g.w, co, 3, 3, 1, 1);
            ConvAsserts.close(g + " input gradient", "winograd", dx, ref);
        }
    }

    @Test
    void resultsDoNotDependOnTheBatchOrTheThreads() {
        SplittableRandom r = new SplittableRandom(13);
        ConvShape g = new ConvShape(5, 20, 2 * L, 2 * L, 20, 3, 3, 1, 1);
        float[] x = ConvAsserts.rand(r, 5 * g.xImage()), w = ConvAsserts.rand(r, 20 * g.k);
        float[] all = new float[5 * g.yImage()], two = new float[all.length];
        WinogradSimd.forward(x, w, all, g, 1);
        WinogradSimd.forward(x, w, two, g, 2);
        assertThat(bits(two)).isEqualTo(bits(all));
        ConvShape one = new ConvShape(1, 20, 2 * L, 2 * L, 20, 3, 3, 1, 1);
        float[] last = new float[g.yImage()];
        WinogradSimd.forward(
                Arrays.copyOfRange(x, 4 * g.xImage(), 5 * g.xImage()), w, last, one, 1);
        assertThat(bits(last))
                .isEqualTo(bits(Arrays.copyOfRange(all, 4 * g.yImage(), 5 * g.yImage())));
    }

    @Test
    void takesOnlyItsShapes() {
        assertThat(WinogradSimd.supports(new ConvShape(1, 20, 2 * L, 2 * L, 20, 3, 3, 1, 1)))
                .isTrue();
        assertThat(WinogradSimd.supports(new ConvShape(1, 20, 2 * L, 2 * L, 20, 3, 3, 2, 1)))
                .isFalse();
        assertThat(WinogradSimd.supports(new ConvShape(1, 20, 2 * L, 2 * L, 20, 3, 3, 1, 0)))
                .isFalse();
        assertThat(WinogradSimd.supports(new ConvShape(1, 3, 2 * L, 2 * L, 20, 3, 3, 1, 1)))
                .isFalse();
        assertThat(WinogradSimd.supports(new ConvShape(1, 20, 2 * L, 2 * L, 3, 3, 3, 1, 1)))
                .isFalse();
        assertThat(WinogradSimd.supports(new ConvShape(1, 20, 2 * L + 1, 2 * L, 20, 3, 3, 1, 1)))
                .isFalse();
    }

    @Test
    void theDispatchTakesTheRowPathFromJdk25AndTheGatheredPathEverywhere() {
        ConvShape rows = new ConvShape(1, 20, 2 * L, 2 * L, 20, 3, 3, 1, 1);
        ConvShape small = new ConvShape(10, 80, 8, 8, 80, 3, 3, 1, 1);
        assertThat(WinogradSimd.pays(rows)).isEqualTo(Runtime.version().feature() >= 25);
        assertThat(WinogradSimd.pays(small)).isTrue();
    }

    /**
     * Too few tiles for the transforms to pay (a plain step's 10 images at the 4×4 stage: 40) stay
     * on the other kernels; from {@link WinogradSimd#MIN_TILES} on they are taken.
     */
    @Test
    void fewTilesStayOnTheOtherKernels() {
        assertThat(WinogradSimd.pays(new ConvShape(10, 160, 4, 4, 160, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradSimd.pays(new ConvShape(15, 160, 4, 4, 160, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradSimd.pays(new ConvShape(16, 160, 4, 4, 160, 3, 3, 1, 1))).isTrue();
        assertThat(WinogradSimd.pays(new ConvShape(100, 160, 4, 4, 160, 3, 3, 1, 1))).isTrue();
        assertThat(WinogradSimd.pays(new ConvShape(3, 80, 8, 8, 80, 3, 3, 1, 1))).isFalse();
        assertThat(WinogradSimd.pays(new ConvShape(4, 80, 8, 8, 80, 3, 3, 1, 1))).isTrue();
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }
}
