package arm.kernels.cpu.fast;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.ConvRef;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The im2col convolution against its naive twin {@link ConvRef} on odd shapes, random data. */
class ConvIm2colTest {

    static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    static void assertClose(String what, float[] ours, float[] ref) {
        double scale = 0;
        for (float v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++)
            if (!(Math.abs(ours[i] - ref[i]) <= 1e-5 * (1 + scale)))
                throw new AssertionError(
                        what + " at " + i + ": ours " + ours[i] + ", naive " + ref[i]);
    }

    /** Every combination of the odd sizes, on 1, 2 and 3 parts (the thread split, run serially). */
    @Test
    void allThreeKernelsMatchNaive() {
        SplittableRandom r = new SplittableRandom(7);
        int cases = 0;
        for (int n : new int[] {1, 3})
            for (int ci : new int[] {1, 3, 5})
                for (int co : new int[] {1, 5})
                    for (int h : new int[] {7, 11})
                        for (int k : new int[] {1, 3})
                            for (int stride : new int[] {1, 2})
                                for (int pad : new int[] {0, 1}) {
                                    int w = h == 7 ? 9 : 11; // one non-square case
                                    ConvShape g = new ConvShape(n, ci, h, w, co, k, k, stride, pad);
                                    check(g, r, 1 + cases % 3);
                                    cases++;
                                }
        assertThat(cases).isEqualTo(192);
    }

    @Test
    void resnetShapesWithImageChunking() {
        SplittableRandom r = new SplittableRandom(8);
        // stage 4 at 32×32 input: P = 16, so 16 images share one GEMM; projection 1×1 stride 2
        check(new ConvShape(37, 13, 4, 4, 11, 3, 3, 1, 1), r, 2);
        check(new ConvShape(17, 7, 8, 8, 9, 1, 1, 2, 0), r, 3);
        // MiniImageNet's odd 21 → 11 stride-2 step
        check(new ConvShape(3, 4, 21, 21, 6, 3, 3, 2, 1), r, 2);
        // large planes are cut into blocks of output rows (here 6 rows, the last block shorter)
        ConvShape rows = new ConvShape(2, 30, 41, 37, 7, 3, 3, 1, 1);
        assertThat(ConvIm2col.rowsPerBlock(rows)).isLessThan(rows.ho);
        check(rows, r, 2);
        check(new ConvShape(2, 30, 41, 37, 7, 3, 3, 2, 1), r, 1);
        check(new ConvShape(1, 3, 84, 84, 5, 3, 3, 1, 1), r, 1); // the MiniImageNet stem
        // the transposed-convolution path of the stride-1 input gradient (16+ input channels)
        for (int pad : new int[] {0, 1}) {
            ConvShape t = new ConvShape(3, 17, 9, 11, 5, 3, 3, 1, pad);
            assertThat(ConvIm2col.transposable(t)).isTrue();
            check(t, r, 2);
        }
        check(new ConvShape(2, 19, 7, 7, 3, 1, 1, 1, 0), r, 1);
    }

    private static void check(ConvShape g, SplittableRandom r, int threads) {
        float[] x = rand(r, g.n * g.xImage()),
                w = rand(r, g.co * g.k),
                dy = rand(r, g.n * g.yImage());
        float[] y = new float[g.n * g.yImage()], yRef = new float[y.length];
        ConvRef.forward(x, w, yRef, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
        Arrays.fill(y, Float.NaN); // every output must be written
        ConvIm2col.forward(x, w, y, g, threads);
        assertClose(g + " forward", y, yRef);

        float[] dx = new float[x.length], dxRef = new float[x.length];
        Arrays.fill(dx, Float.NaN); // overwritten, not accumulated
        ConvRef.backwardInput(dy, w, dxRef, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
        ConvIm2col.backwardInput(dy, w, dx, g, threads);
        assertClose(g + " backward input", dx, dxRef);

        float[] dw = new float[w.length], dwRef = new float[w.length];
        Arrays.fill(dw, Float.NaN);
        ConvRef.backwardWeight(
                x, dy, dwRef, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
        ConvIm2col.backwardWeight(x, dy, dw, g, threads);
        assertClose(g + " backward weight", dw, dwRef);
    }
}
