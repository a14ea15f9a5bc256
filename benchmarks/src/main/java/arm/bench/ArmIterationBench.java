package arm.bench;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.method.Methods;
import arm.method.Stepper;
import java.util.Map;
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
 * One training iteration of a method on the published MNIST MLP (784-400-400-10), N = 10; for ARM
 * and ADI a recall iteration with M = S = 10 (step A, 10 input-refinement steps through f_old and
 * f_cur, targets, step B: ≈ 4.9e8 FLOP, ALGORITHM.md §10). PyTorch 1 thread on a faster machine:
 * 0.08 s (ARM) and 0.004 s (Naive) per iteration; 0.21 s (ARM) on the developers' 2-core VM
 * (docs/REPRODUCE.md).
 *
 * <p>Synthetic MNIST-shaped data (random pixels), so no files are needed. Setup trains through the
 * first task (T = 4 batches here), so every measured iteration is a recall iteration.
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am package -DskipTests && java --add-modules
 * jdk.incubator.vector -jar benchmarks/target/benchmarks.jar ArmIterationBench}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ArmIterationBench {
    @Param({"ARM", "ADI", "Distill", "Naive"})
    public String method;

    private Stepper stepper;
    private int t;

    @Setup
    public void setup() {
        ContinualData data = mnistShaped(1);
        stepper = Stepper.create(Methods.create(method, Map.of()), data, 42);
        // get past the first task so ADI has past classes to recall; recall then runs every
        // iteration
        for (t = 0; t < data.batchesPerTask(); t++) stepper.train(t);
    }

    @Benchmark
    public void iteration(Blackhole bh) {
        stepper.train(t++);
        bh.consume(stepper.model());
    }

    /** 5 tasks × 2 classes × 20 images of 784 random pixels, N = 10: T = 4 batches per task. */
    static ContinualData mnistShaped(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 200, d = 784;
        byte[] px = new byte[n * d];
        for (int i = 0; i < px.length; i++) px[i] = (byte) rng.nextInt(256);
        int[] labels = new int[n], stream = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / 20;
            stream[i] = i;
        }
        Dataset train = new Dataset("mnist-shaped", px, labels, new int[] {d});
        return new ContinualData(train, stream, train, train, 10, 2, 10);
    }
}
