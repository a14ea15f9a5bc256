package arm.kernels.cpu;

import arm.kernels.cpu.ref.ConvRef;
import arm.kernels.cpu.ref.ConvTransposeRef;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The transposed convolution's production path ({@link CpuConv#transposeForward} and {@link
 * CpuBackend#convTranspose2d}, i.e. the convolution's input-gradient kernels) against its naive
 * gather twin {@link ConvTransposeRef} on odd shapes: strides 1–3, padding, output padding,
 * non-square inputs and kernels, the CIFAR VAE decoder's shapes; and the twin against the scatter
 * of {@link ConvRef#backwardInput}.
 */
class ConvTransposeTest {

    @Test
    void fastMatchesNaiveTwin() {
        int[][] shapes = { // n, ci, h, w, co, kh, kw, stride, pad, outputPad
            {3, 5, 7, 9, 4, 3, 3, 1, 1, 0},
            {2, 7, 5, 6, 3, 5, 5, 2, 2, 1},
            {2, 3, 4, 7, 5, 3, 2, 2, 0, 1},
            {1, 4, 3, 3, 2, 4, 3, 3, 1, 2},
            {3, 9, 1, 1, 64, 8, 8, 1, 0, 0}, // z×1×1 → 8×8, the VAE decoder's first layer
            {3, 64, 8, 8, 64, 5, 5, 1, 2, 0},
            {3, 64, 8, 8, 32, 5, 5, 2, 2, 1},
            {3, 32, 16, 16, 32, 5, 5, 2, 2, 1},
            {2, 33, 11, 10, 65, 3, 3, 1, 0, 0},
            {2, 70, 9, 9, 66, 3, 3, 2, 1, 1},
        };
        SplittableRandom r = new SplittableRandom(18);
        CpuBackend be = new CpuBackend();
        for (int[] s : shapes) {
            int n = s[0], ci = s[1], h = s[2], wd = s[3], co = s[4], kh = s[5], kw = s[6];
            int st = s[7], pad = s[8], op = s[9];
            int ho = Shape.convTransposeOut(h, kh, st, pad, op);
            int wo = Shape.convTransposeOut(wd, kw, st, pad, op);
            String what = Arrays.toString(s);
            float[] x = ConvAsserts.rand(r, n * ci * h * wd),
                    w = ConvAsserts.rand(r, ci * co * kh * kw);
            float[] ref = new float[n * co * ho * wo], fast = new float[ref.length];
            ConvTransposeRef.forward(x, w, ref, n, ci, h, wd, co, kh, kw, st, pad, ho, wo);
            Arrays.fill(fast, Float.NaN);
            CpuConv.transposeForward(x, w, fast, n, ci, h, wd, co, kh, kw, st, pad, ho, wo);
            ConvAsserts.close(what + " CpuConv", "CpuConv", fast, ref);
            Tensor y = Tensor.zeros(n, co, ho, wo);
            be.convTranspose2d(
                    Tensor.of(x, n, ci, h, wd), Tensor.of(w, ci, co, kh, kw), st, pad, y);
            ConvAsserts.close(what + " CpuBackend", "CpuBackend", y.toArray(), ref);
            float[] scatter = new float[ref.length];
            ConvRef.backwardInput(x, w, scatter, n, co, ho, wo, ci, kh, kw, st, pad);
            ConvAsserts.close(what + " ConvRef scatter", "ConvRef", scatter, ref);
        }
    }
}
