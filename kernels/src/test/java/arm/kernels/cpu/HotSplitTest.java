package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The small GEMMs a hot caller splits ({@link CpuThreads#hot}, {@link CpuGemm#sgemmHot}: the MNIST
 * MLP's batch-10 GEMMs over both cores) give the bits of one thread, and the cut (16-column parts,
 * part i on thread i) gives them for any part count: odd M, K and N, N not a multiple of the part
 * alignment, all four transposes, beta 0 and not, on every GEMM path (naive, blocked, and SIMD
 * where the JVM has the Vector API).
 */
class HotSplitTest {
    static final int[][] SHAPES = { // M, K, N: between the hot and the plain split limit
        {10, 784, 400},
        {10, 400, 784},
        {10, 400, 400},
        {7, 1001, 203},
        {13, 333, 301},
        {400, 10, 784},
        {3, 1999, 177},
    };

    @AfterEach
    void reset() {
        CpuThreads.smallSplit(CpuThreads.SMALL_SPLIT_DEFAULT);
    }

    @Test
    void everyCutGivesTheBitsOfOneThread() {
        for (CpuGemm.Path path : paths())
            for (int[] s : SHAPES)
                for (int t = 0; t < 4; t++) {
                    boolean ta = t >= 2, tb = t % 2 == 1;
                    int m = s[0], k = s[1], n = s[2];
                    SplittableRandom r = new SplittableRandom(31L * m + 7 * k + n + t);
                    float[] a = random(r, m * k), b = random(r, k * n), c = random(r, m * n);
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    for (float beta : new float[] {0f, 0.5f}) {
                        float[] one = c.clone();
                        CpuGemm.sgemm(
                                path, ta, tb, m, n, k, 0.75f, a, 0, lda, b, 0, ldb, beta, one, 0,
                                n);
                        for (int threads : new int[] {2, 3, 5}) {
                            float[] out = c.clone();
                            CpuGemm.sgemmHot(
                                    path, threads, ta, tb, m, n, k, 0.75f, a, 0, lda, b, 0, ldb,
                                    beta, out, 0, n);
                            assertThat(bits(out))
                                    .as(
                                            "%s, %d parts, %dx%dx%d ta=%b tb=%b beta=%s",
                                            path, threads, m, k, n, ta, tb, beta)
                                    .isEqualTo(bits(one));
                        }
                    }
                }
    }

    /**
     * Through the public entry: a hot caller's GEMM (split over the workers when the JVM has more
     * than one kernel thread) against the same GEMM outside, and the hot flag's scope.
     */
    @Test
    void aHotCallerGetsTheSameBits() {
        CpuThreads.smallSplit("on");
        int m = 10, k = 784, n = 400;
        SplittableRandom r = new SplittableRandom(5);
        float[] a = random(r, m * k), b = random(r, k * n);
        float[] cold = new float[m * n], hot = new float[m * n];
        CpuGemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, cold, 0, n);
        boolean[] was = new boolean[1];
        CpuThreads.hot(
                () -> {
                    was[0] = CpuThreads.hotCaller();
                    for (int i = 0; i < 50; i++)
                        CpuGemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, hot, 0, n);
                });
        assertThat(was[0]).isEqualTo(CpuThreads.threads() > 1);
        assertThat(CpuThreads.hotCaller()).isFalse();
        assertThat(bits(hot)).isEqualTo(bits(cold));
        CpuThreads.smallSplit("off");
        CpuThreads.hot(() -> was[0] = CpuThreads.hotCaller());
        assertThat(was[0]).isFalse();
    }

    static CpuGemm.Path[] paths() {
        return CpuGemm.vectorModulePresent()
                ? CpuGemm.Path.values()
                : new CpuGemm.Path[] {CpuGemm.Path.NAIVE, CpuGemm.Path.BLOCKED};
    }

    static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToRawIntBits(x[i]);
        return b;
    }
}
