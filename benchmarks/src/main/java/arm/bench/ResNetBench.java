package arm.bench;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.nn.ResNet18;
import arm.tensor.Backends;
import arm.tensor.Tensor;
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
 * ResNet18 (nf = 20, CIFAR head) on 100 images of 3×32×32 in training mode (batch-statistics BN),
 * CPU: one forward (≈ 10.9 GFLOP in convolutions, ALGORITHM.md §10) plus
 *
 * <ul>
 *   <li>{@code train}: the backward to every weight and the input (a weight-training step, ≈ 3F);
 *   <li>{@code refine}: the backward to the input only (one of ARM's refinement passes, ≈ 2F).
 * </ul>
 *
 * {@code threads} sets {@code -Darm.threads} before the kernels load (each value runs in its own
 * fork). Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ResNetBench}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "--add-modules",
            "jdk.incubator.vector",
            "-XX:+UseParallelGC",
            "-XX:+AlwaysPreTouch"
        })
public class ResNetBench {
    @Param({"train", "refine"})
    public String mode;

    @Param({"1", "2"})
    public int threads;

    private ResNet18 net;
    private float[] images;
    private int[] labels;

    @Setup
    public void setup() {
        System.setProperty(
                "arm.threads", Integer.toString(threads)); // read once, when the kernels load
        net = ResNet18.cifar10(new SplittableRandom(1));
        SplittableRandom r = new SplittableRandom(2);
        images = new float[100 * 3 * 32 * 32];
        for (int i = 0; i < images.length; i++) images[i] = (float) r.nextDouble();
        labels = new int[100];
        for (int i = 0; i < 100; i++) labels[i] = i % 10;
        System.out.println("# " + Backends.cpu().describe());
    }

    private final CpuTime cpu = new CpuTime();

    @Setup(Level.Iteration)
    public void startClock() {
        cpu.begin();
    }

    @TearDown(Level.Iteration)
    public void stopClock() {
        cpu.end(getClass().getSimpleName() + " threads=" + threads);
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        cpu.op();
        Var x = Var.param(Tensor.of(images.clone(), 100, 3, 32, 32));
        Var loss = F.crossEntropy(net.forward(x), labels);
        if (mode.equals("train")) {
            Autograd.backward(loss);
            for (Var p : net.parameters()) {
                bh.consume(p.grad);
                p.zeroGrad();
            }
        } else {
            bh.consume(Autograd.grad(loss, x)[0]);
        }
    }
}
