package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import arm.kernels.cpu.ref.LinearEvalRef;
import arm.kernels.cpu.simd.LinearEvalSimd;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused layer's zero-skipping path ({@link LinearEvalSimd#forwardSparse}, taken by {@link
 * LinearEval#forward} for finite weights) against the dense kernel and both naive twins, bit for
 * bit: shapes that are no multiple of any tile (rows left over after the groups, k odd or below one
 * vector, n with a partial narrow panel), random non-zero data with many exact zeros of either
 * sign, rows all zero, rows without a zero, ReLU on and off, every group size and fill limit (so
 * that groups of one batch mix the sparse and the dense tile), and a non-finite weight, which must
 * give what the dense kernel gives; inputs prepared once ({@link LinearEval#prepare}) give the same
 * bits on every pass.
 */
class LinearEvalSparseTest {
    static final int[][] SHAPES = { // m, k, n
        {1, 1, 1},
        {3, 7, 10},
        {4, 33, 80},
        {5, 1, 81},
        {9, 19, 95},
        {13, 64, 161},
        {50, 784, 400},
        {61, 100, 17},
        {103, 400, 10},
        {7, 785, 96},
    };

    static final int[] ROWS = {1, 2, 4};
    static final double[] FILLS = {0.0, 0.3, 0.75, 1.0};

    @Test
    void skippingZerosGivesTheDenseBitsOnEveryShapeTileAndFill() {
        assumeTrue(LinearEval.available());
        for (int[] s : SHAPES)
            for (double zeros : new double[] {0.0, 0.5, 0.8, 0.97})
                for (boolean relu : new boolean[] {false, true}) {
                    Case c = new Case(s[0], s[1], s[2], 31L * s[0] + 7L * s[1] + s[2], zeros);
                    LinearEval.Packed p = c.packed();
                    float[] dense = c.fresh(), ref = c.fresh(), refSkip = c.fresh();
                    LinearEvalSimd.forward(
                            c.x, c.xOff, c.ldx, c.m, c.k, p.panels, p.bias, c.n, relu, dense, 2);
                    LinearEvalRef.forward(
                            c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, relu, ref, 2);
                    LinearEvalRef.forwardSkippingZeros(
                            c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, relu, refSkip, 2);
                    String what = c + " zeros=" + zeros + " relu=" + relu;
                    assertThat(bits(dense)).as("dense vs naive, %s", what).isEqualTo(bits(ref));
                    assertThat(bits(refSkip)).as("naive twins, %s", what).isEqualTo(bits(ref));
                    for (int r : ROWS)
                        for (double fill : FILLS) {
                            float[] sparse = c.fresh();
                            LinearEvalSimd.forwardSparse(
                                    c.x,
                                    c.xOff,
                                    c.ldx,
                                    c.m,
                                    c.k,
                                    p.panels,
                                    p.bias,
                                    c.n,
                                    relu,
                                    sparse,
                                    2,
                                    r,
                                    fill,
                                    new LinearEvalSimd.Sparse());
                            assertThat(bits(sparse))
                                    .as("sparse r=%d fill=%s, %s", r, fill, what)
                                    .isEqualTo(bits(dense));
                        }
                    float[] wired = c.fresh();
                    LinearEval.forward(c.x, c.xOff, c.ldx, c.m, p, relu, wired, 2);
                    assertThat(bits(wired)).as("LinearEval, %s", what).isEqualTo(bits(dense));
                }
    }

    @Test
    void rowsAllZeroAndRowsWithoutZerosInOneBatch() {
        assumeTrue(LinearEval.available());
        Case c = new Case(23, 131, 170, 5, 0.8);
        for (int i = 0; i < c.m; i += 3)
            Arrays.fill(c.x, c.xOff + i * c.ldx, c.xOff + i * c.ldx + c.k, i % 2 == 0 ? 0f : -0f);
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 1; i < c.m; i += 5)
            for (int p = 0; p < c.k; p++)
                c.x[c.xOff + i * c.ldx + p] = (float) r.nextDouble(0.1, 1);
        for (boolean relu : new boolean[] {false, true})
            for (int rows : ROWS)
                for (double fill : FILLS) {
                    LinearEval.Packed p = c.packed();
                    float[] sparse = c.fresh(), ref = c.fresh();
                    LinearEvalSimd.Sparse sp = new LinearEvalSimd.Sparse();
                    LinearEvalSimd.forwardSparse(
                            c.x, c.xOff, c.ldx, c.m, c.k, p.panels, p.bias, c.n, relu, sparse, 2,
                            rows, fill, sp);
                    LinearEvalRef.forward(
                            c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, relu, ref, 2);
                    assertThat(bits(sparse))
                            .as("rows=%d fill=%s relu=%s", rows, fill, relu)
                            .isEqualTo(bits(ref));
                    // a row of zeros gives act(+0 + b): its chain is empty
                    for (int j = 0; j < c.n; j++) {
                        float v = 0f + c.b[j];
                        assertThat(sparse[2 + j]).isEqualTo(relu ? Math.max(v, 0f) : v);
                    }
                    // fill 1: every group sparse; 0.75: the rows without zeros dense, the others
                    // not; 0: the whole batch dense (no lists built)
                    if (fill == 1.0) assertThat(sp.sparseShare()).isEqualTo(1.0);
                    if (fill == 0.75 && rows == 1)
                        assertThat(sp.sparseShare()).isEqualTo((23 - 5) / 23.0);
                    if (fill == 0.0) assertThat(sp.sparseShare()).isEqualTo(0.0);
                }
    }

    @Test
    void preparedInputsGiveTheDenseBitsEveryTime() {
        assumeTrue(LinearEval.available());
        for (int[] s : SHAPES)
            for (double zeros : new double[] {0.0, 0.8, 0.97}) {
                Case c = new Case(s[0], s[1], s[2], 17L * s[0] + s[1] + 5L * s[2], zeros);
                float[] x = new float[c.m * c.k];
                for (int i = 0; i < c.m; i++)
                    System.arraycopy(c.x, c.xOff + i * c.ldx, x, i * c.k, c.k);
                LinearEval.Prepared in = LinearEval.prepare(x, c.m, c.k);
                for (boolean relu : new boolean[] {false, true}) {
                    LinearEval.Packed p = c.packed();
                    float[] dense = c.fresh();
                    LinearEvalSimd.forward(
                            c.x, c.xOff, c.ldx, c.m, c.k, p.panels, p.bias, c.n, relu, dense, 2);
                    // the lists are read only: a second pass over them gives the same
                    for (int pass = 0; pass < 2; pass++) {
                        float[] got = c.fresh();
                        LinearEval.forward(in, p, relu, got, 2);
                        assertThat(bits(got))
                                .as("%s zeros=%s relu=%s pass %d", c, zeros, relu, pass)
                                .isEqualTo(bits(dense));
                    }
                }
                // a non-finite weight: the dense kernel, as LinearEval.forward takes it
                c.w[0] = Float.POSITIVE_INFINITY;
                LinearEval.Packed bad = c.packed();
                float[] ref = c.fresh(), got = c.fresh();
                LinearEvalRef.forward(c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, true, ref, 2);
                LinearEval.forward(in, bad, true, got, 2);
                assertThat(bits(got)).as("%s zeros=%s, W[0] = +Inf", c, zeros).isEqualTo(bits(ref));
            }
    }

    @Test
    void aNonFiniteWeightTakesTheDenseKernel() {
        assumeTrue(LinearEval.available());
        for (float bad :
                new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            Case c = new Case(20, 40, 85, 9, 0.8);
            // column 3 is zero in every row but row 1; W[j=7, p=3] is not finite
            for (int i = 0; i < c.m; i++) c.x[c.xOff + i * c.ldx + 3] = i == 1 ? 0.5f : 0f;
            c.w[7 * c.k + 3] = bad;
            LinearEval.Packed p = c.packed();
            float[] fast = c.fresh(), ref = c.fresh(), skip = c.fresh();
            LinearEval.forward(c.x, c.xOff, c.ldx, c.m, p, false, fast, 2);
            LinearEvalRef.forward(c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, false, ref, 2);
            LinearEvalRef.forwardSkippingZeros(
                    c.x, c.xOff, c.ldx, c.m, c.k, c.w, c.b, c.n, false, skip, 2);
            assertThat(bits(fast)).as("weight %s", bad).isEqualTo(bits(ref));
            // what skipping would have given: row 0's output 7 finite instead of NaN
            assertThat(Float.isNaN(ref[2 + 7])).isTrue();
            if (!Float.isNaN(bad)) assertThat(Float.isFinite(skip[2 + 7])).isTrue();
        }
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

        /**
         * x with a fraction {@code zeros} of exact zeros (a third of them −0), the rest in ±[0.05,
         * 1).
         */
        Case(int m, int k, int n, long seed, double zeros) {
            this.m = m;
            this.k = k;
            this.n = n;
            this.ldx = k + 2;
            SplittableRandom r = new SplittableRandom(seed);
            x = new float[xOff + m * ldx];
            w = new float[n * k];
            b = new float[n];
            Arrays.fill(x, Float.NaN); // outside the rows: must never be read
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) {
                    double u = r.nextDouble();
                    float v = (float) (r.nextDouble(0.05, 1) * (r.nextBoolean() ? 1 : -1));
                    x[xOff + i * ldx + p] = u < zeros ? (u < zeros / 3 ? -0f : 0f) : v;
                }
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-1, 1);
            for (int i = 0; i < n; i++) b[i] = (float) r.nextDouble(-1, 1);
        }

        LinearEval.Packed packed() {
            return LinearEval.pack(w, 0, b, 0, n, k);
        }

        float[] fresh() {
            float[] y = new float[m * n + 4];
            Arrays.fill(y, -7f);
            return y;
        }

        @Override
        public String toString() {
            return m + "x" + k + "x" + n;
        }
    }
}
