package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import arm.kernels.cpu.CpuGemm.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GEMM path (naive, blocked, SIMD) against a float64 reference computed here, on odd shapes
 * (1, primes, non-multiples of the vector width and of the register tile, M/K/N past each cache
 * block), all four transpose combinations, several alpha/beta, padded leading dimensions and
 * non-zero offsets, random data without zeros. EJML is a second, independent oracle.
 *
 * <p>Tolerance: a float sum of K products is within about K·u·Σ|a||b| of the exact value (u =
 * 2⁻²⁴), so each element is allowed 2·(K + 2)·u times its own magnitude bound.
 */
class GemmTest {
    /**
     * M, K, N. The SIMD panel path uses 5×2-vector tiles (AVX2) or 5×4, 10×2, 8×3 (AVX-512), K
     * slices of 256, row blocks of ≤ 120 and column blocks of 2048; its dot path (B transposed) 2×4
     * or 4×4 tiles, K slices of 2048 and row blocks of 32. The blocked path uses K slices of 256
     * and column blocks of 512.
     */
    static final int[][] SHAPES = {
        {1, 1, 1},
        {1, 7, 1},
        {2, 3, 5},
        {5, 1, 16},
        {7, 13, 17},
        {5, 16, 32},
        {6, 9, 33},
        {13, 31, 47},
        {17, 1, 33},
        {11, 300, 19},
        {31, 257, 29},
        {3, 1100, 7},
        {16, 1030, 9},
        {121, 37, 65},
        {241, 20, 18},
        {6, 5, 2100},
        {130, 260, 50},
        {35, 2050, 6},
        {200, 7, 3},
        {257, 530, 45},
        {1000, 784, 19}, // tall A: a transposed B takes the panel path
        {48, 9, 33}, // AVX-512: transposed B on the panel path from M = 48
        {50, 300, 70}, // 10×2 tiles, K past one slice
        {168, 37, 100}, // 8×3 tiles, N not a multiple of 48
        {163, 1, 129}, // K = 1, M past one row block, no tile divides M
        // the paper's shapes, scaled down: MLP batch 10 (x·Wᵀ, dX, dW with K = 10), ResNet im2col
        {10, 78, 40},
        {40, 10, 78},
        {10, 40, 78},
        {20, 18, 1031},
        {80, 72, 64},
        {160, 144, 16},
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Path path : Path.values()) {
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++)
                    out.add(Arguments.of(path, s[0], s[1], s[2], t >= 2, t % 2 == 1));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} transA={4} transB={5}")
    @MethodSource("cases")
    void matchesFloat64Reference(Path path, int m, int k, int n, boolean ta, boolean tb) {
        check(path, m, k, n, ta, tb, 1f, 0f, 0, 0, 0, 1);
        check(path, m, k, n, ta, tb, -0.75f, 1f, 3, 1, 2, 2);
        check(path, m, k, n, ta, tb, 1.5f, -0.5f, 1, 4, 0, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void alphaZeroAndEmptyKOnlyScaleC(Path path) {
        check(path, 7, 5, 9, false, false, 0f, 0.5f, 1, 1, 1, 4);
        check(path, 7, 0, 9, true, true, 2f, -2f, 0, 0, 0, 5);
        check(path, 7, 0, 9, false, false, 2f, 0f, 0, 0, 0, 6);
    }

    /** beta = 0 means C is write-only (BLAS): NaN or Inf already in C must not leak through. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void betaZeroIgnoresGarbageInC(Path path) {
        for (int[] s : new int[][] {{10, 30, 40}, {130, 300, 70}, {3, 20, 9}}) {
            for (boolean tb : new boolean[] {false, true}) {
                int m = s[0], k = s[1], n = s[2];
                float[] a = random(m * k, 7), b = random(k * n, 8), c = new float[m * n];
                Arrays.fill(c, Float.NaN);
                c[0] = Float.POSITIVE_INFINITY;
                CpuGemm.sgemm(path, false, tb, m, n, k, 1f, a, 0, k, b, 0, tb ? k : n, 0f, c, 0, n);
                for (float v : c)
                    assertThat(Float.isFinite(v)).as("%s transB=%s", path, tb).isTrue();
            }
        }
    }

    static Stream<Path> paths() {
        return Stream.of(Path.values());
    }

    /** EJML (CommonOps_FDRM.mult*) as an oracle written by somebody else, on a few shapes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void agreesWithEjml(Path path) {
        int[][] shapes = {{10, 78, 40}, {40, 10, 78}, {37, 300, 53}, {3, 1100, 7}};
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = t >= 2, tb = t % 2 == 1;
                float[] a = random(m * k, 11 + t),
                        b = random(k * n, 12 + t),
                        c = random(m * n, 13 + t);
                float alpha = 0.5f, beta = -1.25f;
                FMatrixRMaj ea = FMatrixRMaj.wrap(ta ? k : m, ta ? m : k, a);
                FMatrixRMaj eb = FMatrixRMaj.wrap(tb ? n : k, tb ? k : n, b);
                FMatrixRMaj ec = new FMatrixRMaj(m, n);
                if (!ta && !tb) CommonOps_FDRM.mult(alpha, ea, eb, ec);
                else if (ta && !tb) CommonOps_FDRM.multTransA(alpha, ea, eb, ec);
                else if (!ta) CommonOps_FDRM.multTransB(alpha, ea, eb, ec);
                else CommonOps_FDRM.multTransAB(alpha, ea, eb, ec);
                float[] ours = c.clone();
                CpuGemm.sgemm(
                        path,
                        ta,
                        tb,
                        m,
                        n,
                        k,
                        alpha,
                        a,
                        0,
                        ta ? m : k,
                        b,
                        0,
                        tb ? k : n,
                        beta,
                        ours,
                        0,
                        n);
                float[] absA = abs(a), absB = abs(b);
                double[] bound =
                        reference(ta, tb, m, n, k, 1, absA, 0, ta ? m : k, absB, 0, tb ? k : n);
                for (int i = 0; i < m * n; i++) {
                    double expected = ec.data[i] + beta * c[i];
                    double tol =
                            4
                                    * (k + 2)
                                    * 0x1p-24
                                    * (Math.abs(alpha) * bound[i] + Math.abs(beta * c[i]));
                    if (Math.abs(ours[i] - expected) > tol) {
                        fail(
                                String.format(
                                        "%s %dx%dx%d ta=%s tb=%s vs EJML at %d: %s vs %s (tol"
                                                + " %.3g)",
                                        path, m, k, n, ta, tb, i, ours[i], expected, tol));
                    }
                }
            }
        }
    }

    @Test
    void selectionRule() {
        assertThat(CpuGemm.choose(null, null, true)).isEqualTo(Path.SIMD);
        assertThat(CpuGemm.choose(null, null, false)).isEqualTo(Path.BLOCKED);
        assertThat(CpuGemm.choose(null, "false", true)).isEqualTo(Path.BLOCKED);
        assertThat(CpuGemm.choose(null, "true", true)).isEqualTo(Path.SIMD);
        assertThat(CpuGemm.choose("naive", null, true)).isEqualTo(Path.NAIVE);
        assertThat(CpuGemm.choose("Blocked", null, true)).isEqualTo(Path.BLOCKED);
        assertThat(CpuGemm.choose("simd", "false", true)).isEqualTo(Path.SIMD);
        Assertions.assertThrows(
                IllegalStateException.class, () -> CpuGemm.choose("simd", null, false));
        Assertions.assertThrows(
                IllegalArgumentException.class, () -> CpuGemm.choose("fast", null, true));
    }

    @Test
    void pathIsNamed() {
        // surefire runs with --add-modules jdk.incubator.vector, so the default is SIMD here
        assertThat(CpuGemm.active()).isEqualTo(Path.SIMD);
        assertThat(CpuGemm.path()).startsWith("simd (").contains("float lanes");
        assertThat(CpuGemm.describe(Path.BLOCKED)).isEqualTo("blocked (scalar)");
        assertThat(CpuGemm.describe(Path.NAIVE)).isEqualTo("naive");
    }

    /** Column split for -Darm.threads: every part lands in its own columns, edges included. */
    @Test
    void splitAcrossThreadsMatchesReference() {
        for (Path path : new Path[] {Path.BLOCKED, Path.SIMD}) {
            for (int threads : new int[] {2, 3}) {
                for (int t = 0; t < 4; t++) {
                    split = threads;
                    try {
                        check(path, 37, 300, 1000, t >= 2, t % 2 == 1, 1f, 0f, 0, 0, 0, 21);
                        check(path, 20, 120, 3395, t >= 2, t % 2 == 1, -0.5f, 1f, 2, 1, 3, 22);
                    } finally {
                        split = 1;
                    }
                }
            }
        }
    }

    /** The surefire execution that forces -Darm.simd.bits really runs that width. */
    @Test
    void vectorWidth() {
        String bits = System.getProperty("arm.simd.bits");
        if (bits != null) {
            assertThat(CpuGemm.path()).contains(Integer.parseInt(bits) / 32 + " float lanes");
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Threads for {@link #check}: 1 calls sgemm, more call sgemmSplit. */
    static int split = 1;

    /**
     * Runs one case with A, B, C embedded in larger arrays (offsets aOff.., leading dimensions
     * padded by pad) and checks C element by element; the padding around C must stay untouched.
     */
    static void check(
            Path path,
            int m,
            int k,
            int n,
            boolean ta,
            boolean tb,
            float alpha,
            float beta,
            int off,
            int padA,
            int padB,
            long seed) {
        int lda = (ta ? m : k) + padA, ldb = (tb ? k : n) + padB, ldc = n + padA + padB;
        int aOff = off, bOff = 2 * off + 1, cOff = off + 3;
        float[] a = random(aOff + (ta ? k : m) * lda, seed);
        float[] b = random(bOff + (tb ? n : k) * ldb, seed + 100);
        float[] c0 = random(cOff + m * ldc, seed + 200);
        float[] c = c0.clone();
        if (split > 1) {
            CpuGemm.sgemmSplit(
                    path, split, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                    ldc);
        } else {
            CpuGemm.sgemm(
                    path, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
        double[] exact = reference(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb);
        double[] mag =
                reference(ta, tb, m, n, k, Math.abs(alpha), abs(a), aOff, lda, abs(b), bOff, ldb);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int ci = cOff + i * ldc + j;
                double expected = exact[i * n + j] + (double) beta * c0[ci];
                double tol =
                        2 * (k + 2) * 0x1p-24 * (mag[i * n + j] + Math.abs((double) beta * c0[ci]));
                if (!(Math.abs(c[ci] - expected) <= tol)) {
                    fail(
                            String.format(
                                    "%s %dx%dx%d ta=%s tb=%s alpha=%s beta=%s lda=%d ldb=%d ldc=%d:"
                                            + " C[%d,%d] = %s, expected %s (tol %.3g)",
                                    path, m, k, n, ta, tb, alpha, beta, lda, ldb, ldc, i, j, c[ci],
                                    expected, tol));
                }
            }
        }
        for (int i = 0; i < c.length; i++) {
            int r = (i - cOff) / ldc, col = (i - cOff) % ldc;
            boolean inside = i >= cOff && r < m && col < n;
            if (!inside && c[i] != c0[i]) fail(path + " wrote outside C at index " + i);
        }
    }

    /** alpha · op(A)·op(B) in double, M×N row-major. */
    static double[] reference(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            double alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double y = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += x * y;
                }
                out[i * n + j] = alpha * s;
            }
        }
        return out;
    }

    /** Uniform in ±[0.1, 1): random signs, never zero. */
    static float[] random(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            float v = (float) (0.1 + 0.9 * r.nextDouble());
            x[i] = r.nextBoolean() ? v : -v;
        }
        return x;
    }

    static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
        return y;
    }
}
