package arm.kernels.cuda;

import java.util.List;

/**
 * Chooses a cuDNN convolution algorithm from cudnnGet*Algorithm_v7's ranked list (forward,
 * backward-data and backward-filter alike). Pure Java, so the rule is tested without a GPU.
 *
 * <p>The first candidate, in cuDNN's order, that ran ({@code status} 0), whose math type is allowed
 * (tensor-op math only with TF32 on), and, in deterministic mode, whose {@code determinism} field
 * is CUDNN_DETERMINISTIC (1). Deterministic mode ({@code -Darm.cuda.deterministic}, default true)
 * gives the same bits for the same seed on the same card; false lets cuDNN's fastest
 * (atomics-based) backward algorithms run.
 */
record AlgoPick(int algo, int status, int determinism, int mathType) {
    static final int CUDNN_DETERMINISTIC = 1;
    static final int CUDNN_TENSOR_OP_MATH = 1, CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2;

    /**
     * Whether the default is deterministic algorithms (it is, unless
     * -Darm.cuda.deterministic=false).
     */
    static boolean deterministicByDefault() {
        return !"false".equals(System.getProperty("arm.cuda.deterministic"));
    }

    boolean allowed(boolean tf32, boolean deterministic) {
        boolean tensorOps =
                mathType == CUDNN_TENSOR_OP_MATH
                        || mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
        return status == 0
                && (tf32 || !tensorOps)
                && (!deterministic || determinism == CUDNN_DETERMINISTIC);
    }

    /**
     * The algorithm to run for {@code what} (e.g. "backward-filter 100x20x32x32 k3"). Without a
     * deterministic candidate, deterministic mode refuses in one line; otherwise the first that ran
     * stands in.
     */
    static int choose(List<AlgoPick> ranked, boolean tf32, boolean deterministic, String what) {
        for (AlgoPick p : ranked) if (p.allowed(tf32, deterministic)) return p.algo;
        if (deterministic)
            throw new IllegalStateException(
                    "cuDNN offers no deterministic "
                            + what
                            + " algorithm"
                            + (tf32 ? "" : " in FP32 math")
                            + "; run with -Darm.cuda.deterministic=false");
        for (AlgoPick p : ranked) if (p.status == 0) return p.algo;
        if (ranked.isEmpty())
            throw new IllegalStateException("cuDNN offers no " + what + " algorithm");
        return ranked.get(0).algo;
    }
}
