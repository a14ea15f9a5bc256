package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.kernels.cpu.simd.FiniteSimd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The guard's finite scan ({@link Finite#allFinite}, and {@link FiniteSimd} directly) against its
 * scalar twin on random non-zero data: lengths that are no multiple of a vector or of the
 * two-vector step, offsets into a larger array, and one NaN, +Inf or −Inf at every position class
 * (first, last, in the vector body, in the tail, just outside the range, which must not count),
 * plus the finite extremes (±MAX_VALUE, subnormals, −0), which must pass.
 */
class FiniteTest {
    static final int[] LENGTHS = {
        0, 1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1000, 4099
    };
    static final float[] BAD = {
        Float.NaN,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        Float.intBitsToFloat(0x7fc12345),
        Float.intBitsToFloat(0xffa00001)
    };
    static final float[] EXTREME = {
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_NORMAL / 3, -0f, 0f
    };

    @Test
    void agreesWithTheScalarTwinAtEveryLengthOffsetAndPosition() {
        SplittableRandom r = new SplittableRandom(11);
        for (int len : LENGTHS)
            for (int off : new int[] {0, 1, 5}) {
                float[] x = new float[off + len + 3];
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 100 + 1e-3);
                check(x, off, len, true);
                // outside the range: not counted
                if (off > 0) {
                    x[off - 1] = Float.NaN;
                    check(x, off, len, true);
                }
                x[off + len] = Float.POSITIVE_INFINITY;
                check(x, off, len, true);
                for (int e = 0; e < EXTREME.length && len > 0; e++) {
                    x[off + r.nextInt(len)] = EXTREME[e];
                    check(x, off, len, true);
                }
                if (len == 0) continue;
                int[] positions = {0, len - 1, len / 2, Math.max(0, len - 2), r.nextInt(len)};
                for (int p : positions)
                    for (float bad : BAD) {
                        float keep = x[off + p];
                        x[off + p] = bad;
                        check(x, off, len, false);
                        x[off + p] = keep;
                    }
            }
    }

    private static void check(float[] x, int off, int len, boolean expected) {
        assertThat(Finite.allFiniteScalar(x, off, len))
                .as("scalar, len %d off %d", len, off)
                .isEqualTo(expected);
        assertThat(Finite.allFinite(x, off, len))
                .as("dispatch, len %d off %d", len, off)
                .isEqualTo(expected);
        if (CpuGemm.active() == CpuGemm.Path.SIMD)
            assertThat(FiniteSimd.allFinite(x, off, len))
                    .as("simd, len %d off %d", len, off)
                    .isEqualTo(expected);
    }

    @Test
    void simdPathIsTakenWhereTheVectorApiIs() {
        assumeTrue(CpuGemm.active() == CpuGemm.Path.SIMD);
        float[] x = new float[4096];
        x[4095] = Float.NaN;
        assertThat(FiniteSimd.allFinite(x, 0, x.length)).isFalse();
        assertThat(FiniteSimd.allFinite(x, 0, 4095)).isTrue();
    }
}
