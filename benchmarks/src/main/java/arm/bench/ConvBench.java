package arm.bench;

import arm.kernels.cpu.CpuConv;
import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
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
 * The convolutions of ResNet18 (nf = 20) on 100 CIFAR images: naive direct loops, im2col + GEMM,
 * and the production dispatch {@link CpuConv} (its class comment says which kernel runs each
 * shape); forward and both gradients. FLOPs of one call: 2·N·Co·K·P (K = Ci·k², P = Ho·Wo), e.g.
 * 737 MFLOP for every 3×3 conv except the stem and the stride-2 ones.
 *
 * <p>Shapes ("Ci-HW-Co-k-stride"): the stem 3-32-20-3-1, layer1 20-32-20-3-1, layer2's first
 * 20-32-40-3-2 and the rest 40-16-40-3-1, layer3 40-16-80-3-2 / 80-8-80-3-1, layer4 80-8-160-3-2 /
 * 160-4-160-3-1, and the three projection shortcuts 20-32-40-1-2, 40-16-80-1-2, 80-8-160-1-2.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar
 * ConvBench -p path=cpuconv,im2col} (the naive path takes about a second per call at the large
 * shapes). Add {@code -prof arm.bench.CpuTimeProfiler} on a shared machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({
        "3-32-20-3-1",
        "20-32-20-3-1",
        "20-32-40-3-2",
        "40-16-40-3-1",
        "20-32-40-1-2",
        "40-16-80-3-2",
        "80-8-80-3-1",
        "80-8-160-3-2",
        "160-4-160-3-1",
        "40-16-80-1-2",
        "80-8-160-1-2"
    })
    public String shape;

    /** cpuconv: the production dispatch; im2col and naive: those kernels for every shape. */
    @Param({"cpuconv", "im2col", "naive"})
    public String path;

    @Param({"forward", "backwardInput", "backwardWeight"})
    public String op;

    @Param("100")
    public int n;

    private ConvShape g;
    private float[] x, w, y;

    @Setup
    public void setup() {
        String[] p = shape.split("-");
        int ci = Integer.parseInt(p[0]), hw = Integer.parseInt(p[1]), co = Integer.parseInt(p[2]);
        int k = Integer.parseInt(p[3]), s = Integer.parseInt(p[4]);
        g = new ConvShape(n, ci, hw, hw, co, k, k, s, k / 2);
        SplittableRandom r = new SplittableRandom(1);
        x = random(r, n * g.xImage());
        w = random(r, co * g.k);
        y = random(r, n * g.yImage());
        System.out.println(
                "# conv "
                        + g
                        + ", "
                        + 2.0 * n * co * g.k * g.p / 1e6
                        + " MFLOP per call; CpuConv: "
                        + CpuConv.path());
    }

    static float[] random(SplittableRandom r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @Benchmark
    public void conv(Blackhole bh) {
        boolean naive = path.equals("naive");
        if (path.equals("cpuconv")) {
            switch (op) {
                case "forward" ->
                        CpuConv.forward(
                                x, w, y, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
                case "backwardInput" ->
                        CpuConv.backwardInput(
                                y, w, x, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
                default ->
                        CpuConv.backwardWeight(
                                x, y, w, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
            }
            bh.consume(y);
            bh.consume(x);
            bh.consume(w);
            return;
        }
        switch (op) {
            case "forward" -> {
                if (naive)
                    ConvRef.forward(
                            x, w, y, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
                else ConvIm2col.forward(x, w, y, g);
                bh.consume(y);
            }
            case "backwardInput" -> {
                if (naive)
                    ConvRef.backwardInput(
                            y, w, x, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
                else ConvIm2col.backwardInput(y, w, x, g);
                bh.consume(x);
            }
            default -> {
                if (naive)
                    ConvRef.backwardWeight(
                            x, y, w, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
                else ConvIm2col.backwardWeight(x, y, w, g);
                bh.consume(w);
            }
        }
    }
}
