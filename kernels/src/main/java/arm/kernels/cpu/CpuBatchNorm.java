package arm.kernels.cpu;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.ref.BatchNormRef;
import arm.kernels.cpu.simd.BatchNormSimd;

/**
 * Chooses the batch-norm implementation once, at class load ({@code -Darm.bn=naive|fast|simd}):
 * {@link BatchNormRef} (naive loops), {@link BatchNormFast} (scalar, four accumulators) or {@link
 * BatchNormSimd} (Vector API, opt-in; ~0.8 s faster per CIFAR ARM iteration; default fast). Shapes:
 * x [N, C, HW], statistics [C]. With {@code -Darm.threads} &gt; 1 large tensors are split by
 * channel (channels are independent, so the bits do not depend on the thread count).
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
        // SIMD is opt-in: its rounding differs from the scalar kernel's, and DedupTest's
        // step-by-step
        // bound (dedup vs replicated within a 1e-6 weight bump's spread) then fails at step 2 of
        // 10,
        // where the chaotic refinement jumps earlier (docs/BENCHMARKS.md, "Kernels for the faithful
        // iteration")
        if (forced == null || forced.isBlank()) return Path.FAST;
        Path p;
        try {
            p = Path.valueOf(forced.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "-Darm.bn=" + forced + ": expected naive, fast or simd", e);
        }
        if (p == Path.SIMD && !simd)
            throw new IllegalStateException(
                    "-Darm.bn=simd needs the Vector API (--add-modules jdk.incubator.vector)");
        return p;
    }

    private static final boolean NAIVE = PATH == Path.NAIVE;

    public static String path() {
        return PATH.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Elements from which a batch norm is split across threads. */
    static final int PARALLEL_MIN = 1 << 16;

    /** The kernel on channels [c0, c1), as a view of the full tensors. */
    private interface Channels {
        void run(int c0, int c1);
    }

    private static void byChannel(int n, int c, int hw, Channels body) {
        int parts = (long) n * c * hw < PARALLEL_MIN ? 1 : CpuThreads.parts(c);
        CpuThreads.run(parts, p -> body.run(c * p / parts, c * (p + 1) / parts));
    }

    public static void forwardTrain(
            float[] x,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw) {
        if (NAIVE) BatchNormRef.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw);
        else if (PATH == Path.SIMD)
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            Simd.forwardTrain(
                                    x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, false));
        else
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.forwardTrain(
                                    x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1));
    }

    public static void forwardEval(
            float[] x,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            float eps,
            float[] y,
            int n,
            int c,
            int hw) {
        if (NAIVE) BatchNormRef.forwardEval(x, gamma, beta, mean, var, eps, y, n, c, hw);
        else
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.forwardEval(
                                    x, gamma, beta, mean, var, eps, y, n, c, hw, c0, c1));
    }

    /** y = relu(BN(x)); the naive path composes BatchNormRef and the ReLU loop. */
    public static void forwardTrainRelu(
            float[] x,
            float[] gamma,
            float[] beta,
            float eps,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw) {
        if (PATH == Path.SIMD) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            Simd.forwardTrain(
                                    x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, true));
            return;
        }
        if (!NAIVE) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.forwardTrainRelu(
                                    x, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1));
            return;
        }
        BatchNormRef.forwardTrain(x, gamma, beta, eps, y, mean, var, n, c, hw);
        arm.kernels.cpu.ref.ElementwiseRef.unary(arm.tensor.Unary.RELU, y, 0f, y, n * c * hw);
    }

    /** Backward of {@link #forwardTrainRelu} from its output y. */
    public static void backwardRelu(
            float[] x,
            float[] y,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw) {
        if (PATH == Path.SIMD) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            Simd.backward(
                                    x, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw,
                                    c0, c1));
            return;
        }
        if (!NAIVE) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.backwardRelu(
                                    x, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw,
                                    c0, c1));
            return;
        }
        float[] dz = new float[n * c * hw];
        arm.kernels.cpu.ref.ElementwiseRef.unaryBackward(
                arm.tensor.Unary.RELU, y, y, dy, 0f, dz, dz.length);
        BatchNormRef.backward(x, dz, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw);
    }

    public static void backward(
            float[] x,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw) {
        if (NAIVE) BatchNormRef.backward(x, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw);
        else if (PATH == Path.SIMD)
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            Simd.backward(
                                    x, null, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw,
                                    c0, c1));
        else
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.backward(
                                    x, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0,
                                    c1));
    }

    /**
     * Counted forms (a batch of distinct samples with multiplicities counts [N]; see {@link
     * BatchNormRef}): y = BN(x), or relu(BN(x)) when relu.
     */
    public static void forwardTrainCounted(
            float[] x,
            int[] counts,
            float[] gamma,
            float[] beta,
            float eps,
            boolean relu,
            float[] y,
            float[] mean,
            float[] var,
            int n,
            int c,
            int hw) {
        if (NAIVE) {
            BatchNormRef.forwardTrain(x, counts, gamma, beta, eps, y, mean, var, n, c, hw);
            if (relu)
                arm.kernels.cpu.ref.ElementwiseRef.unary(
                        arm.tensor.Unary.RELU, y, 0f, y, n * c * hw);
        } else if (PATH == Path.SIMD) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            Simd.forwardTrainCounted(
                                    x, counts, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1,
                                    relu));
        } else if (relu) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.forwardTrainRelu(
                                    x, counts, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1));
        } else {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.forwardTrain(
                                    x, counts, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1));
        }
    }

    /** Backward of {@link #forwardTrainCounted}; reluOut is the fused ReLU's output or null. */
    public static void backwardCounted(
            float[] x,
            int[] counts,
            float[] reluOut,
            float[] dy,
            float[] gamma,
            float[] mean,
            float[] var,
            float eps,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int n,
            int c,
            int hw) {
        if (NAIVE) {
            float[] dz = dy;
            if (reluOut != null) {
                dz = new float[n * c * hw];
                arm.kernels.cpu.ref.ElementwiseRef.unaryBackward(
                        arm.tensor.Unary.RELU, reluOut, reluOut, dy, 0f, dz, dz.length);
            }
            BatchNormRef.backward(
                    x, counts, dz, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw);
        } else if (PATH == Path.SIMD) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            Simd.backwardCounted(
                                    x, counts, reluOut, dy, gamma, mean, var, eps, dx, dGamma,
                                    dBeta, n, c, hw, c0, c1));
        } else if (reluOut != null) {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.backwardRelu(
                                    x, counts, reluOut, dy, gamma, mean, var, eps, dx, dGamma,
                                    dBeta, n, c, hw, c0, c1));
        } else {
            byChannel(
                    n,
                    c,
                    hw,
                    (c0, c1) ->
                            BatchNormFast.backward(
                                    x, counts, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c,
                                    hw, c0, c1));
        }
    }

    /** Holder: the only place that names BatchNormSimd; loaded on the first SIMD call. */
    private static final class Simd {
        static void forwardTrainCounted(
                float[] x,
                int[] counts,
                float[] gamma,
                float[] beta,
                float eps,
                float[] y,
                float[] mean,
                float[] var,
                int n,
                int c,
                int hw,
                int c0,
                int c1,
                boolean relu) {
            BatchNormSimd.forwardTrain(
                    x, counts, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, relu);
        }

        static void backwardCounted(
                float[] x,
                int[] counts,
                float[] y,
                float[] dy,
                float[] gamma,
                float[] mean,
                float[] var,
                float eps,
                float[] dx,
                float[] dGamma,
                float[] dBeta,
                int n,
                int c,
                int hw,
                int c0,
                int c1) {
            BatchNormSimd.backward(
                    x, counts, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
        }

        static void forwardTrain(
                float[] x,
                float[] gamma,
                float[] beta,
                float eps,
                float[] y,
                float[] mean,
                float[] var,
                int n,
                int c,
                int hw,
                int c0,
                int c1,
                boolean relu) {
            BatchNormSimd.forwardTrain(
                    x, null, gamma, beta, eps, y, mean, var, n, c, hw, c0, c1, relu);
        }

        static void backward(
                float[] x,
                float[] y,
                float[] dy,
                float[] gamma,
                float[] mean,
                float[] var,
                float eps,
                float[] dx,
                float[] dGamma,
                float[] dBeta,
                int n,
                int c,
                int hw,
                int c0,
                int c1) {
            BatchNormSimd.backward(
                    x, null, y, dy, gamma, mean, var, eps, dx, dGamma, dBeta, n, c, hw, c0, c1);
        }
    }
}
