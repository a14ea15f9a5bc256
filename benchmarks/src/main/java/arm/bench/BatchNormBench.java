package arm.bench;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.simd.BatchNormSimd;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training-mode batch norm, forward (statistics, affine pass, running update) and backward (dx, dγ,
 * dβ), on one thread: the naive loops ({@link BatchNormRef}), the scalar fast kernel ({@link
 * BatchNormFast}) and the Vector API one ({@link BatchNormSimd}, the default); {@code relu} fuses
 * the ReLU that follows it in ResNet18's blocks.
 *
 * <p>Shapes "N-C-HW" from ResNet18 (nf = 20) on the 100 recalled CIFAR images: the stem and layer1
 * (100-20-1024), layer2 (100-40-256), layer4 (100-160-16).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * BatchNormBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class BatchNormBench {
    @Param({"100-20-1024", "100-40-256", "100-160-16"})
    public String shape;

    @Param({"naive", "fast", "simd"})
    public String path;

    @Param({"false", "true"})
    public boolean relu;

    private BatchNormArrays a;
    private float[] x, y, dy, dx, dGamma, dBeta;

    @Setup
    public void setup() {
        String[] p = shape.split("-");
        int n = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), hw = Integer.parseInt(p[2]);
        SplittableRandom r = new SplittableRandom(1);
        x = random(r, n * c * hw, 1.5, 4);
        dy = random(r, n * c * hw, -1, 1);
        y = new float[x.length];
        dx = new float[x.length];
        dGamma = new float[c];
        dBeta = new float[c];
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        a =
                new BatchNormArrays(
                        n,
                        c,
                        hw,
                        true,
                        random(r, c, 0.5, 1.5),
                        random(r, c, -0.5, 0.5),
                        1e-5f,
                        new float[c],
                        new float[c],
                        null,
                        new float[c],
                        ones,
                        0.1f);
        forward(); // the statistics the backward reads
    }

    static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }

    @Benchmark
    public float[] forward() {
        switch (path) {
            case "naive" -> BatchNormRef.forward(a, x, relu, y);
            case "fast" -> BatchNormFast.forward(a, x, relu, y, 0, a.c());
            default -> BatchNormSimd.forward(a, x, relu, y, 0, a.c());
        }
        return y;
    }

    @Benchmark
    public float[] backward() {
        float[] reluOut = relu ? y : null;
        switch (path) {
            case "naive" -> BatchNormRef.backward(a, x, reluOut, dy, dx, dGamma, dBeta);
            case "fast" -> BatchNormFast.backward(a, x, reluOut, dy, dx, dGamma, dBeta, 0, a.c());
            default -> BatchNormSimd.backward(a, x, reluOut, dy, dx, dGamma, dBeta, 0, a.c());
        }
        return dx;
    }
}
