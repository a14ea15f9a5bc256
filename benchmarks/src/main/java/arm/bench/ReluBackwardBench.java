package arm.bench;

import arm.kernels.cpu.fast.ReluFast;
import arm.kernels.cpu.simd.ReluSimd;
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
 * ReLU's backward dx = dy · [x &gt; 0]: the scalar bit-mask loop ({@link ReluFast#backward}, the
 * path without the Vector API and the naive twin) against the vector one ({@link
 * ReluSimd#backward}), bit for bit the same. Sizes: the MLP's [10, 400] activation and a
 * CIFAR-setting one [100, 20, 32, 32]; odd n keeps a tail.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ReluBackwardBench}; a smoke run: {@code ... ReluBackwardBench -f 0 -wi 0 -i 1 -r 100ms}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ReluBackwardBench {
    @Param({"4000", "4001", "2048000"})
    public int n;

    private float[] x, dy, dx;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        x = new float[n];
        dy = new float[n];
        dx = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 8 - 4);
            dy[i] = (float) (r.nextDouble() * 2 - 1);
        }
    }

    @Benchmark
    public float[] naive() {
        ReluFast.backward(x, dy, dx, 0, n);
        return dx;
    }

    @Benchmark
    public float[] simd() {
        ReluSimd.backward(x, dy, dx, 0, n);
        return dx;
    }
}
