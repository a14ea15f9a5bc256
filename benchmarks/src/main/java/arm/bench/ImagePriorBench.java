package arm.bench;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.method.RecallLoss;
import arm.tensor.Tensor;
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
 * ARM's image prior λ5·R_L2 + λ6·R_TV, value and input gradient, on the CPU: the fused op ({@code
 * F.imagePrior}, ImagePriorRef, the form a device runs) against the composed terms the CPU path
 * keeps ({@code RecallLoss.l2} + {@code RecallLoss.totalVariation}, ~56 primitives), at the MNIST
 * setting's X̂ (10 × 1×28×28) and the CIFAR setting's replicated X̂ (100 × 3×32×32).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ImagePriorBench}; a smoke run: {@code ... ImagePriorBench -f 0 -wi 0 -i 1 -r 100ms}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ImagePriorBench {
    /** U, c, h, w. */
    @Param({"10,1,28,28", "100,3,32,32"})
    public String shape;

    private static final float L5 = 0.5f, L6 = 0.5f;
    private int c, h, w;
    private Tensor x;

    @Setup
    public void setup() {
        String[] p = shape.split(",");
        int u = Integer.parseInt(p[0]);
        c = Integer.parseInt(p[1]);
        h = Integer.parseInt(p[2]);
        w = Integer.parseInt(p[3]);
        SplittableRandom r = new SplittableRandom(1);
        float[] v = new float[u * c * h * w];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble();
        x = Tensor.of(v, u, c * h * w);
    }

    @Benchmark
    public Tensor fused() {
        Var xv = Var.param(x);
        return Autograd.grad(F.imagePrior(xv, L5, L6, c, h, w, null), xv)[0];
    }

    @Benchmark
    public Tensor composed() {
        Var xv = Var.param(x);
        Var r =
                F.add(
                        F.scale(RecallLoss.l2(xv), L5),
                        F.scale(RecallLoss.totalVariation(xv, c, h, w), L6));
        return Autograd.grad(r, xv)[0];
    }
}
