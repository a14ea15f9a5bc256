package arm.bench;

import arm.tensor.Backend;
import arm.tensor.Backends;
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
 * The layout primitives of the CPU backend (permute, slice and concat through copyAlongAxis, max
 * along the last axis) at the shapes of a recall iteration, called as autograd calls them: through
 * {@link Backend}, outputs allocated once. The loops are the naive ones of ElementwiseRef, which
 * these numbers are here to watch.
 *
 * <p>{@code data}: mnist = the recalled batch X̂ [M = 10, 1, 28, 28] and logits [10, K = 10]; cifar
 * = X̂ [M = 100, 3, 32, 32] and logits [100, 10].
 *
 * <ul>
 *   <li>sliceH, sliceW: the two shifted views of the total-variation term R_TV (RecallLoss), on X̂
 *       as [M·C, H, W]: rows 1..H−1 (axis 1) and columns 1..W−1 (axis 2);
 *   <li>concatBatch: the real batch [N = 10, C, H, W] and X̂ into [N + M, C, H, W] (axis 0);
 *       concatChannels: two X̂ into [M, 2C, H, W] (axis 1);
 *   <li>permuteNhwc: X̂ to [M, H, W, C]; transpose: X̂ as [M, C·H·W] to [C·H·W, M];
 *   <li>max: values and argmax of the logits (targets from f_old, evaluation).
 * </ul>
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * LayoutBench} (a few minutes); a smoke run: {@code ... LayoutBench -f 0 -wi 0 -i 1 -r 100ms}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LayoutBench {
    @Param({"mnist", "cifar"})
    public String data;

    private static final int N = 10, K = 10;

    private Backend be;
    private int m, c, h, w;
    private Tensor xhat, real, logits;
    private Tensor sliceH, sliceW, batch, channels, nhwc, transposed, maxValues;
    private int[] argmax;

    @Setup
    public void setup() {
        be = Backends.cpu();
        boolean mnist = data.equals("mnist");
        m = mnist ? 10 : 100;
        c = mnist ? 1 : 3;
        h = mnist ? 28 : 32;
        w = h;
        SplittableRandom r = new SplittableRandom(1);
        xhat = random(r, m, c, h, w);
        real = random(r, N, c, h, w);
        logits = random(r, m, K);
        sliceH = be.zeros(m * c, h - 1, w);
        sliceW = be.zeros(m * c, h, w - 1);
        batch = be.zeros(N + m, c, h, w);
        channels = be.zeros(m, 2 * c, h, w);
        nhwc = be.zeros(m, h, w, c);
        transposed = be.zeros(c * h * w, m);
        maxValues = be.zeros(m);
        argmax = new int[m];
        System.out.println(
                "# "
                        + data
                        + ": X̂ ["
                        + m
                        + ", "
                        + c
                        + ", "
                        + h
                        + ", "
                        + w
                        + "], "
                        + be.describe());
    }

    private Tensor random(SplittableRandom r, int... shape) {
        Tensor t = be.zeros(shape);
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return t;
    }

    @Benchmark
    public float[] sliceH() {
        be.copyAlongAxis(xhat.reshape(m * c, h, w), 1, 1, sliceH, 0, h - 1);
        return sliceH.data();
    }

    @Benchmark
    public float[] sliceW() {
        be.copyAlongAxis(xhat.reshape(m * c, h, w), 2, 1, sliceW, 0, w - 1);
        return sliceW.data();
    }

    @Benchmark
    public float[] concatBatch() {
        be.copyAlongAxis(real, 0, 0, batch, 0, N);
        be.copyAlongAxis(xhat, 0, 0, batch, N, m);
        return batch.data();
    }

    @Benchmark
    public float[] concatChannels() {
        be.copyAlongAxis(xhat, 1, 0, channels, 0, c);
        be.copyAlongAxis(xhat, 1, 0, channels, c, c);
        return channels.data();
    }

    @Benchmark
    public float[] permuteNhwc() {
        be.permute(xhat, new int[] {0, 2, 3, 1}, nhwc);
        return nhwc.data();
    }

    @Benchmark
    public float[] transpose() {
        be.permute(xhat.reshape(m, c * h * w), new int[] {1, 0}, transposed);
        return transposed.data();
    }

    @Benchmark
    public int[] max() {
        be.maxLastAxis(logits, maxValues, argmax);
        return argmax;
    }
}
