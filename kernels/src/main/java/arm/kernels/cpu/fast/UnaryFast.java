package arm.kernels.cpu.fast;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Unary;

/**
 * Elementwise unary ops and their backward with the op chosen once per call, one plain loop per op;
 * the naive twin is {@link ElementwiseRef#unary} / {@link ElementwiseRef#unaryBackward}, which
 * dispatches on the op for every element (a switch in the loop, which C2 neither hoists nor
 * vectorises: ~1.5 ns per element against ~0.1 ns).
 *
 * <p>Shapes: x, y, dy, dx, out flat [n]. Each loop writes exactly the naive loop's expression for
 * its op ({@code apply} forward, {@code dy·derivative} backward), so the bits are the same; ops
 * without a loop here (POW, SIGMOID, SOFTPLUS: transcendental per element, so the dispatch is a
 * small part) return false and the caller takes the naive loop. ReLU has its own branch-free kernel
 * ({@link ReluFast}).
 */
public final class UnaryFast {
    private UnaryFast() {}

    /** out[i] = op(x[i]; alpha) for i &lt; n; false when op has no loop here. */
    public static boolean forward(Unary op, float[] x, float alpha, float[] out, int n) {
        switch (op) {
            case NEG:
                for (int i = 0; i < n; i++) out[i] = -x[i];
                return true;
            case EXP:
                for (int i = 0; i < n; i++) out[i] = (float) Math.exp(x[i]);
                return true;
            case LOG:
                for (int i = 0; i < n; i++) out[i] = (float) Math.log(x[i]);
                return true;
            case SQRT:
                for (int i = 0; i < n; i++) out[i] = (float) Math.sqrt(x[i]);
                return true;
            case CLAMP_MIN:
                for (int i = 0; i < n; i++) out[i] = x[i] < alpha ? alpha : x[i];
                return true;
            case CLAMP_MAX:
                for (int i = 0; i < n; i++) out[i] = x[i] > alpha ? alpha : x[i];
                return true;
            case SCALE:
                for (int i = 0; i < n; i++) out[i] = alpha * x[i];
                return true;
            case ADD_SCALAR:
                for (int i = 0; i < n; i++) out[i] = x[i] + alpha;
                return true;
            default:
                return false;
        }
    }

    /**
     * dx[i] = dy[i] · op'(x[i], y[i]; alpha) for i &lt; n (y = op(x)); false when op has no loop
     * here.
     */
    public static boolean backward(
            Unary op, float[] x, float[] y, float[] dy, float alpha, float[] dx, int n) {
        switch (op) {
            case NEG:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * -1f;
                return true;
            case EXP:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i];
                return true;
            case LOG:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * (1f / x[i]);
                return true;
            case SQRT:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * (0.5f / y[i]);
                return true;
            case CLAMP_MIN:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * (x[i] < alpha ? 0f : 1f);
                return true;
            case CLAMP_MAX:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > alpha ? 0f : 1f);
                return true;
            case SCALE:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * alpha;
                return true;
            case ADD_SCALAR:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * 1f;
                return true;
            default:
                return false;
        }
    }
}
