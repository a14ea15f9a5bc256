package arm.bench;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Thread CPU time per call of an evaluation's batch-norm passes through the CPU backend, composed
 * (as an evaluation with a graph runs them) against fused (as one without a graph does), side by
 * side in one process (interleaved rounds, median), at ResNet18's (nf = 20) CIFAR shapes with the
 * evaluation batch of 100: eval BN then a ReLU pass against BN with the ReLU in its pass; BN, the
 * residual add, the ReLU against {@code batchNormAddRelu}. Run with {@code -Darm.threads=1} for one
 * thread's cost. A development harness, not JMH.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -Darm.threads=1 -cp
 * benchmarks/target/benchmarks.jar arm.bench.EvalBlockTiming [rounds] [shape ...]}, shapes as
 * "N-C-HW".
 */
public final class EvalBlockTiming {
    private EvalBlockTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String[] shapes =
                args.length > 1
                        ? Arrays.copyOfRange(args, 1, args.length)
                        : new String[] {"100-20-1024", "100-40-256", "100-80-64", "100-160-16"};
        Backend be = Backends.cpu();
        System.out.println("# " + be.describe());
        System.out.println(
                "# shape: BN+ReLU composed, fused µs (ratio); BN+add+ReLU composed, fused µs"
                        + " (ratio)");
        for (String sh : shapes) {
            String[] p = sh.split("-");
            int n = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), hw = Integer.parseInt(p[2]);
            SplittableRandom r = new SplittableRandom(1);
            Tensor x = rand(r, n, c, hw), res = rand(r, n, c, hw);
            Tensor y = Tensor.zeros(n, c, hw, 1), s = Tensor.zeros(n, c, hw, 1);
            Tensor o = Tensor.zeros(n, c, hw, 1);
            float[] var = new float[c];
            for (int i = 0; i < c; i++) var[i] = 0.5f + (float) r.nextDouble();
            BatchNormArgs a =
                    BatchNormArgs.eval(
                            rand(r, c), rand(r, c), 1e-5f, rand(r, c), Tensor.of(var, c));
            Tensor x4 = x.reshape(n, c, hw, 1), r4 = res.reshape(n, c, hw, 1);
            Runnable[] ops = {
                () -> {
                    be.batchNorm(a, x4, false, y);
                    be.unary(Unary.RELU, y, 0f, o);
                },
                () -> be.batchNorm(a, x4, true, o),
                () -> {
                    be.batchNorm(a, x4, false, y);
                    be.binary(Binary.ADD, y, r4, s);
                    be.unary(Unary.RELU, s, 0f, o);
                },
                () -> be.batchNormAddRelu(a, x4, r4, o)
            };
            double[][] t = new double[ops.length][rounds];
            int reps = Math.max(5, 20_000_000 / (n * c * hw));
            for (int k = 0; k < ops.length; k++) for (int i = 0; i < reps; i++) ops[k].run();
            for (int round = 0; round < rounds; round++)
                for (int k = 0; k < ops.length; k++) {
                    long t0 = MX.getCurrentThreadCpuTime();
                    for (int i = 0; i < reps; i++) ops[k].run();
                    t[k][round] = (MX.getCurrentThreadCpuTime() - t0) / 1e3 / reps;
                }
            double[] m = new double[ops.length];
            for (int k = 0; k < ops.length; k++) {
                Arrays.sort(t[k]);
                m[k] = t[k][rounds / 2];
            }
            System.out.printf(
                    "%s: %.1f, %.1f (%.2f); %.1f, %.1f (%.2f)%n",
                    sh, m[0], m[1], m[1] / m[0], m[2], m[3], m[3] / m[2]);
        }
    }

    private static Tensor rand(SplittableRandom r, int... shape) {
        int len = 1;
        for (int d : shape) len *= d;
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(v, shape);
    }
}
