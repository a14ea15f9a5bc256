package arm.bench;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.kernels.cpu.ref.ElementwiseRef;
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
 * Softmax and log-softmax over the last axis (the one CPU kernel, {@link ElementwiseRef#softmax}
 * and its backward from y), and the cross-entropy loss through autograd, forward and backward
 * (log_softmax → gather → mean; its gradient is (softmax(z) − onehot(y)) / R), fused or composed
 * from softmax and log.
 *
 * <p>Shapes "R-C": the recalled batch's logits, MNIST 10 classes (100-10), CIFAR 100 classes as
 * ARM's soft targets over 100 images (100-100), and an evaluation batch (1000-10).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SoftmaxBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class SoftmaxBench {
    @Param({"100-10", "100-100", "1000-10"})
    public String shape;

    @Param({"false", "true"})
    public boolean log;

    private int rows, cols;
    private float[] x, y, dy, dx;
    private Tensor logits;
    private int[] labels;

    @Setup
    public void setup() {
        String[] p = shape.split("-");
        rows = Integer.parseInt(p[0]);
        cols = Integer.parseInt(p[1]);
        SplittableRandom r = new SplittableRandom(1);
        x = new float[rows * cols];
        dy = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (4 * r.nextDouble() - 2);
            dy[i] = (float) (2 * r.nextDouble() - 1);
        }
        y = new float[x.length];
        dx = new float[x.length];
        ElementwiseRef.softmax(x, log, y, rows, cols);
        logits = Tensor.of(x.clone(), rows, cols);
        labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = r.nextInt(cols);
    }

    @Benchmark
    public float[] forward() {
        ElementwiseRef.softmax(x, log, y, rows, cols);
        return y;
    }

    @Benchmark
    public float[] backward() {
        ElementwiseRef.softmaxBackward(y, dy, log, dx, rows, cols);
        return dx;
    }

    /**
     * crossEntropy(z, labels) and dL/dz through autograd: with log, F.crossEntropy (the fused
     * log_softmax); without, the same loss spelled −mean(gather(log(softmax(z)), labels)).
     */
    @Benchmark
    public Tensor crossEntropyForwardBackward() {
        Var z = Var.param(logits);
        Var loss =
                log
                        ? F.crossEntropy(z, labels)
                        : F.neg(F.mean(F.gather(F.log(F.softmax(z)), labels)));
        return Autograd.grad(loss, z)[0];
    }
}
