package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The eval-mode fused passes against their naive twins, bit for bit, on odd shapes and random data:
 * relu(BN(x) + r) ({@link CpuBatchNorm#forwardAddRelu}) against {@link BatchNormRef#forwardAddRelu}
 * (the batch norm, the add and the ReLU as three passes), and eval BN with the fused ReLU against
 * BN then a separate ReLU, for each kernel ({@code -Darm.bn}); the naive twin against the formula
 * in double.
 */
class BatchNormAddReluTest {
    private static final float EPS = 1e-5f;

    /** N, C, HW: odd planes (vector tails), one plane, and one big enough to split by channel. */
    private static final int[][] SHAPES = {
        {3, 5, 7}, {2, 3, 1}, {4, 9, 17}, {5, 7, 33}, {10, 20, 1024}
    };

    private static List<String> paths() {
        List<String> p = new ArrayList<>(List.of("naive", "fast"));
        if (CpuGemm.active() == CpuGemm.Path.SIMD) p.add("simd");
        return p;
    }

    private static BatchNormArrays eval(SplittableRandom r, int n, int c, int hw) {
        float[] mean = ThreadCountTest.random(r, c), var = new float[c];
        for (int i = 0; i < c; i++) var[i] = 0.05f + (float) r.nextDouble() * 2f;
        return new BatchNormArrays(
                n,
                c,
                hw,
                false,
                ThreadCountTest.random(r, c),
                ThreadCountTest.random(r, c),
                EPS,
                mean,
                var,
                null,
                null,
                null,
                0f);
    }

    @Test
    void fusedAddReluHasTheComposedBits() {
        SplittableRandom r = new SplittableRandom(31);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], size = n * c * hw;
            BatchNormArrays a = eval(r, n, c, hw);
            float[] x = ThreadCountTest.random(r, size), res = ThreadCountTest.random(r, size);
            float[] want = new float[size];
            BatchNormRef.forwardAddRelu(a, x, res, want);
            int zeros = 0;
            for (int i = 0; i < size; i++) {
                double inv = 1.0 / Math.sqrt(a.var()[i / hw % c] + (double) EPS);
                int ch = i / hw % c;
                double v = a.gamma()[ch] * (x[i] - a.mean()[ch]) * inv + a.beta()[ch] + res[i];
                assertThat((double) want[i])
                        .isCloseTo(
                                Math.max(0, v),
                                org.assertj.core.api.Assertions.within(1e-5 * (1 + Math.abs(v))));
                if (want[i] == 0f) zeros++;
            }
            assertThat(zeros).as("the ReLU clips some values").isPositive();
            for (String path : paths()) {
                float[] got = new float[size];
                // the output poisoned: every element must be written
                java.util.Arrays.fill(got, Float.NaN);
                CpuBatchNorm.using(
                        path,
                        () -> {
                            CpuBatchNorm.forwardAddRelu(a, x, res, got);
                            return null;
                        });
                assertThat(bits(got)).as(path + " " + n + "-" + c + "-" + hw).isEqualTo(bits(want));
            }
        }
    }

    @Test
    void evalBatchNormWithTheFusedReluHasTheSeparateReluBits() {
        SplittableRandom r = new SplittableRandom(32);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], size = n * c * hw;
            BatchNormArrays a = eval(r, n, c, hw);
            float[] x = ThreadCountTest.random(r, size), want = new float[size];
            BatchNormRef.forward(a, x, false, want);
            ElementwiseRef.unary(Unary.RELU, want, 0f, want, size);
            for (String path : paths()) {
                float[] got = new float[size];
                CpuBatchNorm.using(
                        path,
                        () -> {
                            CpuBatchNorm.forward(a, x, true, got);
                            return null;
                        });
                assertThat(bits(got)).as(path + " " + n + "-" + c + "-" + hw).isEqualTo(bits(want));
            }
        }
    }

    @Test
    void trainingModeIsRefused() {
        BatchNormArrays a =
                new BatchNormArrays(
                        2,
                        1,
                        2,
                        true,
                        new float[1],
                        new float[1],
                        EPS,
                        new float[1],
                        new float[1],
                        null,
                        null,
                        null,
                        0f);
        float[] v = new float[4];
        assertThatThrownBy(() -> CpuBatchNorm.forwardAddRelu(a, v, v, new float[4]))
                .hasMessageContaining("eval");
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
