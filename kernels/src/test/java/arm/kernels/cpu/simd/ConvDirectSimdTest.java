package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ConvAsserts;
import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The direct (implicit-GEMM) convolution against the naive loops on odd shapes: channel counts off
 * the 5- and 10-channel tiles (AVX2, AVX-512), rows whose padded pitch is off the 16-position tile,
 * 1×1, 3×3 and 5×5 kernels; and the input gradient through the flipped transposed weights.
 */
class ConvDirectSimdTest {

    static float[] rand(SplittableRandom r, int n) {
        return ConvAsserts.rand(r, n);
    }

    static void close(String what, float[] ours, float[] ref) {
        ConvAsserts.close(what, "direct", ours, ref);
    }

    @Test
    void forwardAndInputGradientMatchNaive() {
        SplittableRandom r = new SplittableRandom(3);
        int cases = 0, strided = 0;
        for (int n : new int[] {1, 3})
            for (int ci : new int[] {1, 3, 17})
                for (int co : new int[] {1, 7, 20})
                    for (int[] hw : new int[][] {{8, 8}, {11, 9}, {7, 13}})
                        for (int k : new int[] {1, 3, 5}) {
                            ConvShape g = new ConvShape(n, ci, hw[0], hw[1], co, k, k, 1, k / 2);
                            if (!ConvDirectSimd.supports(g)) continue;
                            for (int s = 2;
                                    s <= 3;
                                    s++) // strided, through the phase planes, every pad
                            for (int pad = 0; pad < k; pad++) {
                                    ConvShape gs =
                                            new ConvShape(
                                                    n,
                                                    ci,
                                                    2 * hw[0] + 3,
                                                    2 * hw[1] + 5,
                                                    co,
                                                    k,
                                                    k,
                                                    s,
                                                    pad);
                                    if (!ConvDirectSimd.supports(gs)) continue;
                                    float[] xs = rand(r, n * gs.xImage()), ws = rand(r, co * gs.k);
                                    float[] ys = new float[n * gs.yImage()],
                                            ysRef = new float[ys.length];
                                    ConvDirectSimd.forward(xs, ws, ys, gs, 1 + cases % 2);
                                    ConvRef.forward(
                                            xs, ws, ysRef, n, ci, gs.h, gs.w, co, k, k, s, pad);
                                    close(gs + " forward", ys, ysRef);
                                    strided++;
                                }
                            float[] x = rand(r, n * g.xImage()),
                                    w = rand(r, co * g.k),
                                    dy = rand(r, n * g.yImage());
                            float[] y = new float[dy.length], yRef = new float[dy.length];
                            Arrays.fill(y, Float.NaN);
                            ConvDirectSimd.forward(x, w, y, g, 1 + cases % 2);
                            ConvRef.forward(x, w, yRef, n, ci, g.h, g.w, co, k, k, 1, k / 2);
                            close(g + " forward", y, yRef);
                            // dx = conv(dy, w̃) over Co input channels
                            ConvShape t =
                                    new ConvShape(n, co, g.h, g.w, ci, k, k, 1, k - 1 - k / 2);
                            float[] dx = new float[x.length], dxRef = new float[x.length];
                            ConvDirectSimd.forward(dy, ConvIm2col.flipTransposed(w, g), dx, t, 2);
                            ConvRef.backwardInput(
                                    dy, w, dxRef, n, ci, g.h, g.w, co, k, k, 1, k / 2);
                            close(g + " input gradient", dx, dxRef);
                            cases++;
                        }
        assertThat(cases).isGreaterThan(80);
        assertThat(strided).isGreaterThan(300);
    }

    @Test
    void resnetStageShapes() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] s :
                new int[][] {{3, 32, 20}, {20, 32, 20}, {40, 16, 40}, {80, 8, 80}, {17, 16, 13}}) {
            ConvShape g = new ConvShape(2, s[0], s[1], s[1], s[2], 3, 3, 1, 1);
            float[] x = rand(r, 2 * g.xImage()), w = rand(r, g.co * g.k);
            float[] y = new float[2 * g.yImage()], yRef = new float[y.length];
            ConvDirectSimd.forward(x, w, y, g, 2);
            ConvRef.forward(x, w, yRef, 2, g.ci, g.h, g.w, g.co, 3, 3, 1, 1);
            close(g + " forward", y, yRef);
        }
        assertThat(ConvDirectSimd.supports(new ConvShape(1, 160, 4, 4, 160, 3, 3, 1, 1)))
                .isFalse(); // 4×4: im2col
        assertThat(ConvDirectSimd.supports(new ConvShape(1, 20, 32, 32, 40, 3, 3, 2, 1)))
                .isTrue(); // phase planes
        assertThat(ConvDirectSimd.supports(new ConvShape(1, 40, 16, 16, 80, 3, 3, 2, 1))).isTrue();
    }
}
