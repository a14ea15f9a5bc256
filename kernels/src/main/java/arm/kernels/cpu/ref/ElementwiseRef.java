package arm.kernels.cpu.ref;

import arm.tensor.Binary;
import arm.tensor.Shape;
import arm.tensor.Unary;

/**
 * Naive elementwise, broadcasting, reduction, softmax and layout loops on host arrays (offset 0,
 * contiguous). Each formula is written next to its derivative.
 */
public final class ElementwiseRef {
    private ElementwiseRef() {}

    /** Above it softplus returns x (and passes dy through), as torch.nn.Softplus does. */
    public static final float SOFTPLUS_THRESHOLD = 20f;

    /** σ(x) in double, without overflow for either sign of x. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** out[i] = op(x[i]; alpha). */
    public static void unary(Unary op, float[] x, float alpha, float[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = apply(op, x[i], alpha);
    }

    public static float apply(Unary op, float x, float alpha) {
        switch (op) {
            case NEG:
                return -x;
            case EXP:
                return (float) Math.exp(x);
            case LOG:
                return (float) Math.log(x);
            case SQRT:
                return (float) Math.sqrt(x);
            case POW:
                return (float) Math.pow(x, alpha);
            case RELU:
                return x > 0f ? x : 0f;
            case CLAMP_MIN:
                return x < alpha ? alpha : x;
            case SCALE:
                return alpha * x;
            case ADD_SCALAR:
                return x + alpha;
            case SIGMOID:
                return (float) sigmoid(x);
            case SOFTPLUS: // log1p keeps ln(1 + eˣ) exact for very negative x
                return x > SOFTPLUS_THRESHOLD ? x : (float) Math.log1p(Math.exp(x));
            case CLAMP_MAX:
                return x > alpha ? alpha : x;
            default:
                throw new AssertionError(op);
        }
    }

    /** d op(x) / dx, given x and y = op(x). */
    public static float derivative(Unary op, float x, float y, float alpha) {
        switch (op) {
            case NEG:
                return -1f;
            case EXP:
                return y; // d e^x = e^x
            case LOG:
                return 1f / x; // d ln x = 1/x
            case SQRT:
                return 0.5f / y; // d √x = 1/(2√x)
            case POW:
                return alpha * (float) Math.pow(x, alpha - 1); // d x^a = a·x^(a−1)
            case RELU:
                return x > 0f ? 1f : 0f;
            case CLAMP_MIN:
                return x < alpha ? 0f : 1f; // clamped entries get no gradient
            case SCALE:
                return alpha;
            case ADD_SCALAR:
                return 1f;
            case SIGMOID:
                return y * (1f - y); // σ' = σ·(1 − σ)
            case SOFTPLUS:
                return x > SOFTPLUS_THRESHOLD ? 1f : (float) sigmoid(x); // d ln(1 + eˣ) = σ(x)
            case CLAMP_MAX:
                return x > alpha ? 0f : 1f; // clamped entries get no gradient
            default:
                throw new AssertionError(op);
        }
    }

    public static void unaryBackward(
            Unary op, float[] x, float[] y, float[] dy, float alpha, float[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] = dy[i] * derivative(op, x[i], y[i], alpha);
    }

    public static float apply(Binary op, float a, float b) {
        switch (op) {
            case ADD:
                return a + b;
            case SUB:
                return a - b;
            case MUL:
                return a * b;
            case DIV:
                return a / b;
            default:
                throw new AssertionError(op);
        }
    }

    /** out = a op b, a and b broadcast to outShape (general strided walk). */
    public static void binary(
            Binary op,
            float[] a,
            int[] aShape,
            float[] b,
            int[] bShape,
            float[] out,
            int[] outShape) {
        int[] as = Shape.broadcastStrides(aShape, outShape),
                bs = Shape.broadcastStrides(bShape, outShape);
        int n = Shape.numel(outShape), r = outShape.length;
        int[] idx = new int[r];
        int ai = 0, bi = 0;
        for (int i = 0; i < n; i++) {
            out[i] = apply(op, a[ai], b[bi]);
            for (int d = r - 1; d >= 0; d--) { // odometer increment
                idx[d]++;
                ai += as[d];
                bi += bs[d];
                if (idx[d] < outShape[d]) break;
                ai -= as[d] * idx[d];
                bi -= bs[d] * idx[d];
                idx[d] = 0;
            }
        }
    }

    /** out (broadcastable to xShape) = Σ of x over the broadcast dimensions. */
    public static void sumTo(float[] x, int[] xShape, float[] out, int[] outShape) {
        int[] os = Shape.broadcastStrides(outShape, xShape);
        int n = Shape.numel(xShape), r = xShape.length;
        double[] acc = new double[Shape.numel(outShape)];
        int[] idx = new int[r];
        int oi = 0;
        for (int i = 0; i < n; i++) {
            acc[oi] += x[i];
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                oi += os[d];
                if (idx[d] < xShape[d]) break;
                oi -= os[d] * idx[d];
                idx[d] = 0;
            }
        }
        for (int i = 0; i < acc.length; i++) out[i] = (float) acc[i];
    }

    /** Stable softmax / log-softmax over rows of length c: subtract the row max first. */
    public static void softmax(float[] x, boolean log, float[] out, int rows, int c) {
        for (int r = 0; r < rows; r++) {
            int o = r * c;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) max = Math.max(max, x[o + j]);
            double sum = 0;
            for (int j = 0; j < c; j++) sum += Math.exp(x[o + j] - max);
            if (log) {
                float lse = (float) Math.log(sum);
                for (int j = 0; j < c; j++) out[o + j] = x[o + j] - max - lse;
            } else {
                for (int j = 0; j < c; j++) out[o + j] = (float) (Math.exp(x[o + j] - max) / sum);
            }
        }
    }

    /** softmax: dx = y⊙(dy − ⟨dy, y⟩); log-softmax: dx = dy − e^y·Σdy. */
    public static void softmaxBackward(
            float[] y, float[] dy, boolean log, float[] dx, int rows, int c) {
        for (int r = 0; r < rows; r++) {
            int o = r * c;
            double s = 0;
            if (log) {
                for (int j = 0; j < c; j++) s += dy[o + j];
                for (int j = 0; j < c; j++)
                    dx[o + j] = (float) (dy[o + j] - Math.exp(y[o + j]) * s);
            } else {
                for (int j = 0; j < c; j++) s += dy[o + j] * y[o + j];
                for (int j = 0; j < c; j++) dx[o + j] = (float) (y[o + j] * (dy[o + j] - s));
            }
        }
    }

    public static void maxLastAxis(float[] x, float[] values, int[] argmax, int rows, int c) {
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int j = 1; j < c; j++) if (x[r * c + j] > x[r * c + best]) best = j;
            if (values != null) values[r] = x[r * c + best];
            if (argmax != null) argmax[r] = best;
        }
    }

    /** out[i] = x[perm-ordered index]: out.shape[d] = xShape[perm[d]]. */
    public static void permute(float[] x, int[] xShape, int[] perm, float[] out) {
        int r = xShape.length;
        int[] xs = Shape.strides(xShape);
        int[] outShape = new int[r], step = new int[r];
        for (int d = 0; d < r; d++) {
            outShape[d] = xShape[perm[d]];
            step[d] = xs[perm[d]];
        }
        int n = Shape.numel(xShape);
        int[] idx = new int[r];
        int xi = 0;
        for (int i = 0; i < n; i++) {
            out[i] = x[xi];
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                xi += step[d];
                if (idx[d] < outShape[d]) break;
                xi -= step[d] * idx[d];
                idx[d] = 0;
            }
        }
    }

    /** Copies a block of `length` along `axis` from src (starting srcStart) into dst (dstStart). */
    public static void copyAlongAxis(
            float[] src,
            int[] srcShape,
            int axis,
            int srcStart,
            float[] dst,
            int[] dstShape,
            int dstStart,
            int length) {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= srcShape[d];
        for (int d = axis + 1; d < srcShape.length; d++) inner *= srcShape[d];
        int sa = srcShape[axis], da = dstShape[axis];
        for (int o = 0; o < outer; o++)
            System.arraycopy(
                    src,
                    (o * sa + srcStart) * inner,
                    dst,
                    (o * da + dstStart) * inner,
                    length * inner);
    }
}
