package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * Double-precision gradient check of conv_transpose2d for x, w and b against a float64 scatter
 * written from the definition: strides 1–3, padding, output padding, non-square inputs and kernels.
 */
class ConvTransposeGradTest {

    /** y[n,o,i·s−p+u, j·s−p+v] += x[n,c,i,j]·w[c,o,u,v], then + b[o]; in double. */
    static double[] convT64(
            double[] x,
            double[] w,
            double[] b,
            int[] xs,
            int co,
            int kh,
            int kw,
            int s,
            int p,
            int op) {
        int n = xs[0], ci = xs[1], h = xs[2], wd = xs[3];
        int ho = Shape.convTransposeOut(h, kh, s, p, op),
                wo = Shape.convTransposeOut(wd, kw, s, p, op);
        double[] y = new double[n * co * ho * wo];
        for (int a = 0; a < n; a++)
            for (int c = 0; c < ci; c++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++)
                        for (int o = 0; o < co; o++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++) {
                                    int r = i * s - p + u, q = j * s - p + v;
                                    if (r >= 0 && r < ho && q >= 0 && q < wo)
                                        y[((a * co + o) * ho + r) * wo + q] +=
                                                x[((a * ci + c) * h + i) * wd + j]
                                                        * w[((c * co + o) * kh + u) * kw + v];
                                }
        if (b != null)
            for (int a = 0; a < n; a++)
                for (int o = 0; o < co; o++)
                    for (int k = 0; k < ho * wo; k++) y[(a * co + o) * ho * wo + k] += b[o];
        return y;
    }

    @Test
    void inputWeightAndBias() {
        int[][] cases = { // n, ci, h, w, co, kh, kw, stride, pad, outputPad
            {2, 3, 4, 5, 2, 3, 3, 1, 0, 0},
            {2, 3, 4, 5, 2, 3, 3, 1, 1, 0},
            {2, 2, 3, 4, 3, 5, 5, 2, 2, 1},
            {1, 3, 3, 2, 2, 3, 2, 2, 1, 0},
            {2, 2, 3, 3, 2, 4, 3, 3, 1, 2},
            {2, 4, 1, 1, 3, 4, 4, 1, 0, 0}, // z×1×1 → k×k, the VAE decoder's first layer
        };
        int seed = 0;
        for (int[] c : cases) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            int co = c[4], kh = c[5], kw = c[6], s = c[7], p = c[8], op = c[9];
            var x = rand(50 + seed, -1, 1, xs);
            var w = rand(60 + seed, -1, 1, c[1], co, kh, kw);
            var b = rand(70 + seed++, -1, 1, co);
            GradCheck.check(
                    "conv_transpose2d " + java.util.Arrays.toString(c),
                    v -> F.convTranspose2d(v[0], v[1], v[2], s, p, op),
                    a -> convT64(a[0], a[1], a[2], xs, co, kh, kw, s, p, op),
                    x,
                    w,
                    b);
        }
    }

    @Test
    void withoutBiasAndLargerRandomDirection() {
        int[] xs = {3, 5, 6, 7};
        var x = rand(81, -1, 1, xs);
        var w = rand(82, -1, 1, 5, 4, 5, 5);
        GradCheck.check(
                "conv_transpose2d large",
                v -> F.convTranspose2d(v[0], v[1], null, 2, 2, 1),
                a -> convT64(a[0], a[1], null, xs, 4, 5, 5, 2, 2, 1),
                x,
                w);
    }

    /**
     * A case computed by PyTorch 1.13's F.conv_transpose2d (stride 2, padding 1, output padding 1).
     */
    @Test
    void matchesPyTorch() {
        float[] xs = new float[6], ws = new float[18];
        for (int i = 0; i < 6; i++) xs[i] = i + 1;
        for (int i = 0; i < 18; i++) ws[i] = i / 10f - 0.8f;
        Var y =
                F.convTranspose2d(
                        Var.constant(arm.tensor.Tensor.of(xs, 1, 1, 2, 3)),
                        Var.constant(arm.tensor.Tensor.of(ws, 1, 2, 3, 3)),
                        Var.constant(arm.tensor.Tensor.of(new float[] {0.5f, -1f}, 2)),
                        2,
                        1,
                        1);
        float[] torch = {
            0.1f, -0.8f, -0.3f, -1.6f, -0.7f, -0.4f, -2.4f, -6.3f, -3.2f, -7.9f, -4.0f, -3.1f,
            -1.1f, -3.2f, -1.5f, -4.0f, -1.9f, -1.3f, 0.1f, -0.5f, -0.0f, -0.7f, -0.1f, 0.5f, -0.5f,
            0.4f, -0.0f, 1.4f, 0.5f, 0.8f, 0.6f, 3.0f, 1.6f, 5.0f, 2.6f, 3.5f, 1.0f, 3.4f, 1.5f,
            4.4f, 2.0f, 2.6f, 2.2f, 6.1f, 3.0f, 7.7f, 3.8f, 4.4f
        };
        assertThat(y.shape()).containsExactly(1, 2, 4, 6);
        float[] ours = y.value.toArray();
        for (int i = 0; i < torch.length; i++)
            assertThat(ours[i]).isCloseTo(torch[i], org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void outputShapeAndBadArguments() {
        var x = Var.param(rand(1, -1, 1, 2, 3, 8, 8));
        var w = Var.param(rand(2, -1, 1, 3, 4, 5, 5));
        assertThat(F.convTranspose2d(x, w, null, 2, 2, 1).shape()).containsExactly(2, 4, 16, 16);
        assertThatThrownBy(() -> F.convTranspose2d(x, w, null, 2, 2, 2))
                .hasMessageContaining("output padding");
        var wrong = Var.param(rand(3, -1, 1, 4, 3, 5, 5));
        assertThatThrownBy(() -> F.convTranspose2d(x, wrong, null, 1, 0, 0))
                .hasMessageContaining("do not fit");
    }
}
