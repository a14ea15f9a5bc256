package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import arm.tensor.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The production dispatch ({@link CpuConv}: channels-last, direct, im2col by shape) against the
 * naive loops, forward and both gradients, on the ResNet18 (nf = 20) layer shapes with an odd
 * batch, and on shapes that route through the less common branches (stride-1 convolutions without
 * "same" padding, strided 1×1, 2×2 and 3×3 kernels with few or many channels, stride 3, short
 * rows).
 */
class CpuConvDispatchTest {

    static float[] rand(SplittableRandom r, int n) {
        return ConvAsserts.rand(r, n);
    }

    static void close(String what, float[] ours, float[] ref) {
        ConvAsserts.close(what, "CpuConv", ours, ref);
    }

    /** The channels-last kernel takes its shapes on every JDK unless switched off. */
    @Test
    void channelsLastByDefault() {
        if (System.getProperty("arm.conv.channelsLast") != null) return;
        ConvShape g = new ConvShape(10, 80, 8, 8, 80, 3, 3, 1, 1);
        assertThat(CpuConv.channelsLast(80, 80, g))
                .isEqualTo(CpuGemm.active() == CpuGemm.Path.SIMD);
    }

    @Test
    void everyBranchMatchesNaive() {
        int[][] shapes = { // n, ci, h, w, co, k, stride, pad
            {3, 3, 32, 32, 20, 3, 1, 1},
            {3, 20, 32, 32, 20, 3, 1, 1},
            {3, 20, 32, 32, 40, 3, 2, 1},
            {3, 40, 16, 16, 40, 3, 1, 1},
            {3, 20, 32, 32, 40, 1, 2, 0},
            {3, 40, 16, 16, 80, 3, 2, 1},
            {3, 80, 8, 8, 80, 3, 1, 1},
            {3, 40, 16, 16, 80, 1, 2, 0},
            {3, 80, 8, 8, 160, 3, 2, 1},
            {3, 160, 4, 4, 160, 3, 1, 1},
            {3, 80, 8, 8, 160, 1, 2, 0},
            {2, 17, 13, 11, 7, 3, 1, 0},
            {2, 33, 12, 10, 65, 3, 1, 0},
            {2, 5, 19, 23, 3, 5, 1, 1},
            {2, 7, 21, 18, 11, 3, 3, 2},
            {2, 70, 9, 9, 66, 3, 2, 1},
            {2, 7, 17, 19, 13, 3, 2, 1}, // strided input gradients per phase
            {2, 9, 18, 20, 5, 2, 2, 0},
            {1, 3, 5, 6, 2, 3, 2, 1},
            {3, 64, 8, 8, 100, 8, 1, 0}, // a kernel covering the input: one GEMM
            {2, 5, 7, 7, 3, 7, 2, 0},
        };
        SplittableRandom r = new SplittableRandom(12);
        for (int[] s : shapes) {
            int n = s[0], ci = s[1], h = s[2], w = s[3], co = s[4], k = s[5], st = s[6], pad = s[7];
            int ho = Shape.convOut(h, k, st, pad), wo = Shape.convOut(w, k, st, pad);
            String what = Arrays.toString(s);
            float[] x = rand(r, n * ci * h * w),
                    wt = rand(r, co * ci * k * k),
                    dy = rand(r, n * co * ho * wo);
            float[] y = new float[dy.length], yRef = new float[dy.length];
            CpuConv.forward(x, wt, y, n, ci, h, w, co, k, k, st, pad);
            ConvRef.forward(x, wt, yRef, n, ci, h, w, co, k, k, st, pad);
            close(what + " forward", y, yRef);
            float[] dx = new float[x.length], dxRef = new float[x.length];
            Arrays.fill(dx, Float.NaN);
            CpuConv.backwardInput(dy, wt, dx, n, ci, h, w, co, k, k, st, pad);
            ConvRef.backwardInput(dy, wt, dxRef, n, ci, h, w, co, k, k, st, pad);
            close(what + " input gradient", dx, dxRef);
            float[] dw = new float[wt.length], dwRef = new float[wt.length];
            Arrays.fill(dw, Float.NaN);
            CpuConv.backwardWeight(x, dy, dw, n, ci, h, w, co, k, k, st, pad);
            ConvRef.backwardWeight(x, dy, dwRef, n, ci, h, w, co, k, k, st, pad);
            close(what + " weight gradient", dw, dwRef);
        }
        assertThat(CpuConv.path()).isNotBlank();
    }
}
