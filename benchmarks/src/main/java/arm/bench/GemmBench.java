package arm.bench;

import arm.kernels.cpu.CpuGemm;
import dev.ludovic.netlib.blas.BLAS;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * SGEMM C = op(A)·op(B) at the shapes our networks run, one call per operation, single thread.
 *
 * <p>Shapes are "MxKxN:ab", a/b = n or t telling whether A/B are stored transposed, as the autograd
 * MatMul issues them: MLP 784-400-400-10 layer 1 with batch 10 (forward x·Wᵀ 10x784x400:nt, input
 * gradient dY·W 10x400x784:nn, weight gradient dYᵀ·X 400x10x784:tn with K = 10), batches 100 and
 * 1000 for evaluation, and the ResNet18 (nf = 20) im2col GEMMs of a 100-image 32×32 batch (W·cols,
 * stages 1, 3, 4). Paths: our three (naive, blocked, simd; see {@link CpuGemm}) and two outside
 * yardsticks, EJML and dev.ludovic.netlib (which names the implementation it picked in the output).
 * The naive loops run only on the small shapes ({@link Naive}); on the ResNet shapes they take
 * seconds per call.
 *
 * <p>GFLOP/s = 2·M·K·N / score. How to run:
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar GemmBench                  # everything (~7 min)
 * java -jar benchmarks/target/benchmarks.jar GemmBench -p path=simd -f 1 -wi 3 -i 5 -w 1s -r 1s
 * benchmarks/gemm-vs-openblas.sh                                          # ours vs numpy/OpenBLAS
 * </pre>
 *
 * Forks get --add-modules jdk.incubator.vector; run with JDK 25 for the fast Vector API. One thread
 * unless {@code -p threads=1,2} asks for a split over the kernel threads (GEMMs of ≥ 4·10⁶
 * multiply-adds; -Darm.threads, default every core, sizes the pool).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class GemmBench {
    @Param({
        "10x784x400:nt",
        "400x10x784:tn",
        "10x400x784:nn",
        "100x784x400:nt",
        "1000x784x400:nt",
        "20x180x102400:nn",
        "80x720x6400:nn",
        "160x1440x1600:nn"
    })
    public String shape;

    @Param({"blocked", "simd", "ejml", "netlib"})
    public String path;

    /**
     * Parts our paths split a GEMM into ({@link CpuGemm#sgemmSplit}), run by the kernel threads
     * (the caller and -Darm.threads − 1 workers, default every core); 1 = single-threaded.
     */
    @Param({"1"})
    public int threads;

    Problem p;

    @Setup(Level.Trial)
    public void setup() {
        p = new Problem(shape, path);
        p.threads = threads;
    }

    @Benchmark
    public float[] gemm() {
        return p.run();
    }

    /** The naive reference loops, on the shapes where one call takes milliseconds, not seconds. */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(
            value = 1,
            jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
    @State(Scope.Thread)
    public static class Naive {
        @Param({"10x784x400:nt", "400x10x784:tn", "10x400x784:nn", "100x784x400:nt"})
        public String shape;

        Problem p;

        @Setup(Level.Trial)
        public void setup() {
            p = new Problem(shape, "naive");
        }

        @Benchmark
        public float[] gemm() {
            return p.run();
        }
    }

    /** One GEMM problem: operands from a fixed seed, and the call for the chosen path. */
    static final class Problem {
        final int m, k, n;
        final boolean ta, tb;
        final String path;
        final float[] a, b, c;
        final FMatrixRMaj ea, eb, ec;
        final BLAS netlib;
        int threads = 1;

        Problem(String shape, String path) {
            String[] mkn = shape.substring(0, shape.indexOf(':')).split("x");
            m = Integer.parseInt(mkn[0]);
            k = Integer.parseInt(mkn[1]);
            n = Integer.parseInt(mkn[2]);
            ta = shape.charAt(shape.length() - 2) == 't';
            tb = shape.charAt(shape.length() - 1) == 't';
            this.path = path;
            a = random(m * k, 1);
            b = random(k * n, 2);
            c = new float[m * n];
            ea = FMatrixRMaj.wrap(ta ? k : m, ta ? m : k, a);
            eb = FMatrixRMaj.wrap(tb ? n : k, tb ? k : n, b);
            ec = FMatrixRMaj.wrap(m, n, c);
            netlib = path.equals("netlib") ? BLAS.getInstance() : null;
            String impl =
                    switch (path) {
                        case "naive" -> CpuGemm.describe(CpuGemm.Path.NAIVE);
                        case "blocked" -> CpuGemm.describe(CpuGemm.Path.BLOCKED);
                        case "simd" -> CpuGemm.describe(CpuGemm.Path.SIMD);
                        case "ejml" -> "EJML CommonOps_FDRM";
                        case "netlib" -> "dev.ludovic.netlib " + netlib.getClass().getName();
                        default -> throw new IllegalArgumentException("unknown path " + path);
                    };
            System.out.println(
                    "# gemm " + shape + " path: " + impl + ", java " + Runtime.version());
        }

        float[] run() {
            switch (path) {
                case "naive" -> ours(CpuGemm.Path.NAIVE);
                case "blocked" -> ours(CpuGemm.Path.BLOCKED);
                case "simd" -> ours(CpuGemm.Path.SIMD);
                case "ejml" -> {
                    if (!ta && !tb) CommonOps_FDRM.mult(ea, eb, ec);
                    else if (ta && !tb) CommonOps_FDRM.multTransA(ea, eb, ec);
                    else if (!ta) CommonOps_FDRM.multTransB(ea, eb, ec);
                    else CommonOps_FDRM.multTransAB(ea, eb, ec);
                }
                default -> // column-major BLAS: row-major C = op(A)·op(B) is column-major Cᵀ =
                        // op(B)ᵀ·op(A)ᵀ
                        netlib.sgemm(
                                tb ? "T" : "N",
                                ta ? "T" : "N",
                                n,
                                m,
                                k,
                                1f,
                                b,
                                0,
                                tb ? k : n,
                                a,
                                0,
                                ta ? m : k,
                                0f,
                                c,
                                0,
                                n);
            }
            return c;
        }

        private void ours(CpuGemm.Path which) {
            CpuGemm.sgemmSplit(
                    which,
                    threads,
                    ta,
                    tb,
                    m,
                    n,
                    k,
                    1f,
                    a,
                    0,
                    ta ? m : k,
                    b,
                    0,
                    tb ? k : n,
                    0f,
                    c,
                    0,
                    n);
        }

        static float[] random(int size, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] x = new float[size];
            for (int i = 0; i < size; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
            return x;
        }
    }
}
