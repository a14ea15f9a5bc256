package arm.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The generative baselines' networks and Adam. */
class GenerativeModelsTest {

    @Test
    void gatedClassifierHasThePublishedParameterCount() {
        // 2·(784·400 + 400) + 2·(400·10 + 10), the MIR code's MNIST classifier
        assertThat(new GatedClassifier(new SplittableRandom(1)).parameterCount())
                .isEqualTo(636_020L);
    }

    @Test
    void vaeHasThePublishedParameterCounts() {
        // H 128, z 50: GEN's depth 2 and GEN-MIR's depth 1 (the paper's +Model memory column)
        assertThat(new Vae(784, 128, 50, 2, 0f, new SplittableRandom(1)).parameterCount())
                .isEqualTo(254_068L);
        assertThat(new Vae(784, 128, 50, 1, 0.4f, new SplittableRandom(1)).parameterCount())
                .isEqualTo(221_044L);
    }

    @Test
    void gatedDenseIsReluTimesSigmoidGate() {
        GatedDense g = new GatedDense(3, 2, true, new SplittableRandom(3));
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f}, 1, 3);
        float[] y = g.forward(Var.constant(x)).value.toArray();
        float[] h = g.h.forward(Var.constant(x)).value.toArray(),
                q = g.g.forward(Var.constant(x)).value.toArray();
        for (int i = 0; i < 2; i++)
            assertThat(y[i])
                    .isCloseTo(
                            (float) (Math.max(h[i], 0) / (1 + Math.exp(-q[i]))),
                            Offset.offset(1e-6f));
    }

    @Test
    void dropoutScalesKeptValuesAndIsOffInEval() {
        Dropout d = new Dropout(0.4f);
        Dropout.useGenerator(d, new SplittableRandom(5));
        Tensor x = Tensor.of(new float[1000], 1000);
        Arrays.fill(x.data(), 1f);
        float[] y = d.forward(Var.constant(x)).value.toArray();
        int kept = 0;
        for (float v : y) {
            assertThat(v == 0f || Math.abs(v - 1 / 0.6f) < 1e-6).isTrue();
            if (v != 0f) kept++;
        }
        assertThat(kept).isBetween(540, 660);
        d.eval();
        assertThat(d.forward(Var.constant(x)).value.toArray()).containsOnly(1f);
        assertThatThrownBy(() -> new Dropout(1f)).hasMessageContaining("[0, 1)");
    }

    @Test
    void vaeLossMatchesItsFormulaAndCopiesKeepArchitecture() {
        Vae v = new Vae(6, 5, 3, 2, 0f, new SplittableRandom(2));
        v.useGenerator(new SplittableRandom(9));
        Tensor x = GradCheckData.uniform(4, 6, 11);
        Vae.Pass p = v.pass(Var.constant(x));
        Vae.Loss l = Vae.loss(p, Var.constant(x), 0.5f);
        float[] xm = p.xMean().value.toArray(), xs = x.toArray();
        float[] mu = p.mu().value.toArray(), s2 = p.var().value.toArray();
        float[] z = p.z().value.toArray();
        double rec = 0, kl = 0;
        for (int i = 0; i < xs.length; i++)
            rec -= xs[i] * Math.log(xm[i]) + (1 - xs[i]) * Math.log(1 - xm[i]);
        for (int i = 0; i < z.length; i++)
            kl +=
                    -0.5 * (Math.log(s2[i]) + (z[i] - mu[i]) * (z[i] - mu[i]) / s2[i])
                            + 0.5 * z[i] * z[i];
        assertThat((double) l.rec().value.item()).isCloseTo(rec / 4, within(1e-4));
        assertThat((double) l.kl().value.item()).isCloseTo(kl / 4, within(1e-4));
        assertThat((double) l.loss().value.item()).isCloseTo((rec + 0.5 * kl) / 4, within(1e-4));
        assertThat(v.copy().parameterCount()).isEqualTo(v.parameterCount());
    }

    private static Offset<Double> within(double d) {
        return Offset.offset(d);
    }

    @Test
    void adamTakesTorchsStepsByHand() {
        // p0 = 1, lr 1e-3, β 0.9/0.999, ε 1e-8, gradients 0.5, −1, 0.25; values worked by hand:
        // s1: m 0.05, v 0.00025, p 1 − 0.001·0.5/(0.5 + 1e-8) = 0.99900000002
        // s2: m −0.055, v 0.00124975, p 0.9993661035424056
        // s3: m −0.0245, v 0.00131100025, p 0.9995027942033897
        Var p = Var.param(Tensor.of(new float[] {1f}, 1));
        Adam adam = new Adam(List.of(p), 1e-3f);
        double[] expected = {0.99900000002, 0.9993661035424056, 0.9995027942033897};
        float[] grads = {0.5f, -1f, 0.25f};
        for (int s = 0; s < 3; s++) {
            adam.zeroGrad();
            Autograd.backward(F.scale(p, grads[s]));
            adam.step();
            assertThat((double) p.value.item()).isCloseTo(expected[s], within(1e-6));
        }
        assertThat(adam.steps()).containsExactly(3L);
        assertThat(adam.state().get("m.0").item()).isCloseTo(-0.0245f, Offset.offset(1e-7f));
    }

    @Test
    void adamSkipsParametersWithoutGradient() {
        Var a = Var.param(Tensor.of(new float[] {1f}, 1)),
                b = Var.param(Tensor.of(new float[] {2f}, 1));
        Adam adam = new Adam(List.of(a, b), 0.1f);
        Autograd.backward(F.scale(a, 3f));
        adam.step();
        assertThat(b.value.item()).isEqualTo(2f);
        assertThat(adam.steps()).containsExactly(1L, 0L);
    }

    /** Seeded inputs in [0, 1]. */
    static final class GradCheckData {
        static Tensor uniform(int n, int d, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] v = new float[n * d];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble();
            return Tensor.of(v, n, d);
        }
    }
}
