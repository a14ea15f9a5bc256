package arm.kernels.cpu;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormArrays;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.simd.BatchNormPasses;
import arm.kernels.cpu.simd.BatchNormSimd;
import java.util.Locale;

/**
 * Chooses the batch-norm implementation once, at class load ({@code -Darm.bn=naive|fast|simd}):
 * {@link BatchNormRef} (naive loops), {@link BatchNormFast} (scalar, four accumulators; the
 * default) or {@link BatchNormSimd} (Vector API, opt-in; ~0.8 s faster per CIFAR ARM iteration).
 * Each has one forward and one backward taking {@link BatchNormArrays}. With {@code -Darm.threads}
 * &gt; 1 large tensors are split by channel (channels are independent, so the bits do not depend on
 * the thread count).
 *
 * <p>SIMD is opt-in because its rounding differs from the scalar kernel's, and DedupTest's
 * step-by-step bound (dedup against replicated within a 1e-6 weight bump's spread) then fails at
 * step 2 of 10, where the chaotic refinement jumps earlier (docs/BENCHMARKS.md, "Batch norm").
 */
public final class CpuBatchNorm {
    private CpuBatchNorm() {}

    enum Path {
        NAIVE,
        FAST,
        SIMD
    }

    private static final Path PATH =
            choose(System.getProperty("arm.bn"), CpuGemm.active() == CpuGemm.Path.SIMD);

    static Path choose(String forced, boolean simd) {
        return PathChoice.choose("arm.bn", forced, Path.class, Path.SIMD, simd, Path.FAST);
    }

    /**
     * The fast kernel's backward passes: on the Vector API where it is present (the same bits as
     * the scalar passes, {@code BatchNormPassesTest}; its dx pass runs about twice as fast), or
     * scalar with {@code -Darm.bn.passes=scalar}.
     */
    private static final BatchNormFast.Passes FAST_PASSES =
            !"scalar".equals(System.getProperty("arm.bn.passes"))
                            && CpuGemm.active() == CpuGemm.Path.SIMD
                    ? Simd.passes()
                    : BatchNormFast.SCALAR;

    public static String path() {
        return PATH.name().toLowerCase(Locale.ROOT);
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
        switch (PATH) {
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
        switch (PATH) {
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
