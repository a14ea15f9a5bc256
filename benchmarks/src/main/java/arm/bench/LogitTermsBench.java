package arm.bench;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.method.RecallLoss;
import arm.tensor.LogitWeights;
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
 * ARM's logit terms wD·R_D + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div + λ4·R_sharp, value and the
 * gradients to both logits, on the CPU: the fused op ({@code F.logitTerms}, LogitTermsRef, the form
 * a device runs) against the same terms composed from {@link RecallLoss}'s primitives (the form the
 * CPU path keeps), at U × K = 10 × 10 (MNIST) and 100 × 10 (CIFAR10, replicated X̂), every weight
 * set, the authors' reversed-KL divergence.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * LogitTermsBench}; a smoke run: {@code ... LogitTermsBench -f 0 -wi 0 -i 1 -r 100ms}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LogitTermsBench {
    /** U, K. */
    @Param({"10,10", "100,10"})
    public String shape;

    private static final float WD = 1f, L1 = 0.5f, L2 = 0.5f, L3 = 0.5f, L4 = 0.5f;
    private static final int[] PRESENT = {0, 1};
    private Tensor a, b;

    @Setup
    public void setup() {
        String[] p = shape.split(",");
        int u = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]);
        SplittableRandom r = new SplittableRandom(1);
        a = Tensor.of(random(r, u * k), u, k);
        b = Tensor.of(random(r, u * k), u, k);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
        return v;
    }

    @Benchmark
    public Tensor[] fused() {
        Var av = Var.param(a), bv = Var.param(b);
        LogitWeights w = new LogitWeights(LogitWeights.REVERSED_KL, WD, L1, L2, L3, L4);
        return Autograd.grad(F.logitTerms(av, bv, PRESENT, null, w), av, bv);
    }

    @Benchmark
    public Tensor[] composed() {
        Var av = Var.param(a), bv = Var.param(b);
        Var lp = F.logSoftmax(av);
        Var r = F.scale(RecallLoss.divergence(RecallLoss.Divergence.REVERSED_KL, av, bv), WD);
        r = F.add(r, F.scale(RecallLoss.notLocal(lp, PRESENT), L1));
        r = F.add(r, F.scale(RecallLoss.notLocal(F.logSoftmax(bv), PRESENT), L2));
        r = F.add(r, F.scale(RecallLoss.diversity(av), L3));
        r = F.add(r, F.scale(RecallLoss.sharpen(av, lp), L4));
        return Autograd.grad(r, av, bv);
    }
}
