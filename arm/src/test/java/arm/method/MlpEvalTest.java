package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.Autograd;
import arm.autograd.Var;
import arm.data.Dataset;
import arm.kernels.cpu.LinearEval;
import arm.metrics.Evaluator;
import arm.nn.Mlp;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The MLP's fused evaluation forward ({@link MlpEval}) gives the module's eval-mode logits bit for
 * bit, on random bytes, odd widths and a set whose last batch (7 images) is below the GEMM's panel
 * path (so it goes through the module); the accuracies ({@link Evaluator#evaluateRows}) are those
 * of {@link Evaluator#evaluate}.
 */
class MlpEvalTest {

    @Test
    void sameLogitsAndAccuracyAsTheModule() {
        Mlp net = new Mlp(45, 83, 10, new SplittableRandom(5));
        int n = Evaluator.BATCH + 7;
        byte[] px = new byte[n * 45];
        new SplittableRandom(9).nextBytes(px);
        int[] labels = new int[n];
        Arrays.setAll(labels, i -> (i * 3) % 10);
        Dataset d = new Dataset("random", px, labels, new int[] {45});
        net.eval();
        try (var ng = Autograd.noGrad()) {
            MlpEval fast =
                    new MlpEval(net, Evaluator.rows(x -> net.forward(Var.constant(x)).value, 10));
            for (int start = 0; start < n; start += Evaluator.BATCH) {
                int b = Math.min(Evaluator.BATCH, n - start);
                int[] idx = new int[b];
                for (int i = 0; i < b; i++) idx[i] = start + i;
                float[] expected = net.forward(Var.constant(d.batch(idx))).value.toArray();
                float[] got = Arrays.copyOf(fast.logits(d, start, b), b * 10);
                assertThat(got)
                        .as("batch at %d, fused: %s", start, LinearEval.sameBitsAsGemm(b))
                        .isEqualTo(expected);
            }
            Evaluator.Accuracy a = Evaluator.evaluateRows(fast, d, 10, Evaluator.BATCH);
            Evaluator.Accuracy e =
                    Evaluator.evaluate(x -> net.forward(Var.constant(x)).value, d, 10);
            assertThat(a.perClass()).isEqualTo(e.perClass());
            assertThat(a.pooled()).isEqualTo(e.pooled());
        }
    }

    @Test
    void takesTheNaiveLayersWhereTheKernelIsOff() {
        // with -Darm.evalFast=false or without the SIMD kernel, ContinualMethod keeps the module
        assertThat(MlpEval.applies(new Mlp(4, 5, 3, new SplittableRandom(1))))
                .isEqualTo(LinearEval.available());
        assertThat(MlpEval.applies(Tensor.zeros(1))).isFalse();
    }
}
