package arm.kernels.cpu.fast;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Binary;
import java.util.Arrays;

/**
 * Broadcasting binary ops and sum-reductions as two nested loops instead of the general strided
 * walk of {@link arm.kernels.cpu.ref.ElementwiseRef} (its naive twin).
 *
 * <p>Shapes: out [d0 .. d(r−1)] is cut at an axis k into R = d0·…·d(k−1) rows and C = dk·…·d(r−1)
 * columns. An operand fits the cut when, right-aligned to out, its dimensions before k all equal
 * out's or are all 1, and likewise after k (dimensions where out is 1 fit either way). It is then
 * read with a row stride (C, 1 or 0) and a column stride (1 or 0): full [R, C], a bias row [C], a
 * per-row column [R, 1], or a scalar. This covers every broadcast the networks and losses make
 * (x·Wᵀ + b, per-row softmax terms, scalar gradients broadcast back); anything else returns false
 * and the caller takes the general walk.
 *
 * <p>Sums accumulate in double and add the elements of each output in increasing index order, the
 * same order as the general walk, so both give the same bits.
 */
public final class BroadcastFast {
    private BroadcastFast() {}

    /** out = a op b with broadcasting; false when the shapes do not fit one R×C cut. */
    public static boolean binary(
            Binary op,
            float[] a,
            int[] aShape,
            float[] b,
            int[] bShape,
            float[] out,
            int[] outShape) {
        int r = outShape.length;
        for (int k = 0; k <= r; k++) {
            int ka = kind(aShape, outShape, k), kb = kind(bShape, outShape, k);
            if (ka < 0 || kb < 0) continue;
            int rows = prod(outShape, 0, k), cols = prod(outShape, k, r);
            int aRow = rowStride(ka, cols),
                    aCol = ka & 1,
                    bRow = rowStride(kb, cols),
                    bCol = kb & 1;
            for (int i = 0; i < rows; i++) {
                segment(op, a, i * aRow, aCol, b, i * bRow, bCol, out, i * cols, cols);
            }
            return true;
        }
        return false;
    }

    /**
     * out (a reduction of x's shape) = Σ of x over the broadcast axes; false when no R×C cut fits.
     */
    public static boolean sumTo(float[] x, int[] xShape, float[] out, int[] outShape) {
        int r = xShape.length;
        for (int k = 0; k <= r; k++) {
            int ko = kind(outShape, xShape, k);
            if (ko < 0) continue;
            int rows = prod(xShape, 0, k), cols = prod(xShape, k, r);
            boolean keepRows = (ko & 2) != 0, keepCols = (ko & 1) != 0;
            double[] acc = new double[(keepRows ? rows : 1) * (keepCols ? cols : 1)];
            for (int i = 0; i < rows; i++) {
                int o = keepRows ? i * (keepCols ? cols : 1) : 0, xi = i * cols;
                if (keepCols) {
                    for (int j = 0; j < cols; j++) acc[o + j] += x[xi + j];
                } else {
                    double s = acc[o];
                    for (int j = 0; j < cols; j++) s += x[xi + j];
                    acc[o] = s;
                }
            }
            for (int i = 0; i < acc.length; i++) out[i] = (float) acc[i];
            return true;
        }
        return false;
    }

    /**
     * How operand {@code s} fits the cut at k of {@code out}: bit 1 = its rows are full (else 1),
     * bit 0 = its columns are full (else 1); −1 when one side mixes full and 1 dimensions.
     */
    static int kind(int[] s, int[] out, int k) {
        int lead = side(s, out, 0, k), trail = side(s, out, k, out.length);
        if (lead < 0 || trail < 0) return -1;
        return (lead << 1) | trail;
    }

    /** 1 when s equals out on axes [from, to), 0 when s is 1 there, −1 when mixed. */
    private static int side(int[] s, int[] out, int from, int to) {
        boolean full = true, ones = true;
        int off = out.length - s.length;
        for (int d = from; d < to; d++) {
            int sd = d < off ? 1 : s[d - off];
            if (out[d] == 1) continue;
            if (sd != out[d]) full = false;
            if (sd != 1) ones = false;
        }
        return full ? 1 : ones ? 0 : -1;
    }

    private static int rowStride(int kind, int cols) {
        return (kind & 2) == 0 ? 0 : (kind & 1) == 0 ? 1 : cols;
    }

    private static int prod(int[] s, int from, int to) {
        int p = 1;
        for (int d = from; d < to; d++) p *= s[d];
        return p;
    }

    /**
     * o[oi + j] = x[xi + j·xs] op y[yi + j·ys] for j &lt; n (strides 0 or 1). One loop per stride
     * pair and op, so that each is a plain counted loop C2 can vectorise.
     */
    static void segment(
            Binary op,
            float[] x,
            int xi,
            int xs,
            float[] y,
            int yi,
            int ys,
            float[] o,
            int oi,
            int n) {
        if (xs == 1 && ys == 1) {
            switch (op) {
                case ADD:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] + y[yi + j];
                    return;
                case SUB:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] - y[yi + j];
                    return;
                case MUL:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] * y[yi + j];
                    return;
                case DIV:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] / y[yi + j];
                    return;
                default:
                    throw new AssertionError(op);
            }
        } else if (xs == 1) {
            float v = y[yi];
            switch (op) {
                case ADD:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] + v;
                    return;
                case SUB:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] - v;
                    return;
                case MUL:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] * v;
                    return;
                case DIV:
                    for (int j = 0; j < n; j++) o[oi + j] = x[xi + j] / v;
                    return;
                default:
                    throw new AssertionError(op);
            }
        } else if (ys == 1) {
            float u = x[xi];
            switch (op) {
                case ADD:
                    for (int j = 0; j < n; j++) o[oi + j] = u + y[yi + j];
                    return;
                case SUB:
                    for (int j = 0; j < n; j++) o[oi + j] = u - y[yi + j];
                    return;
                case MUL:
                    for (int j = 0; j < n; j++) o[oi + j] = u * y[yi + j];
                    return;
                case DIV:
                    for (int j = 0; j < n; j++) o[oi + j] = u / y[yi + j];
                    return;
                default:
                    throw new AssertionError(op);
            }
        } else {
            Arrays.fill(o, oi, oi + n, ElementwiseRef.apply(op, x[xi], y[yi]));
        }
    }
}
