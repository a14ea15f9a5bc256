package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.BatchNormFast;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API passes of the fast batch-norm backward give the scalar passes' bits: plane lengths
 * off every vector width (1 … 1031), offsets inside the arrays, ReLU outputs with +0, −0, negative
 * values and NaN.
 */
class BatchNormPassesTest {
    private static final BatchNormFast.Passes SIMD = BatchNormPasses.INSTANCE,
            SCALAR = BatchNormFast.SCALAR;

    @Test
    void sameBitsAsTheScalarPasses() {
        SplittableRandom r = new SplittableRandom(5);
        for (int len : new int[] {1, 2, 3, 4, 5, 7, 15, 16, 17, 31, 33, 63, 64, 65, 256, 1031})
            for (int o : new int[] {0, 3}) {
                int n = o + len + 5;
                float[] dy = rand(r, n), x = rand(r, n), y = rand(r, n);
                for (int i = 0; i < n; i++) {
                    int k = r.nextInt(8);
                    if (k == 0) y[i] = 0f;
                    if (k == 1) y[i] = -0f;
                    if (k == 2) y[i] = Float.NaN;
                    if (k == 3) y[i] = -y[i];
                }
                float mu = (float) r.nextDouble();
                String what = "len " + len + " at " + o;
                assertThat(SIMD.maskedSum(dy, y, o, len))
                        .as(what)
                        .isEqualTo(SCALAR.maskedSum(dy, y, o, len));
                assertThat(SIMD.maskedDotCentred(dy, y, x, o, len, mu))
                        .as(what)
                        .isEqualTo(SCALAR.maskedDotCentred(dy, y, x, o, len, mu));
                for (float[] relu : new float[][] {null, y}) {
                    float[] a = new float[n], b = new float[n];
                    SIMD.dx(dy, relu, x, a, o, len, 1.3f, -0.7f, 0.01f);
                    SCALAR.dx(dy, relu, x, b, o, len, 1.3f, -0.7f, 0.01f);
                    for (int i = 0; i < n; i++)
                        assertThat(Float.floatToRawIntBits(a[i]))
                                .as(what + " dx[" + i + "]")
                                .isEqualTo(Float.floatToRawIntBits(b[i]));
                }
            }
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 3);
        return a;
    }
}
