package arm.kernels.cpu;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.simd.BatchNormPasses;
import arm.kernels.cpu.simd.BatchNormSimd;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses the batch-norm implementation ({@code -Darm.bn=naive|fast|simd}): {@link BatchNormRef}
 * (naive loops), {@link BatchNormFast} (scalar sums, four accumulators) or {@link BatchNormSimd}
 * (Vector API, 8 float lanes on every machine). Each has one forward and one backward taking {@link
 * BatchNormArrays}. With {@code -Darm.threads} &gt; 1 large tensors are split by channel (channels
 * are independent and each is summed by one thread in one order, so the bits do not depend on the
 * thread count).
 *
 * <p>The default is SIMD where the Vector API is present and the hardware has 256-bit vectors
 * (AVX2, AVX-512), fast otherwise, and on JDKs before 25 fast with AVX-512 as well ({@link
 * BatchNormSimd#pays}: there a second vector shape in the JVM slows every other kernel). Measured
 * side by side (thread CPU, AVX-512, {@code BatchNormTiming}) at every ResNet18 shape of the CIFAR
 * iteration, 100 replicated images or 10 counted ones, forward and backward, fused ReLU or not, the
 * SIMD kernel takes 0.18–0.99 of the fast kernel's time (0.98–0.99 only for the plain backward on
 * 4×4 planes).
 */
public final class CpuBatchNorm {
    private CpuBatchNorm() {}

    enum Path {
        NAIVE,
        FAST,
        SIMD
    }

    private static final boolean VECTOR_API = CpuGemm.active() == CpuGemm.Path.SIMD;

    /**
     * Whether the SIMD kernel runs on native vectors here and leaves the other kernels compiled
     * well (the default's condition, {@link BatchNormSimd#pays}).
     */
    private static final boolean WIDE = VECTOR_API && Simd.pays();

    private static volatile Path path = choose(System.getProperty("arm.bn"), VECTOR_API, WIDE);

    static Path choose(String forced, boolean simd, boolean wide) {
        return PathChoice.choose(
                "arm.bn", forced, Path.class, Path.SIMD, simd, wide ? Path.SIMD : Path.FAST);
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

    public static String path() {
        return path.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Runs body with the kernels of {@code -Darm.bn=name} instead of the configured ones, for every
     * thread, then restores them: for tests that compare two kernels' rounding on a whole model in
     * one JVM (DedupTest). Nothing else may run batch norms meanwhile.
     */
    public static <T> T using(String name, Supplier<T> body) {
        Path before = path;
        path = choose(name, VECTOR_API, WIDE);
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
        switch (path) {
            case NAIVE -> BatchNormRef.forward(a, x, relu, y);
            case FAST -> byChannel(a, (c0, c1) -> BatchNormFast.forward(a, x, relu, y, c0, c1));
            case SIMD -> byChannel(a, (c0, c1) -> Simd.forward(a, x, relu, y, c0, c1));
        }
    }

    /**
     * Eval mode: y = relu(BN(x) + r), r the residual [N, C, HW]; fused into one pass by the fast
     * and SIMD kernels, composed by the naive one (the same bits: BatchNormAddReluTest).
     */
    public static void forwardAddRelu(BatchNormArrays a, float[] x, float[] r, float[] y) {
        if (a.training()) throw new IllegalArgumentException("forwardAddRelu is eval-mode only");
        switch (path) {
            case NAIVE -> BatchNormRef.forwardAddRelu(a, x, r, y);
            case FAST -> byChannel(a, (c0, c1) -> BatchNormFast.forwardAddRelu(a, x, r, y, c0, c1));
            case SIMD -> byChannel(a, (c0, c1) -> Simd.forwardAddRelu(a, x, r, y, c0, c1));
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
        switch (path) {
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
        static boolean pays() {
            return BatchNormSimd.pays();
        }

        static BatchNormFast.Passes passes() {
            return BatchNormPasses.INSTANCE;
        }

        static void forward(BatchNormArrays a, float[] x, boolean relu, float[] y, int c0, int c1) {
            BatchNormSimd.forward(a, x, relu, y, c0, c1);
        }

        static void forwardAddRelu(
                BatchNormArrays a, float[] x, float[] r, float[] y, int c0, int c1) {
            BatchNormSimd.forwardAddRelu(a, x, r, y, c0, c1);
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
