package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.LinearEvalRef;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused eval-mode layer ({@link LinearEval}, SIMD where the machine has 16-float vectors)
 * against its naive twin and against what it replaces (the SIMD GEMM's x·Wᵀ, then + b, then ReLU):
 * bit for bit, on random non-zero data, shapes that are no multiple of the 4×5-vector tile (rows
 * left over, a partial narrow panel, k = 1), with x read at an offset with a row stride wider than
 * k, and a NaN that must come through ReLU as Math.max lets it.
 */
class LinearEvalTest {
    static final int[][] SHAPES = { // m, k, n
        {1, 1, 1},
        {3, 7, 10},
        {4, 33, 80},
        {5, 1, 81},
        {9, 19, 95},
        {13, 64, 161},
        {48, 40, 10},
        {50, 784, 400},
        {61, 100, 17},
        {103, 400, 10},
    };

    @Test
    void matchesTheNaiveTwinBitForBit() {
        for (int[] s : SHAPES)
            for (boolean relu : new boolean[] {false, true}) {
                Case c = new Case(s[0], s[1], s[2], 7L * s[0] + s[1] + s[2]);
                float[] fast = c.fresh(), ref = c.fresh();
                LinearEval.forward(c.x, c.xOff, c.ldx, c.m, c.packed(), relu, fast, 2);
                LinearEvalRef.forward(c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, relu, ref, 2);
                assertThat(bits(fast)).as("%s relu=%s", c, relu).isEqualTo(bits(ref));
            }
    }

    @Test
    void matchesTheGemmBiasAndReluWhereItSaysSo() {
        for (int[] s : SHAPES) {
            Case c = new Case(s[0], s[1], s[2], 11L * s[0] + s[2]);
            if (!LinearEval.sameBitsAsGemm(c.m)) continue;
            float[] fast = new float[c.m * c.n], gemm = new float[c.m * c.n];
            LinearEval.forward(c.x, c.xOff, c.ldx, c.m, c.packed(), true, fast, 0);
            CpuGemm.sgemm(
                    false, true, c.m, c.n, c.k, 1f, c.x, c.xOff, c.ldx, c.w, 0, c.k, 0f, gemm, 0,
                    c.n);
            for (int i = 0; i < c.m; i++)
                for (int j = 0; j < c.n; j++)
                    gemm[i * c.n + j] = Math.max(gemm[i * c.n + j] + c.b[j], 0f);
            assertThat(bits(fast)).as("%s", c).isEqualTo(bits(gemm));
        }
    }

    @Test
    void nanComesThroughReluAsMathMaxLetsIt() {
        Case c = new Case(9, 21, 85, 3);
        c.x[c.xOff + 2 * c.ldx + 5] = Float.NaN;
        float[] fast = c.fresh(), ref = c.fresh();
        LinearEval.forward(c.x, c.xOff, c.ldx, c.m, c.packed(), true, fast, 2);
        LinearEvalRef.forward(c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, true, ref, 2);
        assertThat(Float.isNaN(fast[2 + 2 * c.n])).isTrue();
        assertThat(bits(fast)).isEqualTo(bits(ref));
    }

    /** Raw bits, NaNs folded to one pattern (a NaN's payload is not part of the contract). */
    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToIntBits(v[i]);
        return out;
    }

    static final class Case {
        final int m, k, n, xOff = 3, ldx;
        final float[] x, w, b;

        Case(int m, int k, int n, long seed) {
            this.m = m;
            this.k = k;
            this.n = n;
            this.ldx = k + 2;
            SplittableRandom r = new SplittableRandom(seed);
            x = new float[xOff + m * ldx];
            w = new float[n * k];
            b = new float[n];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-1, 1);
            for (int i = 0; i < n; i++) b[i] = (float) r.nextDouble(-1, 1);
        }

        LinearEval.Packed packed() {
            float[] wp = new float[5 + w.length], bp = new float[1 + b.length];
            System.arraycopy(w, 0, wp, 5, w.length);
            System.arraycopy(b, 0, bp, 1, b.length);
            return LinearEval.pack(wp, 5, bp, 1, n, k);
        }

        /** An output array with a 2-float margin before and after, filled with a sentinel. */
        float[] fresh() {
            float[] y = new float[m * n + 4];
            java.util.Arrays.fill(y, -7f);
            return y;
        }

        @Override
        public String toString() {
            return m + "x" + k + "x" + n;
        }
    }
}
