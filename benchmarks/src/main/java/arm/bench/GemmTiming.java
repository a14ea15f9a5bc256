package arm.bench;

import arm.kernels.cpu.CpuGemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A plain SGEMM timing loop by thread CPU time, for side-by-side runs of two builds and OpenBLAS on
 * a busy machine ({@code benchmarks/gemm-side-by-side.sh}): per shape ("MxKxN:ab" as in {@link
 * GemmBench}), ~1 s of warm-up, then ROUNDS rounds of SECONDS of this thread's CPU time; prints the
 * median and best GFLOP/s. Calls {@link CpuGemm#sgemm} (the default path, with the kernel threads
 * that -Darm.threads allows; pass -Darm.threads=1 for one thread).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Darm.threads=1 -cp benchmarks/target/benchmarks.jar \
 *     arm.bench.GemmTiming [rounds=7] [seconds=0.3] SHAPE...
 * </pre>
 */
public final class GemmTiming {
    private GemmTiming() {}

    public static void main(String[] args) {
        int rounds = 7;
        double seconds = 0.3;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String arg : args) {
            if (arg.startsWith("rounds=")) {
                rounds = Integer.parseInt(arg.substring(7));
                continue;
            }
            if (arg.startsWith("seconds=")) {
                seconds = Double.parseDouble(arg.substring(8));
                continue;
            }
            String[] mkn = arg.substring(0, arg.indexOf(':')).split("x");
            int m = Integer.parseInt(mkn[0]), k = Integer.parseInt(mkn[1]);
            int n = Integer.parseInt(mkn[2]);
            boolean ta = arg.charAt(arg.length() - 2) == 't', tb = arg.endsWith("t");
            SplittableRandom rng = new SplittableRandom(1);
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextDouble() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextDouble() - 0.5f;
            int lda = ta ? m : k, ldb = tb ? k : n;
            Runnable call =
                    () -> CpuGemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
            long until = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < until) call.run();
            double[] gflops = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = mx.getCurrentThreadCpuTime(), calls = 0;
                while (mx.getCurrentThreadCpuTime() - t0 < seconds * 1e9) {
                    call.run();
                    calls++;
                }
                gflops[r] = 2.0 * m * n * k * calls / (mx.getCurrentThreadCpuTime() - t0);
            }
            Arrays.sort(gflops);
            System.out.printf(
                    "%s median %.1f best %.1f GFLOP/s by thread CPU time%n",
                    arg, gflops[rounds / 2], gflops[rounds - 1]);
        }
    }
}
