package arm.bench;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.simd.BatchNormPasses;
import arm.kernels.cpu.simd.BatchNormSimd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Thread CPU time per call of the two batch-norm kernels, {@link BatchNormFast} (with the vector dx
 * pass, as {@code CpuBatchNorm} runs it) and {@link BatchNormSimd}, side by side in one process
 * (interleaved rounds, median), at ResNet18's (nf = 20) shapes on CIFAR: N = 100 replicated images
 * and N = 10 distinct ones counted to 100 (ARM's {@code dedup=on}); forward and backward, with and
 * without the fused ReLU. A development harness, not JMH ({@link BatchNormBench} is the JMH one).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * arm.bench.BatchNormTiming [rounds] [shape ...]}, shapes as "N-C-HW" (N = 10: counted).
 */
public final class BatchNormTiming {
    private BatchNormTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** The counts of 10 distinct images standing for 100 draws. */
    static final int[] COUNTS = {14, 8, 11, 9, 12, 7, 10, 13, 6, 10};

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        String[] shapes =
                args.length > 1
                        ? Arrays.copyOfRange(args, 1, args.length)
                        : new String[] {
                            "100-20-1024", "100-40-256", "100-80-64", "100-160-16",
                            "10-20-1024", "10-40-256", "10-80-64", "10-160-16"
                        };
        System.out.println("# shape op: fast µs, simd µs, simd/fast (thread CPU, median)");
        for (String sh : shapes)
            for (int op = 0; op < 4; op++) {
                boolean backward = op >= 2, relu = (op & 1) == 1;
                double[] t = time(sh, backward, relu, rounds);
                System.out.printf(
                        "%s %s%s: %.1f, %.1f, %.2f%n",
                        sh,
                        backward ? "backward" : "forward",
                        relu ? "+relu" : "",
                        t[0],
                        t[1],
                        t[1] / t[0]);
            }
    }

    /** Median µs per call of fast and simd. */
    static double[] time(String shape, boolean backward, boolean relu, int rounds) {
        String[] p = shape.split("-");
        int n = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), hw = Integer.parseInt(p[2]);
        SplittableRandom r = new SplittableRandom(1);
        float[] x = BatchNormBench.random(r, n * c * hw, 1.5, 4),
                dy = BatchNormBench.random(r, n * c * hw, -1, 1),
                y = new float[x.length],
                dx = new float[x.length],
                dg = new float[c],
                db = new float[c],
                ones = new float[c];
        Arrays.fill(ones, 1f);
        BatchNormArrays a =
                new BatchNormArrays(
                        n,
                        c,
                        hw,
                        true,
                        BatchNormBench.random(r, c, 0.5, 1.5),
                        BatchNormBench.random(r, c, -0.5, 0.5),
                        1e-5f,
                        new float[c],
                        new float[c],
                        n == COUNTS.length ? COUNTS : null,
                        new float[c],
                        ones,
                        0.1f);
        // the fused ReLU's output with about half the values zero, as after a batch norm
        BatchNormFast.forward(a, x, true, y, 0, c);
        int reps = Math.max(1, 4_000_000 / (n * c * hw));
        Runnable[] k = new Runnable[2];
        float[] out = backward ? dx : new float[x.length];
        float[] reluOut = relu ? y : null;
        if (backward) {
            k[0] =
                    () ->
                            BatchNormFast.backward(
                                    a, x, reluOut, dy, dx, dg, db, 0, c, BatchNormPasses.INSTANCE);
            k[1] = () -> BatchNormSimd.backward(a, x, reluOut, dy, dx, dg, db, 0, c);
        } else {
            k[0] = () -> BatchNormFast.forward(a, x, relu, out, 0, c);
            k[1] = () -> BatchNormSimd.forward(a, x, relu, out, 0, c);
        }
        double[][] us = new double[2][rounds];
        for (int w = 0; w < 3; w++) for (Runnable kk : k) for (int i = 0; i < reps; i++) kk.run();
        for (int round = 0; round < rounds; round++)
            for (int j = 0; j < 2; j++) {
                long t0 = MX.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) k[j].run();
                us[j][round] = (MX.getCurrentThreadCpuTime() - t0) / 1e3 / reps;
            }
        return new double[] {median(us[0]), median(us[1])};
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
