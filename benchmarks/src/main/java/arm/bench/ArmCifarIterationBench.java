package arm.bench;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.method.Methods;
import arm.method.Stepper;
import arm.tensor.Backends;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One ARM (or ADI) recall iteration in the CIFAR10 setting: ResNet18 nf = 20, N = 10 real images, M
 * = 100 recalled (drawn with replacement from the 10, duplicates kept), S = 10 refinement steps,
 * every other hyperparameter as published (ALGORITHM.md §2.4). That is step A, 10 × (f_old and
 * f_cur forward on 100 images + input-only backward through both), the targets, and step B: about
 * 4,470 F ≈ 4.9e11 FLOP (ALGORITHM.md §10). The authors' PyTorch code: 12.8 s on one thread, 8.4 s
 * on two.
 *
 * <p>{@code dedup=on} runs ARM's exact duplicate-aware option: the M = 100 draws are kept as their
 * U ≤ 10 distinct images with multiplicities, every batch reduction counted (ALGORITHM.md §2.1;
 * DedupTest shows it equals the replicated batch up to rounding). About (7N + 44U)·F instead of (7N
 * + 44M)·F.
 *
 * <p>Synthetic CIFAR-shaped data (random pixels; 10 classes × 40 images), so no files are needed;
 * setup trains through the first task (8 batches), so every measured iteration recalls.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ArmCifarIterationBench} (about 10 minutes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 4)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules",
            "jdk.incubator.vector",
            "-XX:+UseParallelGC",
            "-XX:+AlwaysPreTouch"
        })
public class ArmCifarIterationBench {
    @Param({"ARM"})
    public String method;

    @Param({"1", "2"})
    public int threads;

    /** ARM's dedup option: off (the faithful replicated batch) or on (distinct images, counted). */
    @Param({"off", "on"})
    public String dedup;

    private Stepper stepper;
    private int t;

    @Setup
    public void setup() {
        System.setProperty(
                "arm.threads", Integer.toString(threads)); // read once, when the kernels load
        ContinualData data = cifarShaped(1);
        Map<String, String> options = method.equals("ARM") ? Map.of("dedup", dedup) : Map.of();
        stepper = Stepper.create(Methods.create(method, "cifar10", options), data, 42);
        for (t = 0; t < data.batchesPerTask(); t++) stepper.train(t);
        System.out.println("# " + Backends.cpu().describe());
    }

    private final CpuTime cpu = new CpuTime();

    @Setup(Level.Iteration)
    public void startClock() {
        cpu.begin();
    }

    @TearDown(Level.Iteration)
    public void stopClock() {
        cpu.end(getClass().getSimpleName() + " threads=" + threads + " dedup=" + dedup);
    }

    @Benchmark
    public void iteration(Blackhole bh) {
        cpu.op();
        stepper.train(t++);
        bh.consume(stepper.model());
    }

    /** 5 tasks × 2 classes × 40 random 3×32×32 images, N = 10: T = 8 batches per task. */
    static ContinualData cifarShaped(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 400, d = 3 * 32 * 32;
        byte[] px = new byte[n * d];
        rng.nextBytes(px);
        int[] labels = new int[n], stream = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / 40;
            stream[i] = i;
        }
        Dataset train = new Dataset("cifar-shaped", px, labels, new int[] {3, 32, 32});
        return new ContinualData(train, stream, train, train, 10, 2, 10);
    }
}
