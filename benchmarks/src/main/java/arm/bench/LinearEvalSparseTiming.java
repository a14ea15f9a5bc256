package arm.bench;

import arm.data.Idx;
import arm.data.Mnist;
import arm.kernels.cpu.LinearEval;
import arm.kernels.cpu.simd.LinearEvalSimd;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The MLP evaluation's first layer (1000×784 → 400, ReLU) on real MNIST test images, the dense
 * fused kernel against its zero-skipping path, alternating round by round in one JVM, by thread
 * CPU: {@code tiles} times every group size of the sparse path (1, 2, 4 rows, always sparse) over
 * the 10 test batches; {@code fill} times the 4-row sparse tile against the dense one on random
 * inputs whose 4-row unions fill a given fraction of k (the break-even sets {@link
 * LinearEvalSimd#SPARSE_MAX_FILL}); {@code auto} times {@link LinearEval#forward} as wired against
 * the dense kernel on MNIST and on random bytes. Every variant's output is compared with the dense
 * one's, bit for bit.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * arm.bench.LinearEvalSparseTiming [tiles|fill|auto|all] [rounds] [mnist dir]}
 */
public final class LinearEvalSparseTiming {
    private LinearEvalSparseTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    static final int M = 1000, K = 784, N = 400;

    public static void main(String[] args) throws IOException {
        String what = args.length > 0 ? args[0] : "all";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Path.of(args.length > 2 ? args[2] : "data/mnist");
        System.out.println("# fused kernel available: " + LinearEval.available());
        Idx.Images test = Idx.readImages(Idx.find(dir, Mnist.TEST_IMAGES), 28, 28);
        byte[] raw = test.pixels();
        int images = test.count();
        float[] mnist = new float[images * K];
        long nz = 0;
        for (int i = 0; i < mnist.length; i++) {
            mnist[i] = (raw[i] & 0xFF) / 255f;
            if (mnist[i] != 0) nz++;
        }
        System.out.printf(
                "# %d test images, nonzero fraction %.4f%n", images, nz / (double) mnist.length);
        SplittableRandom r = new SplittableRandom(1);
        float[] w = new float[N * K], b = new float[N];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-0.05, 0.05);
        for (int i = 0; i < N; i++) b[i] = (float) r.nextDouble(-0.05, 0.05);
        LinearEval.Packed packed = LinearEval.pack(w, 0, b, 0, N, K);
        float[] panels = LinearEvalSimd.packWeights(w, 0, N, K),
                bias = LinearEvalSimd.packBias(b, 0, N);
        int batches = images / M;
        float[] ref = new float[M * N], y = new float[M * N];
        LinearEvalSimd.Sparse sp = new LinearEvalSimd.Sparse();
        // the dense kernel over every test batch: the yardstick of the build and auto modes
        Runnable denseMnist =
                () -> {
                    for (int t = 0; t < batches; t++)
                        LinearEvalSimd.forward(
                                mnist, t * M * K, K, M, K, panels, bias, N, true, ref, 0);
                };

        if (what.equals("tiles") || what.equals("all")) {
            float[][] refs = new float[batches][M * N], ys = new float[batches][M * N];
            for (int t = 0; t < batches; t++)
                LinearEvalSimd.forward(
                        mnist, t * M * K, K, M, K, panels, bias, N, true, refs[t], 0);
            int[] rowsOf = {0, 1, 2, 4}; // 0: dense
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("tiles round " + round + ":");
                double dense = 0;
                for (int rows : rowsOf) {
                    double s =
                            time(
                                    () -> {
                                        for (int t = 0; t < batches; t++)
                                            if (rows == 0)
                                                LinearEvalSimd.forward(
                                                        mnist, t * M * K, K, M, K, panels, bias, N,
                                                        true, ys[t], 0);
                                            else
                                                LinearEvalSimd.forwardSparse(
                                                        mnist, t * M * K, K, M, K, panels, bias, N,
                                                        true, ys[t], 0, rows, 1.0, sp);
                                    });
                    boolean same = true;
                    for (int t = 0; t < batches; t++) same &= Arrays.equals(ys[t], refs[t]);
                    if (rows == 0) dense = s;
                    line.append(
                            String.format(
                                    "  %s %.4f s (%.3f)%s",
                                    rows == 0 ? "dense" : rows + "x5",
                                    s,
                                    s / dense,
                                    same ? "" : " BITS DIFFER"));
                }
                System.out.println(line + "   (thread CPU per pass over the 10 test batches)");
            }
        }

        if (what.equals("build") || what.equals("all")) {
            for (int round = 0; round < rounds; round++) {
                double dense = time(denseMnist);
                double build =
                        time(
                                () -> {
                                    for (int t = 0; t < batches; t++)
                                        LinearEvalSimd.build(
                                                mnist, t * M * K, K, M / 4, 4, K, K, sp);
                                });
                System.out.printf(
                        "build round %d: dense %.4f s, building the 4-row lists %.4f s (%.3f)%n",
                        round, dense, build, build / dense);
            }
        }

        if (what.equals("fill") || what.equals("all")) {
            // iid zeros with density d: a 4-row union fills 1 - d^4 of k
            double[] fills = {0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0};
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("fill round " + round + ":");
                for (double f : fills) {
                    double d = Math.pow(1 - f, 0.25);
                    SplittableRandom g = new SplittableRandom(17);
                    float[] x = new float[M * K];
                    for (int i = 0; i < x.length; i++)
                        x[i] = g.nextDouble() < d ? 0f : (float) g.nextDouble(0.01, 1);
                    double dense =
                            time(
                                    () ->
                                            LinearEvalSimd.forward(
                                                    x, 0, K, M, K, panels, bias, N, true, ref, 0));
                    double sparse =
                            time(
                                    () ->
                                            LinearEvalSimd.forwardSparse(
                                                    x, 0, K, M, K, panels, bias, N, true, y, 0, 4,
                                                    1.0, sp));
                    line.append(
                            String.format(
                                    "  %.2f: %.3f%s",
                                    f,
                                    sparse / dense,
                                    Arrays.equals(y, ref) ? "" : " (BITS DIFFER)"));
                }
                System.out.println(line + "   (sparse 4x5 / dense thread CPU at union fill)");
            }
        }

        if (what.equals("auto") || what.equals("all")) {
            byte[] bytes = new byte[M * K];
            new SplittableRandom(8).nextBytes(bytes);
            float[] noise = new float[M * K];
            for (int i = 0; i < noise.length; i++) noise[i] = (bytes[i] & 0xFF) / 255f;
            for (int round = 0; round < rounds; round++) {
                boolean[] same = {true};
                double dense = time(denseMnist);
                double auto =
                        time(
                                () -> {
                                    for (int t = 0; t < batches; t++) {
                                        LinearEval.forward(
                                                mnist, t * M * K, K, M, packed, true, y, 0);
                                    }
                                });
                LinearEvalSimd.forward(mnist, 9 * M * K, K, M, K, panels, bias, N, true, ref, 0);
                same[0] &= Arrays.equals(y, ref);
                double denseNoise =
                        time(
                                () ->
                                        LinearEvalSimd.forward(
                                                noise, 0, K, M, K, panels, bias, N, true, ref, 0));
                double autoNoise =
                        time(() -> LinearEval.forward(noise, 0, K, M, packed, true, y, 0));
                same[0] &= Arrays.equals(y, ref);
                System.out.printf(
                        "auto round %d: MNIST 10 batches dense %.4f s, LinearEval %.4f s (%.3f);"
                            + " random bytes 1 batch dense %.5f s, LinearEval %.5f s (%.3f)%s%n",
                        round,
                        dense,
                        auto,
                        auto / dense,
                        denseNoise,
                        autoNoise,
                        autoNoise / denseNoise,
                        same[0] ? "" : " (BITS DIFFER)");
            }
        }
    }

    /** Thread CPU seconds per call, over repetitions filling ~0.3 s (the first call untimed). */
    private static double time(Runnable run) {
        run.run();
        long t0 = MX.getCurrentThreadCpuTime();
        int reps = 0;
        do {
            run.run();
            reps++;
        } while (MX.getCurrentThreadCpuTime() - t0 < 300_000_000L);
        return (MX.getCurrentThreadCpuTime() - t0) / 1e9 / reps;
    }
}
