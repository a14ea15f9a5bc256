package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.ops.BatchNorm2d.Mode;
import arm.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The counted batch norm ({@code F.batchNorm} with {@code Mode.counted}: a batch stored as its
 * distinct samples, sample n standing for counts[n] copies; ALGORITHM.md §2.1): a double-precision
 * gradient check for x, γ and β with the counts held constant, and equality with the plain batch
 * norm of the replicated batch (outputs, running statistics, gradients summed over the copies).
 */
class CountedBatchNormTest {
    static final float EPS = 1e-5f;

    /** Counted training-mode BN in double: μ = Σ w·x/m, σ² = Σ w·(x − μ)²/m, m = Σw·hw. */
    static double[] counted64(
            double[] x, int[] w, double[] g, double[] b, int n, int c, int hw, boolean relu) {
        double[] y = new double[x.length];
        double m = 0;
        for (int k : w) m += k * (double) hw;
        for (int ch = 0; ch < c; ch++) {
            double mu = 0, var = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < hw; j++) mu += w[i] * x[(i * c + ch) * hw + j];
            mu /= m;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < hw; j++)
                    var += w[i] * Math.pow(x[(i * c + ch) * hw + j] - mu, 2);
            var /= m;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < hw; j++) {
                    int at = (i * c + ch) * hw + j;
                    y[at] = g[ch] * (x[at] - mu) / Math.sqrt(var + EPS) + b[ch];
                    if (relu) y[at] = Math.max(0, y[at]);
                }
        }
        return y;
    }

    @Test
    void gradientCheckEveryInput() {
        int n = 3, c = 2, h = 3, w = 5;
        int[] counts = {4, 1, 7};
        for (boolean relu : new boolean[] {false, true}) {
            var x = rand(71, -2, 2, n, c, h, w);
            var gamma = rand(72, 0.5, 1.5, c);
            var beta = rand(73, -0.3, 0.3, c);
            GradCheck.check(
                    "counted batchnorm relu=" + relu,
                    v -> F.batchNorm(v[0], v[1], v[2], Mode.train(EPS).counted(counts), relu),
                    a -> counted64(a[0], counts, a[1], a[2], n, c, h * w, relu),
                    x,
                    gamma,
                    beta);
        }
    }

    @Test
    void gradientCheckLargeRandomDirection() {
        int n = 7, c = 3, h = 5, w = 5; // 525 values: sampled + directional check
        int[] counts = {3, 12, 1, 9, 2, 10, 5};
        var x = rand(74, -2, 2, n, c, h, w);
        var gamma = rand(75, 0.5, 1.5, c);
        var beta = rand(76, -1, 1, c);
        GradCheck.check(
                "counted batchnorm large",
                v -> F.batchNorm(v[0], v[1], v[2], Mode.train(EPS).counted(counts), false),
                a -> counted64(a[0], counts, a[1], a[2], n, c, h * w, false),
                x,
                gamma,
                beta);
    }

    @Test
    void equalsTheReplicatedBatch() {
        int n = 4, c = 3, h = 4, w = 6, per = c * h * w;
        int[] counts = {5, 1, 3, 11};
        int m = 20;
        Tensor x = rand(81, -2, 2, n, c, h, w),
                gamma = rand(82, 0.5, 1.5, c),
                beta = rand(83, -0.3, 0.3, c);
        Tensor v = rand(84, -1, 1, n, c, h, w); // dL/dy of one copy
        float[] xr = new float[m * per], vr = new float[m * per], vw = new float[n * per];
        int[] of = new int[m];
        for (int u = 0, i = 0; u < n; u++)
            for (int k = 0; k < counts[u]; k++, i++) {
                System.arraycopy(x.toArray(), u * per, xr, i * per, per);
                System.arraycopy(v.toArray(), u * per, vr, i * per, per);
                of[i] = u;
            }
        for (int j = 0; j < n * per; j++)
            vw[j] = counts[j / per] * v.toArray()[j]; // the counted loss
        for (boolean relu : new boolean[] {false, true})
            for (float momentum :
                    new float[] {
                        0.1f, 1f / 3
                    }) { // 1/3: the stem's cumulative average at its 3rd batch
                Tensor rm1 = rand(85, -0.5, 0.5, c), rv1 = rand(86, 0.5, 2, c);
                Tensor rm2 = Tensor.of(rm1.toArray(), c), rv2 = Tensor.of(rv1.toArray(), c);
                Var[] in1 = {Var.param(x), Var.param(gamma), Var.param(beta)};
                Var[] in2 = {
                    Var.param(Tensor.of(xr, m, c, h, w)), Var.param(gamma), Var.param(beta)
                };
                Var yc =
                        F.batchNorm(
                                in1[0],
                                in1[1],
                                in1[2],
                                Mode.train(EPS).tracking(rm1, rv1, momentum).counted(counts),
                                relu);
                Var yr =
                        relu
                                ? F.batchNorm(
                                        in2[0],
                                        in2[1],
                                        in2[2],
                                        Mode.train(EPS).tracking(rm2, rv2, momentum),
                                        true)
                                : F.batchNorm(
                                        in2[0],
                                        in2[1],
                                        in2[2],
                                        Mode.train(EPS).tracking(rm2, rv2, momentum),
                                        false);
                String s = "relu=" + relu + " momentum=" + momentum;
                float[] a = yc.value.toArray(), b = yr.value.toArray();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < per; j++)
                        assertThat(a[of[i] * per + j])
                                .as(s + " y")
                                .isCloseTo(b[i * per + j], within(1e-5f));
                close(s + " running mean", rm1.toArray(), rm2.toArray(), 1e-6f);
                close(s + " running var", rv1.toArray(), rv2.toArray(), 1e-6f);
                Tensor[] gc =
                        Autograd.grad(
                                F.sum(F.mul(yc, Var.constant(Tensor.of(vw, n, c, h, w)))), in1);
                Tensor[] gr =
                        Autograd.grad(
                                F.sum(F.mul(yr, Var.constant(Tensor.of(vr, m, c, h, w)))), in2);
                float[] dxSum = new float[n * per], dxr = gr[0].toArray();
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < per; j++) dxSum[of[i] * per + j] += dxr[i * per + j];
                close(s + " dx (sum over copies)", gc[0].toArray(), dxSum, 2e-5f);
                close(s + " dgamma", gc[1].toArray(), gr[1].toArray(), 2e-5f);
                close(s + " dbeta", gc[2].toArray(), gr[2].toArray(), 2e-5f);
            }
    }

    static org.assertj.core.data.Offset<Float> within(float tol) {
        return org.assertj.core.data.Offset.offset(tol);
    }

    /** |a − b| ≤ tol·(1 + max|b|) elementwise. */
    static void close(String what, float[] a, float[] b, float tol) {
        float scale = 0;
        for (float v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < b.length; i++)
            assertThat(Math.abs(a[i] - b[i]))
                    .as(what + " at " + i + ": " + a[i] + " vs " + b[i])
                    .isLessThanOrEqualTo(tol * (1 + scale));
    }
}
