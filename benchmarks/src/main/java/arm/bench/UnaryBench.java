package arm.bench;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Unary;
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
 * Unary ops forward and backward on the CPU (ElementwiseRef: the one path they have, no fast twin),
 * at the size of the MNIST VAE's decoder output for a batch of 10 (10·784 values) and of a
 * CIFAR-setting activation (100·20·32·32). GEN's sigmoid, softplus and clamp_max are here beside
 * the older exp and relu for scale.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * UnaryBench}; a smoke run: {@code ... UnaryBench -f 0 -wi 0 -i 1 -r 100ms}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class UnaryBench {
    @Param({"SIGMOID", "SOFTPLUS", "CLAMP_MAX", "EXP", "RELU"})
    public Unary op;

    @Param({"7840", "2048000"})
    public int n;

    private float[] x, y, dy, dx;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        x = new float[n];
        dy = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 8 - 4);
            dy[i] = (float) (r.nextDouble() * 2 - 1);
        }
        y = new float[n];
        dx = new float[n];
        ElementwiseRef.unary(op, x, 0.5f, y, n);
    }

    @Benchmark
    public float[] forward() {
        ElementwiseRef.unary(op, x, 0.5f, y, n);
        return y;
    }

    @Benchmark
    public float[] backward() {
        ElementwiseRef.unaryBackward(op, x, y, dy, 0.5f, dx, n);
        return dx;
    }
}
