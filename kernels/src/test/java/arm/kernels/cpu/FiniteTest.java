package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.simd.FiniteSimd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector finiteness scan against its scalar twin: odd lengths and offsets, random non-zero data
 * of every magnitude (the largest floats included), and one NaN, +Inf or −Inf at every position of
 * short stretches and at random ones of long stretches (in the vector body, the one-vector loop and
 * the scalar tail), and just outside the stretch (must not count).
 */
class FiniteTest {
    @Test
    void vectorScanAgreesWithTheScalarTwin() {
        SplittableRandom r = new SplittableRandom(5);
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n : new int[] {0, 1, 5, 15, 16, 17, 63, 64, 65, 100, 1031, 4097}) {
            for (int off : new int[] {0, 3}) {
                float[] d = new float[off + n + 2];
                for (int i = 0; i < d.length; i++)
                    d[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-30, 38)));
                if (n > 2) d[off + 1] = Float.MAX_VALUE;
                if (n > 3) d[off + 2] = -Float.MAX_VALUE;
                check(d, off, off + n, true);
                for (float b : bad) {
                    int positions = n <= 100 ? n : 40;
                    for (int p = 0; p < positions; p++) {
                        int at = off + (n <= 100 ? p : r.nextInt(n));
                        if (p == positions - 1 && n > 100) at = off + n - 1; // the tail
                        float keep = d[at];
                        d[at] = b;
                        check(d, off, off + n, false);
                        d[at] = keep;
                    }
                    if (off > 0) { // outside the stretch
                        d[off - 1] = b;
                        d[off + n] = b;
                        check(d, off, off + n, true);
                        d[off - 1] = 1f;
                        d[off + n] = 1f;
                    }
                }
            }
        }
    }

    private static void check(float[] d, int from, int to, boolean finite) {
        assertThat(Finite.scalar(d, from, to)).as("scalar [%d, %d)", from, to).isEqualTo(finite);
        assertThat(FiniteSimd.all(d, from, to)).as("simd [%d, %d)", from, to).isEqualTo(finite);
        assertThat(Finite.all(d, from, to)).as("dispatch [%d, %d)", from, to).isEqualTo(finite);
    }
}
