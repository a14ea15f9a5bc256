package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import arm.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The losses built on the fused log-softmax equal the same formula composed from the plain
 * primitives (softmax, log, one-hot, mul, sum), in value and in every gradient.
 */
class CompositeLossTest {
    static final int N = 4, K = 6;
    static final int[] LABELS = {5, 0, 2, 2};

    @Test
    void crossEntropyMatchesTheComposedFormula() {
        Tensor z = rand(1, -3, 3, N, K);
        Var fusedZ = Var.param(z), plainZ = Var.param(z);
        Var fused = F.crossEntropy(fusedZ, LABELS);
        // −mean_r Σ_c onehot[r,c]·log(softmax(z))[r,c]
        Var plain =
                F.neg(
                        F.mean(
                                F.sum(
                                        F.mul(F.oneHot(LABELS, K), F.log(F.softmax(plainZ))),
                                        new int[] {1},
                                        false)));
        assertThat(fused.value.item()).isCloseTo(plain.value.item(), within(1e-5f));
        assertClose(Autograd.grad(fused, fusedZ)[0], Autograd.grad(plain, plainZ)[0]);
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHotOverN() {
        Tensor z = rand(2, -3, 3, N, K);
        Var zv = Var.param(z);
        Tensor dz = Autograd.grad(F.crossEntropy(zv, LABELS), zv)[0];
        double[] p = Ref64.softmax(GradCheck.toDouble(z.toArray()), K, false);
        float[] got = dz.toArray();
        for (int i = 0; i < p.length; i++) {
            double expected = (p[i] - (i % K == LABELS[i / K] ? 1 : 0)) / N;
            assertThat((double) got[i]).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void softCrossEntropyMatchesTheComposedFormulaInBothInputs() {
        Tensor z = rand(3, -3, 3, N, K), pi = probabilities(4);
        Var fz = Var.param(z), fpi = Var.param(pi), pz = Var.param(z), ppi = Var.param(pi);
        Var fused = F.softCrossEntropy(fz, fpi);
        Var plain = F.scale(F.sum(F.mul(ppi, F.log(F.softmax(pz)))), -1f / N);
        assertThat(fused.value.item()).isCloseTo(plain.value.item(), within(1e-5f));
        Tensor[] gf = Autograd.grad(fused, fz, fpi), gp = Autograd.grad(plain, pz, ppi);
        assertClose(gf[0], gp[0]);
        assertClose(gf[1], gp[1]);
    }

    @Test
    void softCrossEntropyGradCheckBothInputs() { // ARM differentiates through the soft targets too
        GradCheck.check(
                "softCE",
                v -> F.softCrossEntropy(v[0], v[1]),
                x -> {
                    double[] lp = Ref64.softmax(x[0], K, true);
                    double s = 0;
                    for (int i = 0; i < lp.length; i++) s -= x[1][i] * lp[i];
                    return new double[] {s / N};
                },
                rand(5, -3, 3, N, K),
                probabilities(6));
    }

    @Test
    void oneHotIsAConstantAndChecksLabels() {
        Var h = F.oneHot(new int[] {2, 0}, 3);
        assertThat(h.tracked()).isFalse();
        assertThat(h.value.toArray()).containsExactly(0, 0, 1, 1, 0, 0);
        assertThatThrownBy(() -> F.oneHot(new int[] {3}, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Rows of a softmax of random logits: valid soft targets π. */
    private static Tensor probabilities(long seed) {
        double[] p = Ref64.softmax(GradCheck.toDouble(rand(seed, -2, 2, N, K).toArray()), K, false);
        float[] f = new float[p.length];
        for (int i = 0; i < p.length; i++) f[i] = (float) p[i];
        return Tensor.of(f, N, K);
    }

    private static void assertClose(Tensor a, Tensor b) {
        float[] x = a.toArray(), y = b.toArray();
        assertThat(a.shape).containsExactly(b.shape);
        for (int i = 0; i < x.length; i++)
            assertThat(x[i]).isCloseTo(y[i], within(1e-6f + 1e-5f * Math.abs(y[i])));
    }
}
