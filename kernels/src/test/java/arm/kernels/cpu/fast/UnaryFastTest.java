package arm.kernels.cpu.fast;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Unary;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The one-loop-per-op unary kernels against the naive loop (a switch per element), bit for bit:
 * every op, odd lengths, random non-zero data of both signs and magnitudes, with ±0, ±Inf, NaN and
 * values at alpha mixed in; ops without a loop here must say so (false) and write nothing.
 */
class UnaryFastTest {
    @Test
    void sameBitsAsTheNaiveLoop() {
        SplittableRandom r = new SplittableRandom(11);
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (Unary op : Unary.values())
            for (float alpha : new float[] {0.37f, -2.5f, 1f})
                for (int n : new int[] {1, 7, 17, 33, 1031}) {
                    float[] x = new float[n + 3], dy = new float[n + 3];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-3, 4)));
                        dy[i] = (float) (r.nextDouble() * 2 - 1);
                    }
                    for (int i = 0; i < special.length && 2 * i + 1 < n; i++)
                        x[2 * i + 1] = special[i];
                    if (n > 12) x[12] = alpha;
                    float[] yRef = new float[n + 3], yFast = new float[n + 3];
                    ElementwiseRef.unary(op, x, alpha, yRef, n);
                    boolean has = UnaryFast.forward(op, x, alpha, yFast, n);
                    float[] dRef = new float[n + 3], dFast = new float[n + 3];
                    ElementwiseRef.unaryBackward(op, x, yRef, dy, alpha, dRef, n);
                    boolean hasBack = UnaryFast.backward(op, x, yRef, dy, alpha, dFast, n);
                    assertThat(hasBack)
                            .as(op + " forward and backward both or neither")
                            .isEqualTo(has);
                    if (!has) {
                        assertThat(yFast).as(op + " wrote nothing").containsOnly(0f);
                        assertThat(dFast).as(op + " wrote nothing").containsOnly(0f);
                        continue;
                    }
                    for (int i = 0; i < n + 3; i++) {
                        assertThat(Float.floatToRawIntBits(yFast[i]))
                                .as("%s(%s; %s) at %d of %d", op, x[i], alpha, i, n)
                                .isEqualTo(Float.floatToRawIntBits(yRef[i]));
                        assertThat(Float.floatToRawIntBits(dFast[i]))
                                .as("%s'(%s; %s) at %d of %d", op, x[i], alpha, i, n)
                                .isEqualTo(Float.floatToRawIntBits(dRef[i]));
                    }
                }
    }

    @Test
    void theCommonOpsHaveLoops() {
        for (Unary op :
                new Unary[] {
                    Unary.NEG,
                    Unary.EXP,
                    Unary.LOG,
                    Unary.SQRT,
                    Unary.CLAMP_MIN,
                    Unary.CLAMP_MAX,
                    Unary.SCALE,
                    Unary.ADD_SCALAR
                })
            assertThat(UnaryFast.forward(op, new float[1], 1f, new float[1], 1))
                    .as("" + op)
                    .isTrue();
    }
}
