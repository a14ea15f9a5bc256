package arm.tensor;

import java.util.Arrays;

/** Static helpers for int[] shapes (row-major, contiguous). */
public final class Shape {
    private Shape() {}

    public static int numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + str(shape));
            n *= d;
            if (n > Integer.MAX_VALUE)
                throw new IllegalArgumentException("too many elements: " + str(shape));
        }
        return (int) n;
    }

    /**
     * Output size along one axis of a convolution or pooling window: ⌊(in + 2·pad − k) / stride⌋ +
     * 1 (PyTorch's, no dilation; pooling has pad 0).
     */
    public static int convOut(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    /** The output size of a transposed convolution: (in − 1)·stride − 2·pad + k + outputPad. */
    public static int convTransposeOut(int in, int k, int stride, int pad, int outputPad) {
        return (in - 1) * stride - 2 * pad + k + outputPad;
    }

    /** Row-major strides of a contiguous tensor. */
    public static int[] strides(int... shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** NumPy broadcasting: aligns trailing dimensions; a dimension of 1 stretches. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(
                        "shapes " + str(a) + " and " + str(b) + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides for reading a tensor of shape {@code from} as if it had shape {@code to} (broadcast):
     * stretched dimensions get stride 0.
     */
    public static int[] broadcastStrides(int[] from, int[] to) {
        int[] s = new int[to.length];
        int[] fs = strides(from);
        int off = to.length - from.length;
        for (int i = 0; i < to.length; i++) {
            int j = i - off;
            s[i] = (j < 0 || from[j] == 1) ? 0 : fs[j];
        }
        return s;
    }

    public static boolean same(int[] a, int[] b) {
        return Arrays.equals(a, b);
    }

    public static String str(int... shape) {
        return Arrays.toString(shape);
    }
}
