package arm.tensor;

/**
 * The argument checks of the {@link Backend} primitives, shared by every backend so that CPU and
 * CUDA reject the same calls with the same messages. Each returns the sizes the kernel needs, or
 * nothing; each throws IllegalArgumentException (IndexOutOfBoundsException for indices) naming the
 * tensors. Device-specific limits (the CPU's offset-0 arrays, CUDA's maximum rank) stay in their
 * backend.
 */
public final class Checks {
    private Checks() {}

    /** a and b hold the same number of elements (elementwise ops, copies). */
    public static void sameNumel(Tensor a, Tensor b) {
        if (a.numel() != b.numel())
            throw new IllegalArgumentException(a + " and " + b + " differ in element count");
    }

    /**
     * Checks the arguments of {@link Backend#imagePrior} and gives its float factors {1/(M·D),
     * 1/(c(h−1)w), 1/(ch(w−1)), 2/M} (the TV ones 0 when l6 = 0), rounded as the composed terms of
     * the recall loss round them.
     */
    public static float[] imagePrior(Tensor x, int c, int h, int w, int[] counts, float l6) {
        int u = x.rank() == 0 ? 0 : x.shape[0], d = c * h * w;
        if (u == 0 || c <= 0 || h <= 0 || w <= 0 || x.numel() != (long) u * d)
            throw new IllegalArgumentException(
                    "image prior: " + x + " is not [U, " + c + "x" + h + "x" + w + "]");
        if (counts != null && counts.length != u)
            throw new IllegalArgumentException(
                    "image prior: " + counts.length + " counts for " + u + " images");
        if (l6 != 0 && (h < 2 || w < 2))
            throw new IllegalArgumentException(
                    "image prior: total variation needs h, w >= 2, got " + h + "x" + w);
        int m = 0;
        if (counts == null) m = u;
        else for (int k : counts) m += k;
        return new float[] {
            1f / ((float) m * d),
            l6 == 0 ? 0f : 1f / ((float) c * (h - 1) * w),
            l6 == 0 ? 0f : 1f / ((float) c * h * (w - 1)),
            2f / m
        };
    }

    /**
     * Checks the arguments of {@link Backend#logitTerms} and gives {M, C, −1/M, 1/(C·M), 1/M} as
     * floats, rounded as the composed terms of the recall loss round them (C·M a float product).
     */
    public static float[] logitTerms(
            Tensor a, Tensor b, int[] mask, int[] counts, LogitWeights w, Tensor colMean) {
        if (a.rank() != 2 || a.numel() == 0)
            throw new IllegalArgumentException("logit terms: a " + a + " is not [U, K]");
        int u = a.shape[0], k = a.shape[1];
        if (w.needsB() && (b == null || !Shape.same(a.shape, b.shape)))
            throw new IllegalArgumentException(
                    "logit terms: b " + b + " is not " + Shape.str(a.shape));
        if (mask == null || mask.length != k)
            throw new IllegalArgumentException(
                    "logit terms: a class mask of "
                            + (mask == null ? 0 : mask.length)
                            + " for "
                            + k
                            + " classes");
        if (counts != null && counts.length != u)
            throw new IllegalArgumentException(
                    "logit terms: " + counts.length + " counts for " + u + " rows");
        if (colMean != null && colMean.numel() != k)
            throw new IllegalArgumentException(
                    "logit terms: colMean " + colMean + " is not [" + k + "]");
        int m = 0, c = 0;
        if (counts == null) m = u;
        else for (int n : counts) m += n;
        for (int v : mask) {
            if (v != 0 && v != 1)
                throw new IllegalArgumentException("logit terms: the class mask holds " + v);
            c += v;
        }
        if ((w.l1() != 0 || w.l2() != 0) && c == 0)
            throw new IllegalArgumentException("logit terms: R_NL needs at least one class");
        return new float[] {m, c, -1f / m, c == 0 ? 0f : 1f / (c * (float) m), 1f / m};
    }

    /**
     * {@link #logitTerms}'s checks for {@link Backend#logitTermsBackward}, which also needs colMean
     * for R_div and gradients (da, db; either may be null) shaped as a.
     */
    public static float[] logitTermsBackward(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor colMean,
            Tensor da,
            Tensor db) {
        float[] f = logitTerms(a, b, mask, counts, w, colMean);
        if (w.l3() != 0 && colMean == null)
            throw new IllegalArgumentException("logit terms backward: R_div needs colMean");
        if (da != null) sameNumel(a, da);
        if (db != null) sameNumel(a, db);
        return f;
    }

    /** The shape of a rank-4 (NCHW) tensor. */
    public static int[] nchw(Tensor t, String what) {
        if (t.rank() != 4) throw new IllegalArgumentException(what + " must be NCHW, got " + t);
        return t.shape;
    }

    /** Rows of t seen as [R, C] with C its last dimension (softmax, max, gather). */
    public static int rows(Tensor t) {
        return t.numel() / t.dim(-1);
    }

    /** a op b broadcast to out's shape; out may be larger than both (expand). */
    public static void binary(Tensor a, Binary op, Tensor b, Tensor out) {
        if (Shape.same(a.shape, out.shape) && Shape.same(b.shape, out.shape)) return; // common case
        int[] s = Shape.broadcast(a.shape, b.shape);
        if (!Shape.same(Shape.broadcast(s, out.shape), out.shape))
            throw new IllegalArgumentException(a + " " + op + " " + b + " cannot write " + out);
    }

    /** out is x summed over broadcast dimensions: broadcasting out gives x's shape. */
    public static void sumTo(Tensor x, Tensor out) {
        if (!Shape.same(Shape.broadcast(out.shape, x.shape), x.shape))
            throw new IllegalArgumentException(out + " is not a reduction of " + x);
    }

    /** The sizes of C[M, N] = op(A)[M, K] · op(B)[K, N]. */
    public record Gemm(int m, int n, int k) {}

    /** 2-D operands whose inner sizes agree and whose product fits C. */
    public static Gemm gemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2)
            throw new IllegalArgumentException("gemm takes 2-D tensors: " + a + " " + b + " " + c);
        int m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1];
        int kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1];
        if (k != kb || c.shape[0] != m || c.shape[1] != n)
            throw new IllegalArgumentException(
                    "gemm shapes: op(A) " + m + "x" + k + ", op(B) " + kb + "x" + n + ", C " + c);
        return new Gemm(m, n, k);
    }

    /** values (if any) and argmax (if any) have one entry per row of x. */
    public static void maxLastAxis(Tensor x, Tensor values, int[] argmax) {
        int r = rows(x);
        if (values != null && values.numel() != r)
            throw new IllegalArgumentException(
                    "max values " + values + " for the " + r + " rows of " + x);
        if (argmax != null && argmax.length != r)
            throw new IllegalArgumentException(
                    "argmax of length " + argmax.length + " for the " + r + " rows of " + x);
    }

    /** y, dy and dx of a softmax backward have the same number of elements. */
    public static void softmaxBackward(Tensor y, Tensor dy, Tensor dx) {
        sameNumel(y, dy);
        sameNumel(y, dx);
    }

    /**
     * One index per row of the [R, C] tensor {@code rows}, each in [0, C), and one value per row in
     * {@code perRow} (gather's output, scatter's input). An index out of range would otherwise land
     * silently in a neighbouring row.
     */
    public static void lastAxisIndex(String what, Tensor rows, int[] index, Tensor perRow) {
        int r = rows(rows), c = rows.dim(-1);
        if (index.length != r || perRow.numel() != r)
            throw new IllegalArgumentException(
                    what
                            + ": "
                            + r
                            + " rows of "
                            + rows
                            + ", "
                            + index.length
                            + " indices, "
                            + perRow);
        for (int i = 0; i < r; i++)
            if (index[i] < 0 || index[i] >= c)
                throw new IndexOutOfBoundsException(
                        "index " + index[i] + " at row " + i + " not in [0," + c + ")");
    }

    /** perm reorders x's dimensions (each once) and out has x's element count. */
    public static void permute(Tensor x, int[] perm, Tensor out) {
        sameNumel(x, out);
        boolean[] seen = new boolean[x.rank()];
        boolean ok = perm.length == x.rank();
        for (int i = 0; ok && i < perm.length; i++) {
            ok = perm[i] >= 0 && perm[i] < seen.length && !seen[perm[i]];
            if (ok) seen[perm[i]] = true;
        }
        if (!ok) throw new IllegalArgumentException("permutation " + Shape.str(perm) + " for " + x);
    }

    /** Both blocks of {@code length} along {@code axis} lie inside their tensors. */
    public static void copyAlongAxis(
            Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        if (srcStart < 0
                || dstStart < 0
                || srcStart + length > src.shape[axis]
                || dstStart + length > dst.shape[axis])
            throw new IndexOutOfBoundsException(
                    "copy of " + length + " along axis " + axis + " from " + src + " to " + dst);
    }

    /** The sizes of a convolution: x [N, Ci, H, W], w [Co, Ci, kh, kw]. */
    public record Conv(int n, int ci, int h, int w, int co, int kh, int kw) {}

    /**
     * x, w and y of one convolution with square stride and zero padding, or their gradients (the
     * same shapes): y is [N, Co, Ho, Wo] with Ho = ⌊(H + 2·pad − kh) / stride⌋ + 1, likewise Wo.
     */
    public static Conv conv2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        int[] xs = nchw(x, "conv input"), ws = nchw(w, "conv weight"), ys = nchw(y, "conv output");
        int hp = xs[2] + 2 * pad, wp = xs[3] + 2 * pad;
        if (stride < 1
                || pad < 0
                || hp < ws[2]
                || wp < ws[3]
                || ws[1] != xs[1]
                || ys[0] != xs[0]
                || ys[1] != ws[0]
                || ys[2] != Shape.convOut(xs[2], ws[2], stride, pad)
                || ys[3] != Shape.convOut(xs[3], ws[3], stride, pad))
            throw new IllegalArgumentException(
                    "conv shapes (stride "
                            + stride
                            + ", pad "
                            + pad
                            + "): input "
                            + x
                            + ", weight "
                            + w
                            + ", output "
                            + y);
        return new Conv(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3]);
    }

    /**
     * x [N, Ci, H, W], w [Ci, Co, kh, kw] and y [N, Co, Ho, Wo] of a transposed convolution: Ho =
     * (H − 1)·stride − 2·pad + kh + op with 0 ≤ op < stride (the output padding), likewise Wo.
     * Returns the sizes of the convolution whose input gradient it is (input y, output x).
     */
    public static Conv convTranspose2d(Tensor x, Tensor w, int stride, int pad, Tensor y) {
        int[] xs = nchw(x, "transposed conv input"), ws = nchw(w, "transposed conv weight");
        int[] ys = nchw(y, "transposed conv output");
        int oph = ys[2] - Shape.convTransposeOut(xs[2], ws[2], stride, pad, 0);
        int opw = ys[3] - Shape.convTransposeOut(xs[3], ws[3], stride, pad, 0);
        if (stride < 1
                || pad < 0
                || ys[2] <= 0
                || ys[3] <= 0
                || oph < 0
                || oph >= stride
                || opw < 0
                || opw >= stride
                || ws[0] != xs[1]
                || ys[0] != xs[0]
                || ys[1] != ws[1])
            throw new IllegalArgumentException(
                    "transposed conv shapes (stride "
                            + stride
                            + ", pad "
                            + pad
                            + "): input "
                            + x
                            + ", weight "
                            + w
                            + ", output "
                            + y);
        return new Conv(ys[0], ys[1], ys[2], ys[3], ws[0], ws[2], ws[3]);
    }

    /**
     * x [N, C, H, W] of a batch norm, its [C] tensors (γ, β, statistics and their gradients) and
     * the tensors of x's shape (y, dy, dx); null ones are skipped. Returns x's shape.
     */
    public static int[] batchNorm(Tensor x, Tensor[] perChannel, Tensor... likeX) {
        int[] s = nchw(x, "batchnorm input");
        for (Tensor t : perChannel)
            if (t != null && t.numel() != s[1])
                throw new IllegalArgumentException(
                        "batchnorm of " + x + ": per-channel " + t + " is not [" + s[1] + "]");
        for (Tensor t : likeX) if (t != null) sameNumel(x, t);
        return s;
    }

    /**
     * x [N, C, H, W] and y [N, C, Ho, Wo] of a k×k average pooling without padding, Ho = ⌊(H − k) /
     * stride⌋ + 1 (or their gradients). Returns x's shape.
     */
    public static int[] avgPool2d(Tensor x, int k, int stride, Tensor y) {
        int[] xs = nchw(x, "pool input"), ys = nchw(y, "pool output");
        if (k < 1
                || stride < 1
                || xs[2] < k
                || xs[3] < k
                || ys[0] != xs[0]
                || ys[1] != xs[1]
                || ys[2] != Shape.convOut(xs[2], k, stride, 0)
                || ys[3] != Shape.convOut(xs[3], k, stride, 0))
            throw new IllegalArgumentException(
                    "avg pool "
                            + k
                            + "x"
                            + k
                            + " stride "
                            + stride
                            + ": input "
                            + x
                            + ", output "
                            + y);
        return xs;
    }
}
