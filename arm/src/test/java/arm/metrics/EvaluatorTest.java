package arm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import arm.data.Dataset;
import arm.tensor.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    static final int K = 4;

    /** A "model" that predicts the class written in pixel 0 of each image. */
    static final Function<Tensor, Tensor> READS_PIXEL0 =
            x -> {
                int b = x.dim(0), item = x.dim(1);
                float[] in = x.toArray(), z = new float[b * K];
                for (int i = 0; i < b; i++) z[i * K + Math.round(in[i * item] * 255)] = 1;
                return Tensor.of(z, b, K);
            };

    /** labels 0,0,0,1,1,2 (class 3 absent); predictions 0,1,0,1,1,0 */
    static Dataset data() {
        int[] labels = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 1, 0, 1, 1, 0};
        byte[] px = new byte[labels.length * 2];
        for (int i = 0; i < labels.length; i++) px[2 * i] = (byte) predicted[i];
        return new Dataset("toy", px, labels, new int[] {2});
    }

    @Test
    void perClassAndPooledForAnyBatchSize() {
        for (int batch : new int[] {1, 4, 5, 1000}) {
            Evaluator.Accuracy a = Evaluator.evaluate(READS_PIXEL0, data(), K, batch);
            assertThat(a.perClass())
                    .containsExactly(new double[] {2 / 3.0, 1, 0, 0}, within(1e-12));
            assertThat(a.pooled()).isCloseTo(4 / 6.0, within(1e-12));
        }
    }

    @Test
    void argmaxTakesTheFirstOfTiesAndIgnoresNaN() {
        assertThat(Evaluator.argmax(new float[] {1, 3, 3, 2}, 0, 4)).isEqualTo(1);
        assertThat(Evaluator.argmax(new float[] {9, Float.NaN, 1, 2}, 1, 3)).isEqualTo(2);
    }

    @Test
    void wrongLogitShapeIsAnError() {
        Function<Tensor, Tensor> bad = x -> Tensor.zeros(x.dim(0), K + 1);
        assertThatThrownBy(() -> Evaluator.evaluate(bad, data(), K))
                .hasMessageContaining("toy")
                .hasMessageContaining("K = 4");
    }

    @Test
    void pointCopiesTheAccuracies() {
        Evaluator.Accuracy a = Evaluator.evaluate(READS_PIXEL0, data(), K);
        EvalPoint p = Evaluator.point(3, new int[] {0, 1}, 0, a, a);
        assertThat(p.t()).isEqualTo(3);
        assertThat(p.testPooled()).isEqualTo(a.pooled());
        assertThat(p.valPerClass()).isEqualTo(a.perClass());
    }
}
