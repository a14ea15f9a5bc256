package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.ops.BatchNorm2d.Mode;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Double-precision gradient checks of conv2d, batch norm (train and eval) and average pooling, for
 * every input, against float64 reference forwards written out below.
 */
class ConvNormPoolGradTest {

    // ------------------------------------------------------------ conv2d

    /** y[n,o,i,j] = Σ x[n,c,i·s−p+u, j·s−p+v]·w[o,c,u,v] in double. */
    static double[] conv64(
            double[] x, double[] w, int n, int ci, int h, int wd, int co, int k, int s, int p) {
        int ho = Shape.convOut(h, k, s, p), wo = Shape.convOut(wd, k, s, p);
        double[] y = new double[n * co * ho * wo];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++) {
                        double acc = 0;
                        for (int c = 0; c < ci; c++)
                            for (int u = 0; u < k; u++)
                                for (int v = 0; v < k; v++) {
                                    int r = i * s - p + u, q = j * s - p + v;
                                    if (r >= 0 && r < h && q >= 0 && q < wd)
                                        acc +=
                                                x[((b * ci + c) * h + r) * wd + q]
                                                        * w[((o * ci + c) * k + u) * k + v];
                                }
                        y[((b * co + o) * ho + i) * wo + j] = acc;
                    }
        return y;
    }

    @Test
    void conv2dInputAndWeight() {
        int n = 2, ci = 3, h = 5, wd = 7, co = 2;
        for (int k : new int[] {3, 1})
            for (int stride : new int[] {1, 2})
                for (int pad : new int[] {0, 1}) {
                    var x = rand(10 + k + stride + pad, -1, 1, n, ci, h, wd);
                    var w = rand(20 + k + stride + pad, -1, 1, co, ci, k, k);
                    int kk = k, s = stride, p = pad;
                    GradCheck.check(
                            "conv k=" + k + " s=" + stride + " p=" + pad,
                            v -> F.conv2d(v[0], v[1], s, p),
                            a -> conv64(a[0], a[1], n, ci, h, wd, co, kk, s, p),
                            x,
                            w);
                }
    }

    @Test
    void conv2dLargeInputRandomDirection() {
        int n = 3, ci = 5, h = 11, wd = 11, co = 4; // 1815 inputs: sampled + directional check
        var x = rand(31, -1, 1, n, ci, h, wd);
        var w = rand(32, -1, 1, co, ci, 3, 3);
        GradCheck.check(
                "conv large",
                v -> F.conv2d(v[0], v[1], 2, 1),
                a -> conv64(a[0], a[1], n, ci, h, wd, co, 3, 2, 1),
                x,
                w);
    }

    /** Records the names of backend calls while a body runs (the needs-grad mask at work). */
    static List<String> backendCalls(Runnable body) {
        Backend real = Backends.cpu();
        List<String> calls = new ArrayList<>();
        Backend spy =
                (Backend)
                        Proxy.newProxyInstance(
                                Backend.class.getClassLoader(),
                                new Class<?>[] {Backend.class},
                                (obj, m, args) -> {
                                    calls.add(m.getName());
                                    try {
                                        return m.invoke(real, args);
                                    } catch (java.lang.reflect.InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
        Backends.set(spy);
        try {
            body.run();
        } finally {
            Backends.set(real);
        }
        return calls;
    }

    @Test
    void conv2dInputGradientAloneSkipsWeightGradient() {
        Var x = Var.param(rand(41, -1, 1, 2, 3, 6, 6));
        Var w = Var.param(rand(42, -1, 1, 4, 3, 3, 3));
        List<String> calls = backendCalls(() -> Autograd.grad(F.sum(F.conv2d(x, w, 1, 1)), x));
        assertThat(calls).contains("conv2dBackwardInput").doesNotContain("conv2dBackwardWeight");
        calls = backendCalls(() -> Autograd.grad(F.sum(F.conv2d(x, w, 1, 1)), w));
        assertThat(calls).contains("conv2dBackwardWeight").doesNotContain("conv2dBackwardInput");
    }

    // ------------------------------------------------------------ batch norm

    static final float EPS = 1e-5f;

    /** Training-mode batch norm in double: batch mean, biased variance. */
    static double[] bnTrain64(double[] x, double[] g, double[] b, int n, int c, int hw) {
        double[] y = new double[x.length];
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double mu = 0, var = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) mu += x[(i * c + ch) * hw + j];
            mu /= m;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < hw; j++) var += Math.pow(x[(i * c + ch) * hw + j] - mu, 2);
            var /= m;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < hw; j++) {
                    int at = (i * c + ch) * hw + j;
                    y[at] = g[ch] * (x[at] - mu) / Math.sqrt(var + EPS) + b[ch];
                }
        }
        return y;
    }

    @Test
    void batchNormTrainAllInputs() {
        int n = 3, c = 2, h = 3, w = 5;
        var x = rand(51, -2, 2, n, c, h, w);
        var gamma = rand(52, 0.5, 1.5, c);
        var beta = rand(53, -1, 1, c);
        GradCheck.check(
                "batchnorm train",
                v -> F.batchNorm(v[0], v[1], v[2], Mode.train(EPS), false),
                a -> bnTrain64(a[0], a[1], a[2], n, c, h * w),
                x,
                gamma,
                beta);
    }

    @Test
    void batchNormTrainLargeRandomDirection() {
        int n = 7, c = 3, h = 5, w = 5; // 525 values: sampled + directional check
        var x = rand(54, -2, 2, n, c, h, w);
        var gamma = rand(55, 0.5, 1.5, c);
        var beta = rand(56, -1, 1, c);
        GradCheck.check(
                "batchnorm train large",
                v -> F.batchNorm(v[0], v[1], v[2], Mode.train(EPS), false),
                a -> bnTrain64(a[0], a[1], a[2], n, c, h * w),
                x,
                gamma,
                beta);
    }

    @Test
    void fusedBatchNormReluAllInputsAndEqualsTheComposition() {
        int n = 3, c = 2, h = 3, w = 5;
        var x = rand(57, -2, 2, n, c, h, w);
        var gamma = rand(58, 0.5, 1.5, c);
        var beta = rand(59, -0.3, 0.3, c);
        GradCheck.check(
                "batchnorm+relu train",
                v -> F.batchNorm(v[0], v[1], v[2], Mode.train(EPS), true),
                a -> {
                    double[] y = bnTrain64(a[0], a[1], a[2], n, c, h * w);
                    for (int i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]);
                    return y;
                },
                x,
                gamma,
                beta);
        // same values and gradients as relu(batchNorm(x)), running statistics included
        Var[] in = {Var.param(x), Var.param(gamma), Var.param(beta)};
        Tensor rm1 = Tensor.zeros(c),
                rv1 = Tensor.of(new float[] {1, 1}, c),
                rm2 = Tensor.zeros(c),
                rv2 = Tensor.of(new float[] {1, 1}, c);
        Var fused =
                F.batchNorm(in[0], in[1], in[2], Mode.train(EPS).tracking(rm1, rv1, 0.1f), true);
        Var composed =
                F.relu(
                        F.batchNorm(
                                in[0],
                                in[1],
                                in[2],
                                Mode.train(EPS).tracking(rm2, rv2, 0.1f),
                                false));
        assertThat(fused.value.toArray()).containsExactly(composed.value.toArray());
        assertThat(rm1.toArray()).containsExactly(rm2.toArray());
        assertThat(rv1.toArray()).containsExactly(rv2.toArray());
        Var wts = Var.constant(rand(60, -1, 1, n, c, h, w));
        Tensor[] gf = Autograd.grad(F.sum(F.mul(fused, wts)), in);
        Tensor[] gc = Autograd.grad(F.sum(F.mul(composed, wts)), in);
        for (int i = 0; i < 3; i++) {
            float[] a = gf[i].toArray(), b = gc[i].toArray();
            for (int j = 0; j < a.length; j++)
                assertThat(a[j]).isCloseTo(b[j], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void batchNormEvalAllInputs() {
        int n = 2, c = 3, h = 3, w = 3;
        var x = rand(61, -2, 2, n, c, h, w);
        var gamma = rand(62, 0.5, 1.5, c);
        var beta = rand(63, -1, 1, c);
        Tensor rm = rand(64, -0.5, 0.5, c), rv = rand(65, 0.5, 2, c);
        double[] mu = GradCheck.toDouble(rm.toArray()), var = GradCheck.toDouble(rv.toArray());
        GradCheck.check(
                "batchnorm eval",
                v -> F.batchNorm(v[0], v[1], v[2], Mode.eval(rm, rv, EPS), false),
                a -> {
                    double[] y = new double[a[0].length];
                    for (int i = 0; i < y.length; i++) {
                        int ch = (i / (h * w)) % c;
                        y[i] = a[1][ch] * (a[0][i] - mu[ch]) / Math.sqrt(var[ch] + EPS) + a[2][ch];
                    }
                    return y;
                },
                x,
                gamma,
                beta);
    }

    @Test
    void batchNormRunningUpdateUsesUnbiasedVariance() {
        // one channel, m = 4 values {1, 2, 3, 6}: mean 3, biased var 3.5, unbiased 14/3
        Tensor x = Tensor.of(new float[] {1, 2, 3, 6}, 2, 1, 1, 2);
        Tensor rm = Tensor.of(new float[] {0}, 1), rv = Tensor.of(new float[] {1}, 1);
        F.batchNorm(
                Var.constant(x),
                Var.constant(Tensor.of(new float[] {1}, 1)),
                Var.constant(Tensor.of(new float[] {0}, 1)),
                Mode.train(EPS).tracking(rm, rv, 0.1f),
                false);
        assertThat(rm.item()).isCloseTo(0.3f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(rv.item())
                .isCloseTo(0.9f + 0.1f * 14f / 3f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    // ------------------------------------------------------------ pooling

    static double[] pool64(double[] x, int nc, int h, int w, int k, int s) {
        int ho = Shape.convOut(h, k, s, 0), wo = Shape.convOut(w, k, s, 0);
        double[] y = new double[nc * ho * wo];
        for (int p = 0; p < nc; p++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    double acc = 0;
                    for (int u = 0; u < k; u++)
                        for (int v = 0; v < k; v++) acc += x[(p * h + i * s + u) * w + j * s + v];
                    y[(p * ho + i) * wo + j] = acc / (k * k);
                }
        return y;
    }

    @Test
    void avgPoolInput() {
        var x = rand(71, -1, 1, 2, 3, 7, 7);
        GradCheck.check(
                "avgpool k3 s2", v -> F.avgPool2d(v[0], 3, 2), a -> pool64(a[0], 6, 7, 7, 3, 2), x);
        var x11 = rand(72, -1, 1, 1, 2, 11, 11); // MiniImageNet head: 11×11 → 2×2, rows 8–10 unused
        GradCheck.check(
                "avgpool k4 s4 on 11x11",
                v -> F.avgPool2d(v[0], 4, 4),
                a -> pool64(a[0], 2, 11, 11, 4, 4),
                x11);
        var x5 = rand(73, -1, 1, 3, 2, 5, 5);
        GradCheck.check(
                "adaptive avgpool 1x1",
                v -> F.adaptiveAvgPool1x1(v[0]),
                a -> pool64(a[0], 6, 5, 5, 5, 5),
                x5);
    }
}
