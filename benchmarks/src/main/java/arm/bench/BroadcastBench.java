package arm.bench;

import arm.kernels.cpu.fast.BroadcastFast;
import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Binary;
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
 * Broadcasting binary ops and sum-reductions: {@link BroadcastFast} (nested loops over one R×C cut)
 * against its naive twin, ElementwiseRef's general strided walk, at the MLP's shapes with batch
 * {@code rows}:
 *
 * <ul>
 *   <li>biasAdd: x·Wᵀ [rows, 400] + b [400] (every Linear forward);
 *   <li>biasGrad: Σ over rows of dY [rows, 400] → [400] (every Linear backward);
 *   <li>total: Σ of all of [1, rows·784] → [1, 1] (F.sum in the recall loss terms);
 *   <li>scalarBack: a scalar gradient broadcast back to [1, rows·784] (SumTo's backward).
 * </ul>
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * BroadcastBench}; a smoke run: {@code ... BroadcastBench -f 0 -wi 0 -i 1 -r 100ms}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class BroadcastBench {
    @Param({"10", "1000"})
    public int rows;

    @Param({"fast", "naive"})
    public String path;

    private static final int C = 400, D = 784;
    private float[] y, bias, out, image, one;
    private int[] yShape, biasShape, imageShape, oneShape;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        y = random(r, rows * C);
        bias = random(r, C);
        out = new float[rows * C];
        image = random(r, rows * D);
        one = random(r, 1);
        yShape = new int[] {rows, C};
        biasShape = new int[] {C};
        imageShape = new int[] {1, rows * D};
        oneShape = new int[] {1, 1};
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    private boolean fast() {
        return path.equals("fast");
    }

    @Benchmark
    public float[] biasAdd() {
        if (fast()) BroadcastFast.binary(Binary.ADD, y, yShape, bias, biasShape, out, yShape);
        else ElementwiseRef.binary(Binary.ADD, y, yShape, bias, biasShape, out, yShape);
        return out;
    }

    @Benchmark
    public float[] biasGrad() {
        if (fast()) BroadcastFast.sumTo(y, yShape, bias, biasShape);
        else ElementwiseRef.sumTo(y, yShape, bias, biasShape);
        return bias;
    }

    @Benchmark
    public float[] total() {
        if (fast()) BroadcastFast.sumTo(image, imageShape, one, oneShape);
        else ElementwiseRef.sumTo(image, imageShape, one, oneShape);
        return one;
    }

    @Benchmark
    public float[] scalarBack() {
        float[] zero = {0f};
        if (fast())
            BroadcastFast.binary(Binary.ADD, one, oneShape, zero, new int[] {1}, image, imageShape);
        else
            ElementwiseRef.binary(
                    Binary.ADD, one, oneShape, zero, new int[] {1}, image, imageShape);
        return image;
    }
}
