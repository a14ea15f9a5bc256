package arm.kernels.cpu.fast;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Unary;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ReLU's dedicated loops against the generic naive loop, bit for bit (zeros, -0 and NaN included). */
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
      if (n > 2) x[2] = Float.NaN;
      float[] y1 = new float[n], y2 = new float[n], d1 = new float[n], d2 = new float[n];
      ReluFast.forward(x, y1, n);
      ElementwiseRef.unary(Unary.RELU, x, 0f, y2, n);
      ReluFast.backward(x, dy, d1, n);
      ElementwiseRef.unaryBackward(Unary.RELU, x, y2, dy, 0f, d2, n);
      assertThat(y1).containsExactly(y2);
      assertThat(d1).containsExactly(d2);
    }
  }
}
