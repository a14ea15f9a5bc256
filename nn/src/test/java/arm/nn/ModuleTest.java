package arm.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ModuleTest {

    @Test
    void mlpHasThePublishedParameterCountAndNames() {
        Mlp mlp = new Mlp(new SplittableRandom(1));
        // 784·400 + 400 + 400·400 + 400 + 400·10 + 10, independently of our code (ALGORITHM.md
        // §5.1)
        assertThat(mlp.parameterCount()).isEqualTo(478_410L);
        assertThat(mlp.namedParameters().keySet())
                .containsExactly(
                        "fc1.weight",
                        "fc1.bias",
                        "fc2.weight",
                        "fc2.bias",
                        "fc3.weight",
                        "fc3.bias");
        assertThat(mlp.fc1.weight.value().shape).containsExactly(400, 784);
        assertThat(mlp.fc3.bias.value().shape).containsExactly(10);
    }

    @Test
    void linearInitIsUniformWithinOneOverSqrtFanIn() {
        Linear l = new Linear(400, 300, new SplittableRandom(7));
        double bound = 1 / Math.sqrt(400), sum = 0, sq = 0, max = 0;
        float[] w = l.weight.value().data();
        for (float v : w) {
            max = Math.max(max, Math.abs(v));
            sum += v;
            sq += v * v;
        }
        assertThat(max).isLessThanOrEqualTo(bound);
        assertThat(max).isGreaterThan(0.99 * bound);
        assertThat(sum / w.length).isCloseTo(0, Offset.offset(0.01 * bound));
        // variance of U(−b, b) is b²/3
        assertThat(sq / w.length).isCloseTo(bound * bound / 3, Offset.offset(0.02 * bound * bound));
        for (float v : l.bias.value().data())
            assertThat((double) Math.abs(v)).isLessThanOrEqualTo(bound);
    }

    @Test
    void sameSeedSameModelDifferentSeedDifferentModel() {
        float[] a = new Mlp(10, 8, 3, new SplittableRandom(5)).fc2.weight.value().data();
        float[] b = new Mlp(10, 8, 3, new SplittableRandom(5)).fc2.weight.value().data();
        float[] c = new Mlp(10, 8, 3, new SplittableRandom(6)).fc2.weight.value().data();
        assertThat(b).containsExactly(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void linearComputesXWTransposedPlusB() {
        Linear l = new Linear(3, 2, new SplittableRandom(3));
        float[] w = l.weight.value().data(), b = l.bias.value().data();
        float[] x = {0.5f, -1f, 2f, 1f, 0.25f, -0.5f};
        float[] y = l.forward(Var.constant(Tensor.of(x, 2, 3))).value.toArray();
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 2; o++) {
                double ref = b[o];
                for (int i = 0; i < 3; i++) ref += x[n * 3 + i] * w[o * 3 + i];
                assertThat((double) y[n * 2 + o]).isCloseTo(ref, Offset.offset(1e-6));
            }
    }

    @Test
    void copyIsDeepAndCarriesTheModeFlag() {
        Mlp a = new Mlp(6, 5, 4, new SplittableRandom(1));
        a.eval();
        Mlp b = (Mlp) a.copy();
        assertThat(b.isTraining()).isFalse();
        assertThat(b.fc2.isTraining()).isFalse();
        assertThat(b.fc1.weight.value().data()).containsExactly(a.fc1.weight.value().data());
        assertThat(b.fc1.weight.value().storage).isNotSameAs(a.fc1.weight.value().storage);
        a.fc1.weight.value().data()[0] += 1f; // changing the original leaves the copy alone
        assertThat(b.fc1.weight.value().data()[0]).isNotEqualTo(a.fc1.weight.value().data()[0]);

        Mlp c = new Mlp(6, 5, 4, new SplittableRandom(2));
        Tensor before = c.fc3.bias.value();
        c.copyFrom(a); // in place: same tensors, new values
        assertThat(c.fc3.bias.value()).isSameAs(before);
        assertThat(c.fc3.bias.value().data()).containsExactly(a.fc3.bias.value().data());
        assertThat(c.isTraining()).isFalse();
    }

    @Test
    void copyFromRejectsAnotherArchitecture() {
        Mlp a = new Mlp(6, 5, 4, new SplittableRandom(1));
        Mlp b = new Mlp(6, 7, 4, new SplittableRandom(1));
        assertThatThrownBy(() -> b.copyFrom(a))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc1.weight");
    }

    @Test
    void sgdStepsAlongTheAccumulatedGradientAndZeroGradClears() {
        Linear l = new Linear(2, 1, new SplittableRandom(9));
        float w0 = l.weight.value().data()[0], b0 = l.bias.value().data()[0];
        Sgd opt = new Sgd(l.parameters(), 0.1f);
        Var x = Var.constant(Tensor.of(new float[] {2f, 3f}, 1, 2));
        // loss = y, so dL/dw = x, dL/db = 1; two backwards accumulate before the step
        Autograd.backward(F.sum(l.forward(x)));
        Autograd.backward(F.sum(l.forward(x)));
        opt.step();
        assertThat(l.weight.value().data()[0]).isEqualTo(w0 - 0.1f * 4f);
        assertThat(l.bias.value().data()[0]).isEqualTo(b0 - 0.1f * 2f);
        opt.zeroGrad();
        assertThat(l.weight.grad()).isNull();
        opt.step(); // nothing to apply
        assertThat(l.bias.value().data()[0]).isEqualTo(b0 - 0.1f * 2f);
    }
}
