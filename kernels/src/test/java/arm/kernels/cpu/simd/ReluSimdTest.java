package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.ReluFast;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ReLU's vector backward against its naive twin {@link ReluFast#backward}, bit for bit: odd lengths
 * and offsets (vector body and scalar tail), random non-zero data, and the special inputs ±0,
 * ±MIN_VALUE, ±Inf and NaNs of both signs at random positions; dy carries NaNs and −0 too (their
 * bits must pass where x &gt; 0); elements outside the stretch stay untouched.
 */
class ReluSimdTest {
    @Test
    void vectorBackwardGivesTheTwinsBits() {
        SplittableRandom r = new SplittableRandom(11);
        float[] special = {
            0f,
            -0f,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN,
            Float.intBitsToFloat(0xffc00001) // a NaN with the sign bit set
        };
        for (int n : new int[] {0, 1, 7, 15, 16, 17, 33, 400, 1031, 4000}) {
            for (int off : new int[] {0, 5}) {
                int len = off + n + 3;
                float[] x = new float[len], dy = new float[len];
                for (int i = 0; i < len; i++) {
                    x[i] = (float) (r.nextDouble() * 2 - 1);
                    dy[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-20, 20)));
                    if (r.nextInt(8) == 0) x[i] = special[r.nextInt(special.length)];
                    if (r.nextInt(16) == 0) dy[i] = special[r.nextInt(special.length)];
                }
                float[] twin = new float[len], vec = new float[len];
                for (int i = 0; i < len; i++) twin[i] = vec[i] = 42f + i;
                ReluFast.backward(x, dy, twin, off, off + n);
                ReluSimd.backward(x, dy, vec, off, off + n);
                for (int i = 0; i < len; i++)
                    assertThat(Float.floatToRawIntBits(vec[i]))
                            .as("n %d, off %d, at %d: x %s, dy %s", n, off, i, x[i], dy[i])
                            .isEqualTo(Float.floatToRawIntBits(twin[i]));
            }
        }
    }
}
