package arm.bench;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.CpuThreads;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The GEMMs of one MNIST refinement step alone (f_old's and f_cur's 784-400-400-10 MLPs at batch
 * 10: three x·Wᵀ forwards and three dY·W input backwards each, 3.8 MB of weights), on the caller
 * alone and split over the caller and the hot kernel workers ({@link CpuThreads#hot}), in blocks of
 * {@code block} steps alternating: {@code java … arm.bench.SplitStepTiming [rounds] [block]}.
 * Prints per variant the median over rounds of wall, calling-thread CPU and process CPU µs per
 * step, and whether both variants gave the same bits.
 */
public final class SplitStepTiming {
    private SplitStepTiming() {}

    static final int B = 10;
    static final int[] DIMS = {784, 400, 400, 10};

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int block = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        SplittableRandom r = new SplittableRandom(7);
        float[][][] w = new float[2][3][];
        for (int n = 0; n < 2; n++)
            for (int l = 0; l < 3; l++) w[n][l] = random(r, DIMS[l + 1] * DIMS[l]);
        float[] x = random(r, B * 784), dy = random(r, B * 10);
        float[][] act = new float[4][];
        for (int l = 0; l < 4; l++) act[l] = new float[B * DIMS[l]];
        float[][] grad = new float[4][];
        for (int l = 0; l < 4; l++) grad[l] = new float[B * DIMS[l]];
        var thread = ManagementFactory.getThreadMXBean();
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[][][] s = new double[2][3][rounds];
        float[][] out = new float[2][];
        for (int round = -3; round < rounds; round++) {
            for (int v = 0; v < 2; v++) {
                long w0 = System.nanoTime(),
                        c0 = thread.getCurrentThreadCpuTime(),
                        p0 = os.getProcessCpuTime();
                Runnable steps =
                        () -> {
                            for (int i = 0; i < block; i++) step(w, x, dy, act, grad);
                        };
                if (v == 1) CpuThreads.hot(steps);
                else steps.run();
                if (round >= 0) {
                    s[v][0][round] = (System.nanoTime() - w0) / 1e3 / block;
                    s[v][1][round] = (thread.getCurrentThreadCpuTime() - c0) / 1e3 / block;
                    s[v][2][round] = (os.getProcessCpuTime() - p0) / 1e3 / block;
                }
                out[v] = grad[0].clone();
            }
        }
        String[] names = {"caller alone", "split (hot)"};
        for (int v = 0; v < 2; v++)
            System.out.printf(
                    "%-12s wall %.1f µs, thread CPU %.1f µs, process CPU %.1f µs per step"
                            + " (medians of %d rounds of %d steps)%n",
                    names[v], med(s[v][0]), med(s[v][1]), med(s[v][2]), rounds, block);
        System.out.printf(
                "split / alone: wall %.3f, thread CPU %.3f; same bits: %b; %s%n",
                med(s[1][0]) / med(s[0][0]),
                med(s[1][1]) / med(s[0][1]),
                Arrays.equals(out[0], out[1]),
                CpuGemm.path());
    }

    /** One refinement step's GEMMs: both networks forward, then back to the input. */
    static void step(float[][][] w, float[] x, float[] dy, float[][] act, float[][] grad) {
        for (int n = 0; n < 2; n++) {
            System.arraycopy(x, 0, act[0], 0, x.length);
            for (int l = 0; l < 3; l++) // act[l+1] = act[l] · W_lᵀ (B × out)
            CpuGemm.sgemm(
                        false,
                        true,
                        B,
                        DIMS[l + 1],
                        DIMS[l],
                        1f,
                        act[l],
                        0,
                        DIMS[l],
                        w[n][l],
                        0,
                        DIMS[l],
                        0f,
                        act[l + 1],
                        0,
                        DIMS[l + 1]);
            System.arraycopy(dy, 0, grad[3], 0, dy.length);
            for (int l = 2; l >= 0; l--) // grad[l] = grad[l+1] · W_l (B × in)
            CpuGemm.sgemm(
                        false,
                        false,
                        B,
                        DIMS[l],
                        DIMS[l + 1],
                        1f,
                        grad[l + 1],
                        0,
                        DIMS[l + 1],
                        w[n][l],
                        0,
                        DIMS[l],
                        0f,
                        grad[l],
                        0,
                        DIMS[l]);
        }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1) * 0.05f;
        return a;
    }

    static double med(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
