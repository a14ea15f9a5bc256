package arm.kernels.cpu;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.simd.BatchNormPasses;
import arm.kernels.cpu.simd.BatchNormSimd;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses the batch-norm implementation ({@code -Darm.bn=naive|fast|simd|auto}): {@link
 * BatchNormRef} (naive loops), {@link BatchNormFast} (scalar sums, four accumulators) or {@link
 * BatchNormSimd} (Vector API). Each has one forward and one backward taking {@link
 * BatchNormArrays}. With {@code -Darm.threads} &gt; 1 large tensors are split by channel (channels
 * are independent and each is summed by one thread in one order, so the bits do not depend on the
 * thread count).
 *
 * <p>The default ({@code auto}, where the Vector API is present; {@code fast} otherwise) picks by
 * the plane, the H·W values of one (sample, channel): SIMD from {@link #SIMD_MIN_PLANE} values on,
 * fast below. Measured side by side (thread CPU, AVX-512, {@code BatchNormTiming}): at ResNet18's
 * 1,024-, 256- and 64-value planes the SIMD kernel takes 0.23–0.89 of the fast kernel's time
 * (forward and backward, fused ReLU or not, N = 100 replicated or N = 10 counted); at 16 values
 * (4×4, layer4) its vectors are mostly tail and it takes 1.0–2.3×. The choice depends on the shape
 * only, so forward and backward of a layer use the same kernel and a run's bits depend on its
 * shapes, never on timing. {@code fast} or {@code simd} forces one kernel for every shape.
 */
public final class CpuBatchNorm {
    private CpuBatchNorm() {}

    enum Path {
        NAIVE,
        FAST,
        SIMD,
        AUTO
    }

    /** The smallest plane (H·W values) on which {@code auto} runs the SIMD kernel. */
    static final int SIMD_MIN_PLANE = 64;

    private static final boolean VECTOR_API = CpuGemm.active() == CpuGemm.Path.SIMD;

    private static volatile Path path = choose(System.getProperty("arm.bn"), VECTOR_API);

    static Path choose(String forced, boolean simd) {
        Path p =
                PathChoice.choose(
                        "arm.bn",
                        forced,
                        Path.class,
                        Path.SIMD,
                        simd,
                        simd ? Path.AUTO : Path.FAST);
        return p == Path.AUTO && !simd ? Path.FAST : p;
    }

    /** The kernel that runs planes of hw values on path p. */
    static Path kernel(Path p, int hw) {
        return p != Path.AUTO ? p : hw >= SIMD_MIN_PLANE ? Path.SIMD : Path.FAST;
    }

    /**
     * The fast kernel's backward passes: on the Vector API where it is present (the same bits as
     * the scalar passes, {@code BatchNormPassesTest}; its dx pass runs about twice as fast), or
     * scalar with {@code -Darm.bn.passes=scalar}.
     */
    private static final BatchNormFast.Passes FAST_PASSES =
            !"scalar".equals(System.getProperty("arm.bn.passes")) && VECTOR_API
                    ? Simd.passes()
                    : BatchNormFast.SCALAR;

    /** e.g. "auto (simd from 64 values per plane, fast below)", or the forced kernel. */
    public static String path() {
        Path p = path;
        return p == Path.AUTO
                ? "auto (simd from " + SIMD_MIN_PLANE + " values per plane, fast below)"
                : p.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Runs body with the kernels of {@code -Darm.bn=name} instead of the configured ones, for every
     * thread, then restores them: for tests that compare two kernels' rounding on a whole model in
     * one JVM (DedupTest). Nothing else may run batch norms meanwhile.
     */
    public static <T> T using(String name, Supplier<T> body) {
        Path before = path;
        path = choose(name, VECTOR_API);
        try {
            return body.get();
        } finally {
            path = before;
        }
    }

    /** Elements from which a batch norm is split across threads. */
    static final int PARALLEL_MIN = 1 << 16;

    /** The kernel on channels [c0, c1), as a view of the full tensors. */
    private interface Channels {
        void run(int c0, int c1);
    }

    private static void byChannel(BatchNormArrays a, Channels body) {
        int c = a.c();
        int parts = (long) a.n() * c * a.hw() < PARALLEL_MIN ? 1 : CpuThreads.parts(c);
        CpuThreads.run(parts, p -> body.run(c * p / parts, c * (p + 1) / parts));
    }

    /** y = BN(x), or relu(BN(x)); see {@link BatchNormArrays} for training and eval. */
    public static void forward(BatchNormArrays a, float[] x, boolean relu, float[] y) {
        switch (kernel(path, a.hw())) {
            case NAIVE -> BatchNormRef.forward(a, x, relu, y);
            case FAST -> byChannel(a, (c0, c1) -> BatchNormFast.forward(a, x, relu, y, c0, c1));
            case SIMD -> byChannel(a, (c0, c1) -> Simd.forward(a, x, relu, y, c0, c1));
        }
    }

    /** The backward of a forward; reluOut is the fused ReLU's output or null. */
    public static void backward(
            BatchNormArrays a,
            float[] x,
            float[] reluOut,
            float[] dy,
            float[] dx,
            float[] dGamma,
            float[] dBeta) {
        switch (kernel(path, a.hw())) {
            case NAIVE -> BatchNormRef.backward(a, x, reluOut, dy, dx, dGamma, dBeta);
            case FAST ->
                    byChannel(
                            a,
                            (c0, c1) ->
                                    BatchNormFast.backward(
                                            a,
                                            x,
                                            reluOut,
                                            dy,
                                            dx,
                                            dGamma,
                                            dBeta,
                                            c0,
                                            c1,
                                            FAST_PASSES));
            case SIMD ->
                    byChannel(
                            a,
                            (c0, c1) ->
                                    Simd.backward(a, x, reluOut, dy, dx, dGamma, dBeta, c0, c1));
        }
    }

    /** Holder: the only place that names the Vector API kernels; loaded on the first SIMD use. */
    private static final class Simd {
        static BatchNormFast.Passes passes() {
            return BatchNormPasses.INSTANCE;
        }

        static void forward(BatchNormArrays a, float[] x, boolean relu, float[] y, int c0, int c1) {
            BatchNormSimd.forward(a, x, relu, y, c0, c1);
        }

        static void backward(
                BatchNormArrays a,
                float[] x,
                float[] reluOut,
                float[] dy,
                float[] dx,
                float[] dGamma,
                float[] dBeta,
                int c0,
                int c1) {
            BatchNormSimd.backward(a, x, reluOut, dy, dx, dGamma, dBeta, c0, c1);
        }
    }
}
