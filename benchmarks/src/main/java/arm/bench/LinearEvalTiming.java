package arm.bench;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.LinearEval;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * The eval-mode layer y = relu(x·Wᵀ + b) two ways, alternating, by thread CPU time: the fused
 * {@link LinearEval} kernel (W packed once) against the general GEMM (x·Wᵀ, one thread) followed by
 * the bias add and ReLU loops. Shapes MxKxN as in {@code GemmBench}; default the MLP's evaluation
 * layers.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * arm.bench.LinearEvalTiming [rounds] [MxKxN ...]}
 */
public final class LinearEvalTiming {
    private LinearEvalTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String[] shapes =
                args.length > 1
                        ? java.util.Arrays.copyOfRange(args, 1, args.length)
                        : new String[] {"1000x784x400", "1000x400x400", "1000x400x10"};
        System.out.println("# fused kernel available: " + LinearEval.available());
        for (String s : shapes) {
            String[] d = s.split("x");
            int m = Integer.parseInt(d[0]), k = Integer.parseInt(d[1]), n = Integer.parseInt(d[2]);
            SplittableRandom r = new SplittableRandom(1);
            float[] x = new float[m * k], w = new float[n * k], b = new float[n];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-1, 1);
            for (int i = 0; i < n; i++) b[i] = (float) r.nextDouble(-1, 1);
            float[] y1 = new float[m * n], y2 = new float[m * n];
            LinearEval.Packed p = LinearEval.pack(w, 0, b, 0, n, k);
            double flop = 2.0 * m * n * k;
            for (int round = 0; round < rounds; round++) {
                double fused = time(() -> LinearEval.forward(x, 0, k, m, p, true, y1, 0), flop);
                double gemm =
                        time(
                                () -> {
                                    CpuGemm.sgemmSplit(
                                            CpuGemm.active(),
                                            1,
                                            false,
                                            true,
                                            m,
                                            n,
                                            k,
                                            1f,
                                            x,
                                            0,
                                            k,
                                            w,
                                            0,
                                            k,
                                            0f,
                                            y2,
                                            0,
                                            n);
                                    for (int i = 0; i < m; i++)
                                        for (int j = 0; j < n; j++)
                                            y2[i * n + j] = Math.max(y2[i * n + j] + b[j], 0f);
                                },
                                flop);
                boolean same = java.util.Arrays.equals(y1, y2);
                System.out.printf(
                        "%-14s round %d  fused %6.1f GFLOP/s  gemm + bias + relu %6.1f GFLOP/s"
                                + "  same bits %s%n",
                        s, round, fused, gemm, same);
            }
        }
    }

    /** GFLOP/s by thread CPU over repetitions filling ~0.2 s. */
    private static double time(Runnable r, double flop) {
        long t0 = MX.getCurrentThreadCpuTime();
        int reps = 0;
        do {
            r.run();
            reps++;
        } while (MX.getCurrentThreadCpuTime() - t0 < 200_000_000L);
        return flop * reps / (MX.getCurrentThreadCpuTime() - t0);
    }
}
