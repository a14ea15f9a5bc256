package arm.bench;

import arm.kernels.cpu.CpuConv;
import arm.kernels.cpu.ref.ConvTransposeRef;
import arm.tensor.Shape;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The transposed convolutions of the CIFAR gated-conv VAE decoder (each of its gated layers runs
 * two of them) on a batch of 10: the production path {@link CpuConv#transposeForward} (the
 * convolution's input-gradient kernels) against the naive gather {@link ConvTransposeRef}. The
 * gradients are conv2d and conv2dBackwardWeight calls, timed by {@link ConvBench}.
 *
 * <p>Shapes ("Ci-HW-Co-k-stride-pad-outputPad"): z×1×1 → 8×8 (z = 100), then 8×8 k5, the two
 * stride-2 upsamplings 8→16 and 16→32, and 32×32 k5.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ConvTransposeBench} (add {@code -prof arm.bench.CpuTimeProfiler} on a shared machine).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvTransposeBench {
    @Param({
        "100-1-64-8-1-0-0",
        "64-8-64-5-1-2-0",
        "64-8-32-5-2-2-1",
        "32-16-32-5-2-2-1",
        "32-32-32-5-1-2-0"
    })
    public String shape;

    /** cpuconv: the production path; naive: the gather loops. */
    @Param({"cpuconv", "naive"})
    public String path;

    @Param("10")
    public int n;

    private int ci, hw, co, k, s, p, ho;
    private float[] x, w, y;

    @Setup
    public void setup() {
        String[] a = shape.split("-");
        ci = Integer.parseInt(a[0]);
        hw = Integer.parseInt(a[1]);
        co = Integer.parseInt(a[2]);
        k = Integer.parseInt(a[3]);
        s = Integer.parseInt(a[4]);
        p = Integer.parseInt(a[5]);
        ho = Shape.convTransposeOut(hw, k, s, p, Integer.parseInt(a[6]));
        SplittableRandom r = new SplittableRandom(1);
        x = ConvBench.random(r, n * ci * hw * hw);
        w = ConvBench.random(r, ci * co * k * k);
        y = new float[n * co * ho * ho];
        System.out.println(
                "# conv_transpose2d "
                        + shape
                        + " → "
                        + ho
                        + "×"
                        + ho
                        + ", "
                        + 2.0 * n * ci * hw * hw * co * k * k / 1e6
                        + " MFLOP per call; CpuConv: "
                        + CpuConv.path());
    }

    @Benchmark
    public void convTranspose(Blackhole bh) {
        if (path.equals("naive"))
            ConvTransposeRef.forward(x, w, y, n, ci, hw, hw, co, k, k, s, p, ho, ho);
        else CpuConv.transposeForward(x, w, y, n, ci, hw, hw, co, k, k, s, p, ho, ho);
        bh.consume(y);
    }
}
