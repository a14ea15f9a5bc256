package arm.kernels.cpu.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernel of {@link arm.kernels.cpu.LinearEval}: y = act(x·Wᵀ + b) in one pass, for evaluation
 * batches (the MLP's 1000×784 → 400 → 400 → 10).
 *
 * <p>Shapes: x [m, k] (row i at xOff + i·ldx), W [n, k] packed once by {@link #packWeights} into
 * panels of W's transpose: full panels of NR = 5 vectors of columns ([p][0..NR) for p = 0 … k−1),
 * then the remaining columns in 1-vector panels, zero-padded; b [n] zero-padded the same way; y [m,
 * n] (row i at yOff + i·n).
 *
 * <p>Why: the general GEMM takes x·Wᵀ through its panel path, which turns Wᵀ around by gathers and
 * packs x on every call, and covers 400 columns with 48- or 64-column tiles (the last one on a
 * zero-padded scratch copy); the bias and ReLU are two more passes over y. Here Wᵀ is packed once
 * per evaluation, x is read in place (one broadcast per row and k step), 400 = 5 × 80 columns leave
 * no edge tile, and the tile adds b and applies ReLU before it stores.
 *
 * <p>Bits: each output is one FMA chain over k in order from +0 held in a register, then + b[j],
 * then max(·, +0): the same as the GEMM's panel path (whatever its tile), the broadcast add and
 * ReLU.
 *
 * <p>Zero inputs ({@link #forwardSparse}): MNIST's images are ~81% exact zeros, and a step of the
 * chain with x[i,p] = ±0 changes nothing when W is finite: fma(±0, w, c) is ±0 + c rounded once,
 * which is c for every c other than −0, and the chain never holds −0 (it starts at +0; a sum that
 * is exactly zero rounds to +0 unless both addends are −0, and no product with a +0 accumulator
 * makes −0 + −0). So the chain over the nonzero p only, in the same order, gives every bit of the
 * chain over all p. A non-finite weight breaks this (0 · ∞ = NaN), so the caller takes the sparse
 * path only for weights checked finite ({@link #allFinite}). NaN inputs are not zeros and stay in
 * the chain.
 */
public final class LinearEvalSimd {
    private LinearEvalSimd() {}

    static final VectorSpecies<Float> S = GemmSimd.S;
    static final int L = S.length();

    /** Columns of a full panel: 5 vectors (a 4×5 tile is 20 of AVX-512's 32 registers). */
    static final int NR = 5 * L;

    static int fullPanels(int n) {
        return n / NR;
    }

    static int narrowPanels(int n) {
        return (n - fullPanels(n) * NR + L - 1) / L;
    }

    /** Padded column count: full panels, then 1-vector ones. */
    static int paddedN(int n) {
        return fullPanels(n) * NR + narrowPanels(n) * L;
    }

    /** W [n, k] at wOff (row j = output j) → panels of Wᵀ, zero-padded to {@link #paddedN}. */
    public static float[] packWeights(float[] w, int wOff, int n, int k) {
        float[] out = new float[paddedN(n) * k];
        int full = fullPanels(n);
        for (int j = 0; j < n; j++) {
            int base, width, c;
            if (j < full * NR) {
                base = (j / NR) * k * NR;
                width = NR;
                c = j % NR;
            } else {
                int t = (j - full * NR) / L;
                base = full * k * NR + t * k * L;
                width = L;
                c = (j - full * NR) % L;
            }
            int src = wOff + j * k;
            for (int p = 0; p < k; p++) out[base + p * width + c] = w[src + p];
        }
        return out;
    }

    /** b [n] at bOff, zero-padded to {@link #paddedN}. */
    public static float[] packBias(float[] b, int bOff, int n) {
        float[] out = new float[paddedN(n)];
        System.arraycopy(b, bOff, out, 0, n);
        return out;
    }

    public static void forward(
            float[] x,
            int xOff,
            int ldx,
            int m,
            int k,
            float[] panels,
            float[] bias,
            int n,
            boolean relu,
            float[] y,
            int yOff) {
        int full = fullPanels(n), narrow = narrowPanels(n);
        for (int q = 0; q < full; q++) {
            int wo = q * k * NR, col = q * NR;
            int i = 0;
            for (; i + 4 <= m; i += 4)
                k4x5(
                        x,
                        xOff + i * ldx,
                        ldx,
                        k,
                        panels,
                        wo,
                        bias,
                        col,
                        relu,
                        y,
                        yOff + i * n + col,
                        n);
            for (; i < m; i++)
                k1x5(x, xOff + i * ldx, k, panels, wo, bias, col, relu, y, yOff + i * n + col);
        }
        if (narrow > 0) narrowPanels(x, xOff, ldx, m, k, panels, bias, n, relu, y, yOff);
    }

    /**
     * Whether every weight (and padding) of the packed panels is finite: the sparse path's
     * condition.
     */
    public static boolean allFinite(float[] panels) {
        for (float v : panels) if (!Float.isFinite(v)) return false;
        return true;
    }

    /**
     * Rows per group of the sparse path: the group's chains run over the union of its rows' nonzero
     * p (the other rows' values there are zeros, exact steps too), R rows × 5 vectors per step.
     */
    public static final int SPARSE_ROWS = 4;

    /**
     * A group takes the sparse tile when its union of nonzero p is at most this fraction of k, else
     * the dense tile; a batch whose nonzero fraction passes it takes the dense kernel. Measured
     * break-even ({@code LinearEvalSparseTiming fill}, 1000×784 → 400, iid zeros): sparse / dense
     * thread CPU 0.90–1.01 at a union of 50% of k, 1.12–1.19 at 60%, 1.57–1.68 at 100% (a step of
     * the sparse tile, with its index load, W's row found through it and its share of the list,
     * costs about two dense steps). MNIST's 4-image unions fill 38% of k; random bytes 100%.
     */
    public static final double SPARSE_MAX_FILL = 0.5;

    /** Reused lists of the sparse path (one per thread: an evaluation runs on one thread). */
    public static final class Sparse {
        int[] idx = new int[0];
        float[] val = new float[0];
        int[] start = new int[0], len = new int[0];
        long[] bits = new long[0];

        /** Groups of the last {@link #build}, and how many of them took the sparse tile. */
        int groups, sparseGroups;

        /** Rows per group of the last build. */
        int rows;

        /** Fraction of the last batch's groups that took the sparse tile. */
        public double sparseShare() {
            return groups == 0 ? 0 : (double) sparseGroups / groups;
        }
    }

    /**
     * Shapes as {@link #forward}; rows r = 1, 2 or 4 per group; maxFill as {@link
     * #SPARSE_MAX_FILL}. For each group of r rows, once per batch: the p where some row of the
     * group has x ≠ 0 (NaN included), in increasing order, and the r rows' x there (r floats per
     * step, so one step reads one index and r consecutive values). Then panel by panel (one panel
     * of Wᵀ, k × 80 floats, stays in L2 while every group passes over it) the r × 5-vector tile
     * runs the group's chains over those p only. Groups whose union exceeds maxFill · k, and the
     * rows after the last full group, take the dense tiles; narrow panels take the dense kernels.
     * Same bits as {@link #forward} for finite panels (class comment).
     */
    public static void forwardSparse(
            float[] x,
            int xOff,
            int ldx,
            int m,
            int k,
            float[] panels,
            float[] bias,
            int n,
            boolean relu,
            float[] y,
            int yOff,
            int r,
            double maxFill,
            Sparse sp) {
        if (fullPanels(n) == 0 || mostlyNonzero(x, xOff, ldx, m, k, maxFill)) {
            forward(x, xOff, ldx, m, k, panels, bias, n, relu, y, yOff);
            return;
        }
        build(x, xOff, ldx, m / r, r, k, (int) (maxFill * k), sp);
        sp.rows = r;
        forwardPrepared(x, xOff, ldx, m, k, panels, bias, n, relu, y, yOff, sp);
    }

    /**
     * The lists of {@link #forwardSparse} for a batch whose inputs stay as they are (an evaluation
     * set's images, evaluated again and again): built once here, then {@link #forwardPrepared}
     * skips the nonzero count and the list building. Null where the batch takes the dense kernel.
     * The lists are only read afterwards, so threads may share them.
     */
    public static Sparse prepare(
            float[] x, int xOff, int ldx, int m, int k, int r, double maxFill) {
        if (mostlyNonzero(x, xOff, ldx, m, k, maxFill)) return null;
        Sparse sp = new Sparse();
        build(x, xOff, ldx, m / r, r, k, (int) (maxFill * k), sp);
        sp.rows = r;
        // kept for good: trimmed from the worst case (every group at the limit) to what is used
        int used = 0;
        for (int g = 0; g < sp.groups; g++)
            used = Math.max(used, sp.start[g] + Math.max(0, sp.len[g]));
        sp.idx = Arrays.copyOf(sp.idx, used);
        sp.val = Arrays.copyOf(sp.val, used * r);
        return sp;
    }

    /**
     * {@link #forwardSparse} on lists from {@link #prepare} of the same x (null: the dense kernel):
     * the same bits. Panel by panel, each group over its list (or its dense tile).
     */
    public static void forwardPrepared(
            float[] x,
            int xOff,
            int ldx,
            int m,
            int k,
            float[] panels,
            float[] bias,
            int n,
            boolean relu,
            float[] y,
            int yOff,
            Sparse sp) {
        if (sp == null || fullPanels(n) == 0) {
            forward(x, xOff, ldx, m, k, panels, bias, n, relu, y, yOff);
            return;
        }
        int full = fullPanels(n), narrow = narrowPanels(n), r = sp.rows, groups = sp.groups;
        int[] idx = sp.idx, start = sp.start, len = sp.len;
        float[] val = sp.val;
        for (int q = 0; q < full; q++) {
            int wo = q * k * NR, col = q * NR;
            for (int g = 0; g < groups; g++) {
                int i = g * r, yo = yOff + i * n + col, s = start[g], c = len[g];
                if (c >= 0) {
                    if (r == 4) k4x5s(idx, s, c, val, s * 4, panels, wo, bias, col, relu, y, yo, n);
                    else if (r == 2)
                        k2x5s(idx, s, c, val, s * 2, panels, wo, bias, col, relu, y, yo, n);
                    else k1x5s(idx, s, c, val, s, panels, wo, bias, col, relu, y, yo);
                } else if (r == 4) {
                    k4x5(x, xOff + i * ldx, ldx, k, panels, wo, bias, col, relu, y, yo, n);
                } else {
                    for (int t = 0; t < r; t++)
                        k1x5(
                                x,
                                xOff + (i + t) * ldx,
                                k,
                                panels,
                                wo,
                                bias,
                                col,
                                relu,
                                y,
                                yo + t * n);
                }
            }
            for (int i = groups * r; i < m; i++)
                k1x5(x, xOff + i * ldx, k, panels, wo, bias, col, relu, y, yOff + i * n + col);
        }
        if (narrow > 0) narrowPanels(x, xOff, ldx, m, k, panels, bias, n, relu, y, yOff);
    }

    /**
     * The groups' lists: group g's steps at idx[start[g] …] (len[g] of them), its values at
     * val[start[g]·r …], r per step; len[g] = −1 where the union passed limit (dense tile).
     */
    public static void build(
            float[] x, int xOff, int ldx, int groups, int r, int k, int limit, Sparse sp) {
        int cap = groups * (limit + 1);
        if (sp.idx.length < cap) {
            sp.idx = new int[cap];
            sp.val = new float[cap * r];
        }
        if (sp.start.length < groups) {
            sp.start = new int[groups];
            sp.len = new int[groups];
        }
        if (r == 4) {
            build4(x, xOff, ldx, groups, k, limit, sp);
            return;
        }
        int[] idx = sp.idx, start = sp.start, len = sp.len;
        float[] val = sp.val;
        int pos = 0, sparse = 0;
        for (int g = 0; g < groups; g++) {
            int xo = xOff + g * r * ldx, s = pos;
            boolean over = false;
            for (int p0 = 0; p0 < k && !over; p0 += L) {
                VectorMask<Float> in = S.indexInRange(p0, k);
                long bits = 0;
                for (int t = 0; t < r; t++)
                    bits |=
                            FloatVector.fromArray(S, x, xo + t * ldx + p0, in)
                                    .compare(VectorOperators.NE, 0f)
                                    .and(in)
                                    .toLong();
                while (bits != 0) {
                    if (pos - s == limit) {
                        over = true;
                        break;
                    }
                    int p = p0 + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    idx[pos] = p;
                    int v = pos * r;
                    for (int t = 0; t < r; t++) val[v + t] = x[xo + t * ldx + p];
                    pos++;
                }
            }
            start[g] = s;
            if (over) {
                len[g] = -1;
                pos = s;
            } else {
                len[g] = pos - s;
                sparse++;
            }
        }
        sp.groups = groups;
        sp.sparseGroups = sparse;
    }

    /**
     * {@link #build} for groups of 4 rows (the tile {@link #SPARSE_ROWS} picks): per group a first
     * pass ORs the 4 rows' nonzero masks chunk by chunk and counts the union; only a group within
     * limit copies its steps (a dense group costs the compares alone).
     */
    private static void build4(
            float[] x, int xOff, int ldx, int groups, int k, int limit, Sparse sp) {
        int[] idx = sp.idx, start = sp.start, len = sp.len;
        float[] val = sp.val;
        int chunks = (k + L - 1) / L, whole = k / L;
        if (sp.bits.length < chunks) sp.bits = new long[chunks];
        long[] bits = sp.bits;
        int pos = 0, sparse = 0;
        for (int g = 0; g < groups; g++) {
            int x0 = xOff + g * 4 * ldx, x1 = x0 + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
            int count = 0;
            for (int c = 0; c < whole; c++) {
                int p0 = c * L;
                long b =
                        FloatVector.fromArray(S, x, x0 + p0)
                                .compare(VectorOperators.NE, 0f)
                                .or(
                                        FloatVector.fromArray(S, x, x1 + p0)
                                                .compare(VectorOperators.NE, 0f))
                                .or(
                                        FloatVector.fromArray(S, x, x2 + p0)
                                                .compare(VectorOperators.NE, 0f))
                                .or(
                                        FloatVector.fromArray(S, x, x3 + p0)
                                                .compare(VectorOperators.NE, 0f))
                                .toLong();
                bits[c] = b;
                count += Long.bitCount(b);
            }
            if (whole < chunks) {
                long b = 0;
                for (int p = whole * L; p < k; p++)
                    if (x[x0 + p] != 0f || x[x1 + p] != 0f || x[x2 + p] != 0f || x[x3 + p] != 0f)
                        b |= 1L << (p - whole * L);
                bits[whole] = b;
                count += Long.bitCount(b);
            }
            start[g] = pos;
            if (count > limit) {
                len[g] = -1;
                continue;
            }
            len[g] = count;
            sparse++;
            for (int c = 0; c < chunks; c++) {
                long b = bits[c];
                while (b != 0) {
                    int p = c * L + Long.numberOfTrailingZeros(b);
                    b &= b - 1;
                    idx[pos] = p;
                    int v = pos * 4;
                    val[v] = x[x0 + p];
                    val[v + 1] = x[x1 + p];
                    val[v + 2] = x[x2 + p];
                    val[v + 3] = x[x3 + p];
                    pos++;
                }
            }
        }
        sp.groups = groups;
        sp.sparseGroups = sparse;
    }

    /**
     * Whether more than maxFill · m · k of the batch's inputs are nonzero: then no group of rows
     * can be mostly zeros on average (a union holds at least as many as its fullest row), and the
     * batch takes the dense kernel without building lists.
     */
    static boolean mostlyNonzero(float[] x, int xOff, int ldx, int m, int k, double maxFill) {
        long count = 0;
        int whole = k - k % L;
        for (int i = 0; i < m; i++) {
            int xo = xOff + i * ldx;
            for (int p = 0; p < whole; p += L)
                count +=
                        FloatVector.fromArray(S, x, xo + p)
                                .compare(VectorOperators.NE, 0f)
                                .trueCount();
            for (int p = whole; p < k; p++) if (x[xo + p] != 0f) count++;
        }
        return count > maxFill * m * k;
    }

    /** The narrow panels of {@link #forward} (the dense kernels). */
    private static void narrowPanels(
            float[] x,
            int xOff,
            int ldx,
            int m,
            int k,
            float[] panels,
            float[] bias,
            int n,
            boolean relu,
            float[] y,
            int yOff) {
        int full = fullPanels(n), narrow = narrowPanels(n);
        for (int t = 0; t < narrow; t++) {
            int wo = full * k * NR + t * k * L, col = full * NR + t * L;
            int cols = Math.min(L, n - col);
            VectorMask<Float> mask = S.indexInRange(0, cols);
            int i = 0;
            for (; i + 8 <= m; i += 8)
                k8x1(
                        x,
                        xOff + i * ldx,
                        ldx,
                        k,
                        panels,
                        wo,
                        bias,
                        col,
                        relu,
                        y,
                        yOff + i * n + col,
                        n,
                        cols == L,
                        mask);
            for (; i < m; i++)
                k1x1(
                        x,
                        xOff + i * ldx,
                        k,
                        panels,
                        wo,
                        bias,
                        col,
                        relu,
                        y,
                        yOff + i * n + col,
                        cols == L,
                        mask);
        }
    }

    /**
     * 4 rows × 5 vectors over a group's union of nonzero p: the dense 4×5 tile's step plus one
     * index load.
     */
    static void k4x5s(
            int[] idx,
            int io,
            int len,
            float[] v,
            int vo,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo,
            int ldy) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z,
                c01 = z,
                c02 = z,
                c03 = z,
                c04 = z,
                c10 = z,
                c11 = z,
                c12 = z,
                c13 = z,
                c14 = z,
                c20 = z,
                c21 = z,
                c22 = z,
                c23 = z,
                c24 = z,
                c30 = z,
                c31 = z,
                c32 = z,
                c33 = z,
                c34 = z;
        for (int t = 0; t < len; t++) {
            int bp = wo + idx[io + t] * NR;
            int a = vo + t * 4;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector b1 = FloatVector.fromArray(S, w, bp + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, w, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, bp + 3 * L);
            FloatVector b4 = FloatVector.fromArray(S, w, bp + 4 * L);
            FloatVector a0 = FloatVector.broadcast(S, v[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            FloatVector a1 = FloatVector.broadcast(S, v[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
            FloatVector a2 = FloatVector.broadcast(S, v[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            c24 = a2.fma(b4, c24);
            FloatVector a3 = FloatVector.broadcast(S, v[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            c34 = a3.fma(b4, c34);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        FloatVector d1 = FloatVector.fromArray(S, bias, bo + 1 * L);
        FloatVector d2 = FloatVector.fromArray(S, bias, bo + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, bias, bo + 3 * L);
        FloatVector d4 = FloatVector.fromArray(S, bias, bo + 4 * L);
        c00 = c00.add(d0);
        c01 = c01.add(d1);
        c02 = c02.add(d2);
        c03 = c03.add(d3);
        c04 = c04.add(d4);
        c10 = c10.add(d0);
        c11 = c11.add(d1);
        c12 = c12.add(d2);
        c13 = c13.add(d3);
        c14 = c14.add(d4);
        c20 = c20.add(d0);
        c21 = c21.add(d1);
        c22 = c22.add(d2);
        c23 = c23.add(d3);
        c24 = c24.add(d4);
        c30 = c30.add(d0);
        c31 = c31.add(d1);
        c32 = c32.add(d2);
        c33 = c33.add(d3);
        c34 = c34.add(d4);
        if (relu) {
            c00 = c00.max(z);
            c01 = c01.max(z);
            c02 = c02.max(z);
            c03 = c03.max(z);
            c04 = c04.max(z);
            c10 = c10.max(z);
            c11 = c11.max(z);
            c12 = c12.max(z);
            c13 = c13.max(z);
            c14 = c14.max(z);
            c20 = c20.max(z);
            c21 = c21.max(z);
            c22 = c22.max(z);
            c23 = c23.max(z);
            c24 = c24.max(z);
            c30 = c30.max(z);
            c31 = c31.max(z);
            c32 = c32.max(z);
            c33 = c33.max(z);
            c34 = c34.max(z);
        }
        c00.intoArray(y, yo);
        c01.intoArray(y, yo + 1 * L);
        c02.intoArray(y, yo + 2 * L);
        c03.intoArray(y, yo + 3 * L);
        c04.intoArray(y, yo + 4 * L);
        c10.intoArray(y, yo + ldy);
        c11.intoArray(y, yo + ldy + 1 * L);
        c12.intoArray(y, yo + ldy + 2 * L);
        c13.intoArray(y, yo + ldy + 3 * L);
        c14.intoArray(y, yo + ldy + 4 * L);
        c20.intoArray(y, yo + 2 * ldy);
        c21.intoArray(y, yo + 2 * ldy + 1 * L);
        c22.intoArray(y, yo + 2 * ldy + 2 * L);
        c23.intoArray(y, yo + 2 * ldy + 3 * L);
        c24.intoArray(y, yo + 2 * ldy + 4 * L);
        c30.intoArray(y, yo + 3 * ldy);
        c31.intoArray(y, yo + 3 * ldy + 1 * L);
        c32.intoArray(y, yo + 3 * ldy + 2 * L);
        c33.intoArray(y, yo + 3 * ldy + 3 * L);
        c34.intoArray(y, yo + 3 * ldy + 4 * L);
    }

    /** 2 rows × 5 vectors over a group's union of nonzero p. */
    static void k2x5s(
            int[] idx,
            int io,
            int len,
            float[] v,
            int vo,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo,
            int ldy) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z,
                c01 = z,
                c02 = z,
                c03 = z,
                c04 = z,
                c10 = z,
                c11 = z,
                c12 = z,
                c13 = z,
                c14 = z;
        for (int t = 0; t < len; t++) {
            int bp = wo + idx[io + t] * NR;
            int a = vo + t * 2;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector b1 = FloatVector.fromArray(S, w, bp + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, w, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, bp + 3 * L);
            FloatVector b4 = FloatVector.fromArray(S, w, bp + 4 * L);
            FloatVector a0 = FloatVector.broadcast(S, v[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            FloatVector a1 = FloatVector.broadcast(S, v[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        FloatVector d1 = FloatVector.fromArray(S, bias, bo + 1 * L);
        FloatVector d2 = FloatVector.fromArray(S, bias, bo + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, bias, bo + 3 * L);
        FloatVector d4 = FloatVector.fromArray(S, bias, bo + 4 * L);
        c00 = c00.add(d0);
        c01 = c01.add(d1);
        c02 = c02.add(d2);
        c03 = c03.add(d3);
        c04 = c04.add(d4);
        c10 = c10.add(d0);
        c11 = c11.add(d1);
        c12 = c12.add(d2);
        c13 = c13.add(d3);
        c14 = c14.add(d4);
        if (relu) {
            c00 = c00.max(z);
            c01 = c01.max(z);
            c02 = c02.max(z);
            c03 = c03.max(z);
            c04 = c04.max(z);
            c10 = c10.max(z);
            c11 = c11.max(z);
            c12 = c12.max(z);
            c13 = c13.max(z);
            c14 = c14.max(z);
        }
        c00.intoArray(y, yo);
        c01.intoArray(y, yo + 1 * L);
        c02.intoArray(y, yo + 2 * L);
        c03.intoArray(y, yo + 3 * L);
        c04.intoArray(y, yo + 4 * L);
        c10.intoArray(y, yo + ldy);
        c11.intoArray(y, yo + ldy + 1 * L);
        c12.intoArray(y, yo + ldy + 2 * L);
        c13.intoArray(y, yo + ldy + 3 * L);
        c14.intoArray(y, yo + ldy + 4 * L);
    }

    /** One row × 5 vectors over the row's nonzero p. */
    static void k1x5s(
            int[] idx,
            int io,
            int len,
            float[] v,
            int vo,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c04 = z;
        for (int t = 0; t < len; t++) {
            int bp = wo + idx[io + t] * NR;
            int a = vo + t;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector b1 = FloatVector.fromArray(S, w, bp + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, w, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, bp + 3 * L);
            FloatVector b4 = FloatVector.fromArray(S, w, bp + 4 * L);
            FloatVector a0 = FloatVector.broadcast(S, v[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        FloatVector d1 = FloatVector.fromArray(S, bias, bo + 1 * L);
        FloatVector d2 = FloatVector.fromArray(S, bias, bo + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, bias, bo + 3 * L);
        FloatVector d4 = FloatVector.fromArray(S, bias, bo + 4 * L);
        c00 = c00.add(d0);
        c01 = c01.add(d1);
        c02 = c02.add(d2);
        c03 = c03.add(d3);
        c04 = c04.add(d4);
        if (relu) {
            c00 = c00.max(z);
            c01 = c01.max(z);
            c02 = c02.max(z);
            c03 = c03.max(z);
            c04 = c04.max(z);
        }
        c00.intoArray(y, yo);
        c01.intoArray(y, yo + 1 * L);
        c02.intoArray(y, yo + 2 * L);
        c03.intoArray(y, yo + 3 * L);
        c04.intoArray(y, yo + 4 * L);
    }

    /** 4 rows × 5 vectors of one full panel: 20 accumulators, 5 loads and 4 broadcasts per k. */
    static void k4x5(
            float[] x,
            int xo,
            int ldx,
            int k,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo,
            int ldy) {
        int x0 = xo + 0 * ldx, x1 = xo + 1 * ldx, x2 = xo + 2 * ldx, x3 = xo + 3 * ldx;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z,
                c01 = z,
                c02 = z,
                c03 = z,
                c04 = z,
                c10 = z,
                c11 = z,
                c12 = z,
                c13 = z,
                c14 = z,
                c20 = z,
                c21 = z,
                c22 = z,
                c23 = z,
                c24 = z,
                c30 = z,
                c31 = z,
                c32 = z,
                c33 = z,
                c34 = z;
        for (int p = 0; p < k; p++) {
            int bp = wo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector b1 = FloatVector.fromArray(S, w, bp + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, w, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, bp + 3 * L);
            FloatVector b4 = FloatVector.fromArray(S, w, bp + 4 * L);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c14 = a1.fma(b4, c14);
            FloatVector a2 = FloatVector.broadcast(S, x[x2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            c24 = a2.fma(b4, c24);
            FloatVector a3 = FloatVector.broadcast(S, x[x3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            c34 = a3.fma(b4, c34);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        FloatVector d1 = FloatVector.fromArray(S, bias, bo + 1 * L);
        FloatVector d2 = FloatVector.fromArray(S, bias, bo + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, bias, bo + 3 * L);
        FloatVector d4 = FloatVector.fromArray(S, bias, bo + 4 * L);
        c00 = c00.add(d0);
        c01 = c01.add(d1);
        c02 = c02.add(d2);
        c03 = c03.add(d3);
        c04 = c04.add(d4);
        c10 = c10.add(d0);
        c11 = c11.add(d1);
        c12 = c12.add(d2);
        c13 = c13.add(d3);
        c14 = c14.add(d4);
        c20 = c20.add(d0);
        c21 = c21.add(d1);
        c22 = c22.add(d2);
        c23 = c23.add(d3);
        c24 = c24.add(d4);
        c30 = c30.add(d0);
        c31 = c31.add(d1);
        c32 = c32.add(d2);
        c33 = c33.add(d3);
        c34 = c34.add(d4);
        if (relu) {
            c00 = c00.max(z);
            c01 = c01.max(z);
            c02 = c02.max(z);
            c03 = c03.max(z);
            c04 = c04.max(z);
            c10 = c10.max(z);
            c11 = c11.max(z);
            c12 = c12.max(z);
            c13 = c13.max(z);
            c14 = c14.max(z);
            c20 = c20.max(z);
            c21 = c21.max(z);
            c22 = c22.max(z);
            c23 = c23.max(z);
            c24 = c24.max(z);
            c30 = c30.max(z);
            c31 = c31.max(z);
            c32 = c32.max(z);
            c33 = c33.max(z);
            c34 = c34.max(z);
        }
        c00.intoArray(y, yo);
        c01.intoArray(y, yo + 1 * L);
        c02.intoArray(y, yo + 2 * L);
        c03.intoArray(y, yo + 3 * L);
        c04.intoArray(y, yo + 4 * L);
        c10.intoArray(y, yo + 1 * ldy);
        c11.intoArray(y, yo + 1 * ldy + 1 * L);
        c12.intoArray(y, yo + 1 * ldy + 2 * L);
        c13.intoArray(y, yo + 1 * ldy + 3 * L);
        c14.intoArray(y, yo + 1 * ldy + 4 * L);
        c20.intoArray(y, yo + 2 * ldy);
        c21.intoArray(y, yo + 2 * ldy + 1 * L);
        c22.intoArray(y, yo + 2 * ldy + 2 * L);
        c23.intoArray(y, yo + 2 * ldy + 3 * L);
        c24.intoArray(y, yo + 2 * ldy + 4 * L);
        c30.intoArray(y, yo + 3 * ldy);
        c31.intoArray(y, yo + 3 * ldy + 1 * L);
        c32.intoArray(y, yo + 3 * ldy + 2 * L);
        c33.intoArray(y, yo + 3 * ldy + 3 * L);
        c34.intoArray(y, yo + 3 * ldy + 4 * L);
    }

    /** One row × 5 vectors (the rows after the last group of 4). */
    static void k1x5(
            float[] x,
            int xo,
            int k,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo) {
        int x0 = xo;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c04 = z;
        for (int p = 0; p < k; p++) {
            int bp = wo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector b1 = FloatVector.fromArray(S, w, bp + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, w, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, w, bp + 3 * L);
            FloatVector b4 = FloatVector.fromArray(S, w, bp + 4 * L);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c04 = a0.fma(b4, c04);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        FloatVector d1 = FloatVector.fromArray(S, bias, bo + 1 * L);
        FloatVector d2 = FloatVector.fromArray(S, bias, bo + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, bias, bo + 3 * L);
        FloatVector d4 = FloatVector.fromArray(S, bias, bo + 4 * L);
        c00 = c00.add(d0);
        c01 = c01.add(d1);
        c02 = c02.add(d2);
        c03 = c03.add(d3);
        c04 = c04.add(d4);
        if (relu) {
            c00 = c00.max(z);
            c01 = c01.max(z);
            c02 = c02.max(z);
            c03 = c03.max(z);
            c04 = c04.max(z);
        }
        c00.intoArray(y, yo);
        c01.intoArray(y, yo + 1 * L);
        c02.intoArray(y, yo + 2 * L);
        c03.intoArray(y, yo + 3 * L);
        c04.intoArray(y, yo + 4 * L);
    }

    /** 8 rows × 1 vector of a narrow panel (8 independent chains hide the FMA latency). */
    static void k8x1(
            float[] x,
            int xo,
            int ldx,
            int k,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo,
            int ldy,
            boolean whole,
            VectorMask<Float> mask) {
        int x0 = xo + 0 * ldx,
                x1 = xo + 1 * ldx,
                x2 = xo + 2 * ldx,
                x3 = xo + 3 * ldx,
                x4 = xo + 4 * ldx,
                x5 = xo + 5 * ldx,
                x6 = xo + 6 * ldx,
                x7 = xo + 7 * ldx;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c10 = z, c20 = z, c30 = z, c40 = z, c50 = z, c60 = z, c70 = z;
        for (int p = 0; p < k; p++) {
            int bp = wo + p * L;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + p]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + p]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, x[x2 + p]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, x[x3 + p]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, x[x4 + p]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, x[x5 + p]);
            c50 = a5.fma(b0, c50);
            FloatVector a6 = FloatVector.broadcast(S, x[x6 + p]);
            c60 = a6.fma(b0, c60);
            FloatVector a7 = FloatVector.broadcast(S, x[x7 + p]);
            c70 = a7.fma(b0, c70);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        c00 = c00.add(d0);
        c10 = c10.add(d0);
        c20 = c20.add(d0);
        c30 = c30.add(d0);
        c40 = c40.add(d0);
        c50 = c50.add(d0);
        c60 = c60.add(d0);
        c70 = c70.add(d0);
        if (relu) {
            c00 = c00.max(z);
            c10 = c10.max(z);
            c20 = c20.max(z);
            c30 = c30.max(z);
            c40 = c40.max(z);
            c50 = c50.max(z);
            c60 = c60.max(z);
            c70 = c70.max(z);
        }
        if (whole) c00.intoArray(y, yo);
        else c00.intoArray(y, yo, mask);
        if (whole) c10.intoArray(y, yo + 1 * ldy);
        else c10.intoArray(y, yo + 1 * ldy, mask);
        if (whole) c20.intoArray(y, yo + 2 * ldy);
        else c20.intoArray(y, yo + 2 * ldy, mask);
        if (whole) c30.intoArray(y, yo + 3 * ldy);
        else c30.intoArray(y, yo + 3 * ldy, mask);
        if (whole) c40.intoArray(y, yo + 4 * ldy);
        else c40.intoArray(y, yo + 4 * ldy, mask);
        if (whole) c50.intoArray(y, yo + 5 * ldy);
        else c50.intoArray(y, yo + 5 * ldy, mask);
        if (whole) c60.intoArray(y, yo + 6 * ldy);
        else c60.intoArray(y, yo + 6 * ldy, mask);
        if (whole) c70.intoArray(y, yo + 7 * ldy);
        else c70.intoArray(y, yo + 7 * ldy, mask);
    }

    /** One row × 1 vector. */
    static void k1x1(
            float[] x,
            int xo,
            int k,
            float[] w,
            int wo,
            float[] bias,
            int bo,
            boolean relu,
            float[] y,
            int yo,
            boolean whole,
            VectorMask<Float> mask) {
        int x0 = xo;
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z;
        for (int p = 0; p < k; p++) {
            int bp = wo + p * L;
            FloatVector b0 = FloatVector.fromArray(S, w, bp);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + p]);
            c00 = a0.fma(b0, c00);
        }
        FloatVector d0 = FloatVector.fromArray(S, bias, bo);
        c00 = c00.add(d0);
        if (relu) {
            c00 = c00.max(z);
        }
        if (whole) c00.intoArray(y, yo);
        else c00.intoArray(y, yo, mask);
    }
}
