package arm.autograd;

import java.util.function.DoubleBinaryOperator;

/**
 * Double-precision reference forwards for the gradient checks, written from the definitions (a flat
 * index is decoded into a multi-index and re-encoded), independently of the kernels' stride walks.
 */
final class Ref64 {
    private Ref64() {}

    static int numel(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The multi-index of flat position i in a row-major tensor of the given shape. */
    static int[] unravel(int i, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return idx;
    }

    static int ravel(int[] idx, int[] shape) {
        int i = 0;
        for (int d = 0; d < shape.length; d++) i = i * shape[d] + idx[d];
        return i;
    }

    /**
     * The flat position in x (right-aligned, size-1 dims stretched) read for out multi-index oi.
     */
    static int source(int[] oi, int[] xShape) {
        int off = oi.length - xShape.length;
        int[] xi = new int[xShape.length];
        for (int d = 0; d < xShape.length; d++) xi[d] = xShape[d] == 1 ? 0 : oi[d + off];
        return ravel(xi, xShape);
    }

    static double[] broadcast(
            double[] a, int[] as, double[] b, int[] bs, int[] out, DoubleBinaryOperator f) {
        double[] y = new double[numel(out)];
        for (int i = 0; i < y.length; i++) {
            int[] oi = unravel(i, out);
            y[i] = f.applyAsDouble(a[source(oi, as)], b[source(oi, bs)]);
        }
        return y;
    }

    /** Σ of x into the (right-aligned, keep-dim) shape out. */
    static double[] sumTo(double[] x, int[] xs, int[] out) {
        double[] y = new double[numel(out)];
        for (int i = 0; i < x.length; i++) y[source(unravel(i, xs), out)] += x[i];
        return y;
    }

    static double[] permute(double[] x, int[] xs, int[] perm) {
        int[] ys = new int[perm.length];
        for (int d = 0; d < perm.length; d++) ys[d] = xs[perm[d]];
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            int[] yi = unravel(i, ys), xi = new int[xs.length];
            for (int d = 0; d < perm.length; d++) xi[perm[d]] = yi[d];
            y[i] = x[ravel(xi, xs)];
        }
        return y;
    }

    /** Row-wise softmax (log = false) or log-softmax (log = true) over rows of length c. */
    static double[] softmax(double[] x, int c, boolean log) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / c; r++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int j = 0; j < c; j++) max = Math.max(max, x[r * c + j]);
            for (int j = 0; j < c; j++) z += Math.exp(x[r * c + j] - max);
            for (int j = 0; j < c; j++) {
                double v = x[r * c + j] - max - Math.log(z);
                y[r * c + j] = log ? v : Math.exp(v);
            }
        }
        return y;
    }

    static double[] matmul(double[] a, double[] b, int m, int k, int n) {
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) y[i * n + j] += a[i * k + p] * b[p * n + j];
        return y;
    }
}
