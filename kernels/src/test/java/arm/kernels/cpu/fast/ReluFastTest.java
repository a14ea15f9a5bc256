package arm.kernels.cpu.fast;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Unary;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ReLU's branch-free loops against the generic naive loop: equal values (signed zeros compared as
 * zeros), zeros and −0 inputs included; a NaN input stays NaN.
 */
class ReluFastTest {
    @Test
    void matchesTheNaiveLoop() {
        SplittableRandom r = new SplittableRandom(9);
        for (int n : new int[] {1, 7, 17, 1031}) {
            float[] x = new float[n], dy = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextDouble() * 2 - 1);
                dy[i] = (float) (r.nextDouble() * 2 - 1);
            }
            x[0] = n > 1 ? -0f : 0f;
            if (n > 2) x[2] = 0f;
            if (n > 3) x[3] = Float.MIN_VALUE; // the smallest positive float passes
            float[] y1 = new float[n], y2 = new float[n], d1 = new float[n], d2 = new float[n];
            ReluFast.forward(x, y1, n);
            ElementwiseRef.unary(Unary.RELU, x, 0f, y2, n);
            ReluFast.backward(x, dy, d1, n);
            ElementwiseRef.unaryBackward(Unary.RELU, x, y2, dy, 0f, d2, n);
            for (int i = 0; i < n; i++) {
                assertThat(y1[i] == y2[i]).as("relu at %d: %s vs %s", i, y1[i], y2[i]).isTrue();
                assertThat(d1[i] == d2[i]).as("relu' at %d: %s vs %s", i, d1[i], d2[i]).isTrue();
            }
            if (n > 3) assertThat(d1[3]).isEqualTo(dy[3]);
        }
        float[] nan = {Float.NaN}, out = new float[1];
        ReluFast.forward(nan, out, 1);
        assertThat(out[0]).isNaN();
    }
}
