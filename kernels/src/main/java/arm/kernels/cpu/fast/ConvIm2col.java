package arm.kernels.cpu.fast;

import arm.kernels.cpu.CpuGemm;
import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.Scratch;
import java.util.Arrays;

/**
 * Convolution as GEMM over im2col blocks; the naive twin is {@link arm.kernels.cpu.ref.ConvRef}.
 *
 * <p>Shapes: x [N, Ci, H, W], w [Co, K] with K = Ci·kh·kw (the weight tensor read as a matrix), y
 * [N, Co, P] with P = Ho·Wo. The output positions are cut into <b>blocks</b> of about {@link
 * #BLOCK_FLOATS}/K columns, so that a block's column matrix stays in the L2 cache while the GEMM
 * streams over it: a block is a range of output rows of one image (early layers, large P), or
 * several whole images (late layers, P = 16 at 4×4). A block's column matrix is col [K, cols],
 * col[(c,u,v), (b,i,j)] = x[b, c, i·s − p + u, j·s − p + v] (0 outside).
 *
 * <pre>
 * forward          y_block [Co, cols] = w · col                       (written in place when the block is one image)
 * backward input   dcol    [K, cols]  = wᵀ · dy_block                 then col2im adds dcol into dx
 *   stride 1:      dx = conv(dy, w̃, pad kh−1−p), w̃[c, o, u, v] = w[o, c, kh−1−u, kw−1−v]: the same
 *                  sums as a forward convolution, with inner dimension Co·kh·kw instead of Co
 * backward weight  dw      [Co, K]   += dy_block · colᵀ              summed over blocks
 * </pre>
 *
 * With {@code -Darm.threads} &gt; 1 the images are split across threads (outputs are disjoint per
 * image; the weight gradient is summed from per-thread partials).
 */
public final class ConvIm2col {
    private ConvIm2col() {}

    /** Floats of one block's column matrix: 256 KiB, half a typical L2. */
    static final int BLOCK_FLOATS = 1 << 16;

    /** Columns a block aims for at least (a GEMM needs some width), and at most. */
    static final int MIN_COLS = 64, MAX_COLS = 4096;

    /** Output columns a block aims for. */
    static int targetCols(ConvShape g) {
        return Math.max(MIN_COLS, Math.min(MAX_COLS, BLOCK_FLOATS / Math.max(1, g.k)));
    }

    /** Images per block when whole images are grouped (P below the target), else 1. */
    static int imagesPerBlock(ConvShape g) {
        return Math.max(1, Math.min(Math.max(1, g.n), targetCols(g) / g.p));
    }

    /** Output rows per block when an image is cut (P above the target), else Ho. */
    static int rowsPerBlock(ConvShape g) {
        return g.p <= targetCols(g) ? g.ho : Math.max(1, targetCols(g) / g.wo);
    }

    /** Per-thread scratch: col (or dcol) and a block of y or dy in [Co, cols] order. */
    private static final Scratch SCRATCH = new Scratch(2);

    /** Visits the blocks of images [from, to): (n0, nb, i0, i1). */
    private interface BlockBody {
        void run(int n0, int nb, int i0, int i1);
    }

    private static void forBlocks(ConvShape g, int from, int to, BlockBody body) {
        int nb = imagesPerBlock(g), rows = rowsPerBlock(g);
        if (nb > 1 || rows >= g.ho) {
            for (int n0 = from; n0 < to; n0 += nb) body.run(n0, Math.min(nb, to - n0), 0, g.ho);
            return;
        }
        for (int n0 = from; n0 < to; n0++)
            for (int i0 = 0; i0 < g.ho; i0 += rows) body.run(n0, 1, i0, Math.min(g.ho, i0 + rows));
    }

    /**
     * Splits the images into at most {@code threads} parts of whole blocks; body(part, from, to).
     */
    private interface Range {
        void run(int part, int from, int to);
    }

    private static int parts(ConvShape g, int threads) {
        int nb = imagesPerBlock(g);
        return Math.max(1, Math.min(threads, (g.n + nb - 1) / nb));
    }

    private static void forParts(ConvShape g, int parts, Range body) {
        int nb = imagesPerBlock(g), groups = (g.n + nb - 1) / nb;
        CpuThreads.run(
                parts,
                part -> {
                    int from = (int) ((long) groups * part / parts) * nb;
                    int to = Math.min(g.n, (int) ((long) groups * (part + 1) / parts) * nb);
                    body.run(part, from, to);
                });
    }

    // ------------------------------------------------------------ forward

    public static void forward(float[] x, float[] w, float[] y, ConvShape g) {
        forward(x, w, y, g, CpuThreads.parts(g.n));
    }

    /** The same, with the images split into (at most) {@code threads} parts. */
    static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        forParts(
                g,
                parts(g, threads),
                (part, from, to) ->
                        forBlocks(
                                g,
                                from,
                                to,
                                (n0, nb, i0, i1) -> forwardBlock(x, w, y, g, n0, nb, i0, i1)));
    }

    private static void forwardBlock(
            float[] x, float[] w, float[] y, ConvShape g, int n0, int nb, int i0, int i1) {
        int bp = (i1 - i0) * g.wo, cols = nb * bp;
        float[] col = SCRATCH.get(0, g.k * cols);
        im2col(x, g, n0, nb, i0, i1, col);
        if (nb == 1) {
            CpuGemm.sgemm(
                    false,
                    false,
                    g.co,
                    cols,
                    g.k,
                    1f,
                    w,
                    0,
                    g.k,
                    col,
                    0,
                    cols,
                    0f,
                    y,
                    n0 * g.yImage() + i0 * g.wo,
                    g.p);
            return;
        }
        float[] out = SCRATCH.get(1, g.co * cols);
        CpuGemm.sgemm(false, false, g.co, cols, g.k, 1f, w, 0, g.k, col, 0, cols, 0f, out, 0, cols);
        for (int b = 0; b < nb; b++)
            for (int o = 0; o < g.co; o++)
                System.arraycopy(out, o * cols + b * g.p, y, (n0 + b) * g.yImage() + o * g.p, g.p);
    }

    // ------------------------------------------------------------ backward input

    public static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g) {
        backwardInput(dy, w, dx, g, CpuThreads.parts(g.n));
    }

    /** The same, with the images split into (at most) {@code threads} parts. */
    static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g, int threads) {
        if (transposable(
                g)) { // dx = conv(dy, w̃) with pad kh−1−p: a forward convolution of Co channels
            ConvShape t =
                    new ConvShape(g.n, g.co, g.ho, g.wo, g.ci, g.kh, g.kw, 1, g.kh - 1 - g.pad);
            if (t.ho != g.h || t.wo != g.w) throw new AssertionError(g + " transposes to " + t);
            forward(dy, flipTransposed(w, g), dx, t, threads);
            return;
        }
        forParts(
                g,
                parts(g, threads),
                (part, from, to) -> {
                    Arrays.fill(dx, from * g.xImage(), to * g.xImage(), 0f);
                    forBlocks(
                            g,
                            from,
                            to,
                            (n0, nb, i0, i1) -> backwardInputBlock(dy, w, dx, g, n0, nb, i0, i1));
                });
    }

    /**
     * Stride 1, square kernel, pad &lt; kernel, and enough input channels to fill the GEMM's row
     * tile (the stem's 3 channels would leave most of each tile empty; col2im is faster there).
     */
    public static boolean transposable(ConvShape g) {
        return g.stride == 1 && g.kh == g.kw && g.pad <= g.kh - 1 && g.ci >= 16;
    }

    /**
     * w̃[c, o, u, v] = w[o, c, kh−1−u, kw−1−v]: the weights of the transposed convolution, reused
     * while w is unchanged ({@link WeightPacks}; the caller must not write into it).
     */
    public static float[] flipTransposed(float[] w, ConvShape g) {
        int n = g.co * g.k;
        return WeightPacks.of(
                w, n, n, (src, out) -> flipTransposed(src, g, out), 1, g.ci, g.co, g.kh, g.kw);
    }

    /** {@link #flipTransposed(float[], ConvShape)} into t, freshly. */
    static void flipTransposed(float[] w, ConvShape g, float[] t) {
        int area = g.kh * g.kw;
        for (int o = 0; o < g.co; o++)
            for (int c = 0; c < g.ci; c++)
                for (int u = 0; u < g.kh; u++)
                    for (int v = 0; v < g.kw; v++)
                        t[((c * g.co + o) * g.kh + u) * g.kw + v] =
                                w[(o * g.ci + c) * area + (g.kh - 1 - u) * g.kw + (g.kw - 1 - v)];
    }

    private static void backwardInputBlock(
            float[] dy, float[] w, float[] dx, ConvShape g, int n0, int nb, int i0, int i1) {
        int bp = (i1 - i0) * g.wo, cols = nb * bp;
        float[] dcol = SCRATCH.get(0, g.k * cols);
        if (nb == 1) {
            CpuGemm.sgemm(
                    true,
                    false,
                    g.k,
                    cols,
                    g.co,
                    1f,
                    w,
                    0,
                    g.k,
                    dy,
                    n0 * g.yImage() + i0 * g.wo,
                    g.p,
                    0f,
                    dcol,
                    0,
                    cols);
        } else {
            float[] dyc = gather(dy, g, n0, nb);
            CpuGemm.sgemm(
                    true, false, g.k, cols, g.co, 1f, w, 0, g.k, dyc, 0, cols, 0f, dcol, 0, cols);
        }
        col2im(dcol, g, n0, nb, i0, i1, dx);
    }

    // ------------------------------------------------------------ backward weight

    /**
     * The weight gradient sums over images, so it is computed as this many partial sums (fewer for
     * tiny batches) added in a fixed order, whatever the thread count: threads only decide who
     * computes which part, and -Darm.threads never changes the bits (ThreadCountTest).
     */
    static final int WEIGHT_PARTS = 2;

    public static void backwardWeight(float[] x, float[] dy, float[] dw, ConvShape g) {
        backwardWeight(x, dy, dw, g, WEIGHT_PARTS);
    }

    /** The same, with the images split into (at most) {@code threads} parts, partials summed. */
    static void backwardWeight(float[] x, float[] dy, float[] dw, ConvShape g, int threads) {
        int size = g.co * g.k, parts = parts(g, threads);
        float[][] partial = new float[parts][];
        partial[0] = dw;
        for (int i = 1; i < parts; i++) partial[i] = new float[size];
        Arrays.fill(dw, 0, size, 0f);
        if (g.n == 0) return;
        forParts(
                g,
                parts,
                (part, from, to) ->
                        forBlocks(
                                g,
                                from,
                                to,
                                (n0, nb, i0, i1) ->
                                        backwardWeightBlock(
                                                x, dy, partial[part], g, n0, nb, i0, i1)));
        for (int i = 1; i < parts; i++) for (int j = 0; j < size; j++) dw[j] += partial[i][j];
    }

    private static void backwardWeightBlock(
            float[] x, float[] dy, float[] dw, ConvShape g, int n0, int nb, int i0, int i1) {
        int bp = (i1 - i0) * g.wo, cols = nb * bp;
        float[] col = SCRATCH.get(0, g.k * cols);
        im2col(x, g, n0, nb, i0, i1, col);
        if (nb == 1) {
            CpuGemm.sgemm(
                    false,
                    true,
                    g.co,
                    g.k,
                    cols,
                    1f,
                    dy,
                    n0 * g.yImage() + i0 * g.wo,
                    g.p,
                    col,
                    0,
                    cols,
                    1f,
                    dw,
                    0,
                    g.k);
        } else {
            float[] dyc = gather(dy, g, n0, nb);
            CpuGemm.sgemm(
                    false, true, g.co, g.k, cols, 1f, dyc, 0, cols, col, 0, cols, 1f, dw, 0, g.k);
        }
    }

    /**
     * dy of whole images n0 … n0+nb−1 rearranged from [nb, Co, P] to [Co, nb·P] (scratch slot 1).
     */
    private static float[] gather(float[] dy, ConvShape g, int n0, int nb) {
        int cols = nb * g.p;
        float[] out = SCRATCH.get(1, g.co * cols);
        for (int b = 0; b < nb; b++)
            for (int o = 0; o < g.co; o++)
                System.arraycopy(dy, (n0 + b) * g.yImage() + o * g.p, out, o * cols + b * g.p, g.p);
        return out;
    }

    // ------------------------------------------------------------ im2col and its adjoint

    /** col [K, nb·(i1−i0)·Wo] from output rows [i0, i1) of images n0 … n0+nb−1; padding reads 0. */
    static void im2col(float[] x, ConvShape g, int n0, int nb, int i0, int i1, float[] col) {
        int bp = (i1 - i0) * g.wo, cols = nb * bp, s = g.stride;
        boolean bulk = s == 1 && g.wo == g.w; // "same" padding: see bulkRows
        for (int c = 0; c < g.ci; c++)
            for (int u = 0; u < g.kh; u++)
                for (int v = 0; v < g.kw; v++) {
                    int row = ((c * g.kh + u) * g.kw + v) * cols;
                    int jLo = g.jLo(v), jHi = g.jHi(v), shift = v - g.pad;
                    for (int b = 0; b < nb; b++) {
                        int plane = ((n0 + b) * g.ci + c) * g.h * g.w, dst0 = row + b * bp;
                        if (bulk) {
                            bulkRows(x, g, plane, i0, i1, u, shift, jLo, jHi, col, dst0);
                            continue;
                        }
                        for (int i = i0; i < i1; i++) {
                            int r = i * s - g.pad + u, dst = dst0 + (i - i0) * g.wo;
                            if (r < 0 || r >= g.h || jLo >= jHi) {
                                Arrays.fill(col, dst, dst + g.wo, 0f);
                                continue;
                            }
                            int src = plane + r * g.w + shift;
                            if (jLo > 0) Arrays.fill(col, dst, dst + jLo, 0f);
                            if (s == 1) System.arraycopy(x, src + jLo, col, dst + jLo, jHi - jLo);
                            else for (int j = jLo; j < jHi; j++) col[dst + j] = x[src + j * s];
                            if (jHi < g.wo) Arrays.fill(col, dst + jHi, dst + g.wo, 0f);
                        }
                    }
                }
    }

    /**
     * Stride 1 with Wo = W ("same" padding): the rows i0 … i1−1 of one (c, u, v) column-matrix row
     * are one contiguous run of the input plane shifted by (u − p)·W + (v − p). One copy moves them
     * all; then the few positions that fell into the padding (whole rows above or below the plane,
     * and the jLo / W − jHi columns that wrapped to the neighbouring row) are zeroed.
     */
    private static void bulkRows(
            float[] x,
            ConvShape g,
            int plane,
            int i0,
            int i1,
            int u,
            int shift,
            int jLo,
            int jHi,
            float[] col,
            int dst0) {
        int w = g.w,
                rLo = Math.max(i0, g.pad - u),
                rHi = Math.min(i1, g.h + g.pad - u); // rows inside
        if (rLo >= rHi) {
            Arrays.fill(col, dst0, dst0 + (i1 - i0) * w, 0f);
            return;
        }
        Arrays.fill(col, dst0, dst0 + (rLo - i0) * w, 0f);
        int dst = dst0 + (rLo - i0) * w,
                src = plane + (rLo - g.pad + u) * w + shift,
                len = (rHi - rLo) * w;
        int from = Math.max(0, -(src - plane)),
                to = Math.min(len, plane + g.h * w - src); // stay in the plane
        if (from > 0) Arrays.fill(col, dst, dst + from, 0f);
        System.arraycopy(x, src + from, col, dst + from, to - from);
        if (to < len) Arrays.fill(col, dst + to, dst + len, 0f);
        for (int i = rLo; i < rHi; i++) {
            int d = dst + (i - rLo) * w;
            for (int j = 0; j < jLo; j++) col[d + j] = 0f;
            for (int j = jHi; j < w; j++) col[d + j] = 0f;
        }
        Arrays.fill(col, dst + len, dst0 + (i1 - i0) * w, 0f);
    }

    /**
     * The adjoint of {@link #im2col}: adds every col entry into the x position it was read from.
     */
    static void col2im(float[] col, ConvShape g, int n0, int nb, int i0, int i1, float[] dx) {
        int bp = (i1 - i0) * g.wo, cols = nb * bp, s = g.stride;
        for (int c = 0; c < g.ci; c++)
            for (int u = 0; u < g.kh; u++)
                for (int v = 0; v < g.kw; v++) {
                    int row = ((c * g.kh + u) * g.kw + v) * cols;
                    int jLo = g.jLo(v), jHi = g.jHi(v), shift = v - g.pad;
                    for (int b = 0; b < nb; b++) {
                        int plane = ((n0 + b) * g.ci + c) * g.h * g.w;
                        for (int i = i0; i < i1; i++) {
                            int r = i * s - g.pad + u;
                            if (r < 0 || r >= g.h) continue;
                            int src = row + b * bp + (i - i0) * g.wo, dst = plane + r * g.w + shift;
                            if (s == 1) for (int j = jLo; j < jHi; j++) dx[dst + j] += col[src + j];
                            else for (int j = jLo; j < jHi; j++) dx[dst + j * s] += col[src + j];
                        }
                    }
                }
    }
}
