package arm.kernels.cpu.simd;

import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.Scratch;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.fast.WeightPacks;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution without im2col (an implicit GEMM on the Java Vector API); the naive twin is {@link
 * arm.kernels.cpu.ref.ConvRef}, the im2col path {@link arm.kernels.cpu.fast.ConvIm2col}.
 *
 * <p>Shapes: x [N, Ci, H, W], w [Co, Ci, kh, kw], stride s, pad p, y [N, Co, Ho, Wo]. Each image is
 * copied once into a zero-padded buffer xp; with stride 1 that is [Ci, H + 2p, Wp], Wp = W + 2p,
 * and outputs are computed on the padded row pitch: position q = i·Wp + j (j &lt; Wp, the last Wp −
 * Wo columns of each row are discarded), where
 *
 * <pre>
 * out[o, q] = Σ_{c,u,v} w[o, c, u, v] · xp[c, q + u·Wp + v]
 * </pre>
 *
 * so for every (c, u, v) the inputs of NR consecutive outputs are NR consecutive floats of xp: the
 * "column matrix" of im2col is read straight from xp at K offsets, never written. With stride s
 * each channel is split into s·s phase planes (pixel (r, col) of the padded image to plane (r mod
 * s, col mod s), at (r/s, col/s), pitch Wq = ⌈Wp/s⌉); tap (u, v) then reads plane (u mod s, v mod
 * s) at offset (u/s)·Wq + v/s, again consecutive floats for consecutive outputs. The register tile
 * is the GEMM's (MR = 5 output channels, 10 on AVX-512, × 2 vectors of positions; 3 channels × 4
 * vectors where at most 3 are written); the weights are packed per tile of output channels as
 * [k][mr]. The discarded columns cost (Wq − Wo)/Wo extra positions (6% at 32×32, 12% at 16×16),
 * hence only for Wo ≥ 8; where a row is a whole number of tiles, or one vector (two rows per tile),
 * and the output channels fill whole tiles ({@link #rowTiles}: ResNet's 20- and 40-channel layers
 * on AVX-512), the tiles cover the rows exactly and store straight into y.
 *
 * <p>The input gradient of such a convolution is the same operation on dy with the flipped,
 * transposed weights ({@link arm.kernels.cpu.fast.ConvIm2col#flipTransposed}), so the caller uses
 * this kernel for both.
 */
public final class ConvDirectSimd {
    private ConvDirectSimd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length(), MR = 5, NR = 2 * L;

    /**
     * Output channels per register tile: 5 (10 accumulators, what AVX2's 16 registers hold), or 10
     * on AVX-512 (20 of its 32 registers) when there are more than 5 to write: per tap the two
     * position vectors and their range checks are then shared by ten broadcasts instead of five.
     * Each output is one FMA chain over k in the same order either way, so the bits do not change.
     */
    static int rows(int co) {
        return co <= 3 ? 3 : L >= 16 && co > MR ? 2 * MR : MR;
    }

    /**
     * Positions per register tile: 2 vectors, or 4 for a tile of 3 output channels (the stem's
     * input gradient writes 3 channels: 3 broadcasts and 4 loads for 12 FMAs per tap, where the
     * 5-channel tile would spend 5 broadcasts and 2 loads on 6 useful FMAs).
     */
    static int width(int mr) {
        return mr == 3 ? 2 * NR : NR;
    }

    /** The register tile of mr output channels × {@link #width} positions. */
    static void tile(
            int mr,
            float[] xp,
            int[] offsets,
            int q0,
            float[] a,
            int ao,
            int k,
            float[] out,
            int oo,
            int ld) {
        if (mr == 3) tile3(xp, offsets, q0, a, ao, k, out, oo, ld);
        else if (mr == MR) tile(xp, offsets, q0, a, ao, k, out, oo, ld, L, L);
        else tile10(xp, offsets, q0, a, ao, k, out, oo, ld, L, L);
    }

    /**
     * Padding smaller than the kernel, and output rows of at least 8 (the padded pitch wastes
     * less).
     */
    public static boolean supports(ConvShape g) {
        return g.pad < g.kh && g.pad < g.kw && g.wo >= 8 && g.ho >= 1;
    }

    /** Per-thread scratch: the padded image and the padded-pitch output. */
    private static final Scratch SCRATCH = new Scratch(2);

    public static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("direct convolution does not take " + g);
        int s = g.stride, hq = (g.h + 2 * g.pad + s - 1) / s, wq = (g.w + 2 * g.pad + s - 1) / s;
        int phase = hq * wq, plane = s * s * phase; // one channel: s·s phase planes of hq × wq
        int k = g.k, mr = rows(g.co), oBlocks = (g.co + mr - 1) / mr, tw = width(mr);
        int positions = g.ho * wq, tiles = (positions + tw - 1) / tw;
        int[] offsets = new int[k];
        boolean[] used = new boolean[s * s];
        for (int c = 0; c < g.ci; c++)
            for (int u = 0; u < g.kh; u++)
                for (int v = 0; v < g.kw; v++) {
                    used[(u % s) * s + v % s] = true;
                    offsets[(c * g.kh + u) * g.kw + v] =
                            c * plane + ((u % s) * s + v % s) * phase + (u / s) * wq + v / s;
                }
        // every read xp[offsets[k] + q] with q < tiles·tw stays inside the buffer
        int xpSize = Math.max(g.ci * plane, Arrays.stream(offsets).max().getAsInt() + tiles * tw);
        float[] packed =
                WeightPacks.of(
                        w,
                        g.co * k,
                        oBlocks * k * mr,
                        (src, out) -> pack(src, g, mr, out),
                        2,
                        mr,
                        g.ci,
                        g.co,
                        g.kh,
                        g.kw);
        int parts = Math.max(1, Math.min(threads, g.n));
        CpuThreads.run(
                parts,
                part -> {
                    float[] xp = SCRATCH.get(0, xpSize),
                            out = SCRATCH.get(1, oBlocks * mr * tiles * tw);
                    for (int n = g.n * part / parts; n < g.n * (part + 1) / parts; n++) {
                        pad(x, n, g, xp, hq, wq, used, xpSize);
                        if (rowTiles(g, mr)) {
                            intoRows(xp, offsets, packed, k, mr, oBlocks, wq, g, n, y);
                            continue;
                        }
                        for (int t = 0; t < tiles; t++)
                            for (int ob = 0; ob < oBlocks; ob++) {
                                int ao = ob * k * mr, oo = ob * mr * tiles * tw + t * tw;
                                tile(mr, xp, offsets, t * tw, packed, ao, k, out, oo, tiles * tw);
                            }
                        for (int o = 0; o < g.co; o++) {
                            int src = o * tiles * tw, dst = (n * g.co + o) * g.p;
                            for (int i = 0; i < g.ho; i++)
                                System.arraycopy(out, src + i * wq, y, dst + i * g.wo, g.wo);
                        }
                    }
                });
    }

    /**
     * Whether the tiles can cover the output rows exactly and store into y: rows of 2 vectors (or a
     * multiple), or of one vector taken two rows at a time, and whole blocks of output channels.
     * Then no position past a row is computed (Wq − Wo of every Wq otherwise) and nothing is copied
     * out of a scratch; each output is the same FMA chain either way, so the same bits.
     */
    private static boolean rowTiles(ConvShape g, int mr) {
        return mr != 3 && g.co % mr == 0 && (g.wo % NR == 0 || (g.wo == L && g.ho % 2 == 0));
    }

    /** Image n's outputs straight into y: a tile is 2 vectors of one row, or 1 of two rows. */
    private static void intoRows(
            float[] xp,
            int[] offsets,
            float[] packed,
            int k,
            int mr,
            int oBlocks,
            int wq,
            ConvShape g,
            int n,
            float[] y) {
        boolean pairs = g.wo % NR != 0; // rows of one vector: rows i and i + 1 in one tile
        int d1 = pairs ? wq : L, e1 = pairs ? g.wo : L, step = pairs ? 2 : 1;
        for (int i = 0; i < g.ho; i += step)
            for (int j = 0; j < g.wo; j += pairs ? g.wo : NR)
                for (int ob = 0; ob < oBlocks; ob++) {
                    int ao = ob * k * mr, yo = (n * g.co + ob * mr) * g.p + i * g.wo + j;
                    if (mr == MR) tile(xp, offsets, i * wq + j, packed, ao, k, y, yo, g.p, d1, e1);
                    else tile10(xp, offsets, i * wq + j, packed, ao, k, y, yo, g.p, d1, e1);
                }
    }

    /**
     * Weights as [oBlock][k][r]: the mr weights of one (c, u, v) for mr output channels side by
     * side.
     */
    static void pack(float[] w, ConvShape g, int mr, float[] p) {
        Arrays.fill(p, 0f); // output channels past Co (the last block's padding) stay zero
        for (int o = 0; o < g.co; o++)
            for (int kk = 0; kk < g.k; kk++)
                p[((o / mr) * g.k + kk) * mr + o % mr] = w[o * g.k + kk];
    }

    /**
     * xp = image n of x with a zero border of pad, split by stride s into s·s phase planes per
     * channel: the padded pixel (r, col) goes to phase (r mod s, col mod s) at (r / s, col / s).
     * Then every tap of a stride-s convolution reads consecutive floats for consecutive outputs
     * (for s = 1 this is the plain padded image). A zero tail covers the last tile's reads. Only
     * the phases some tap reads are written ({@code used}; a strided 1×1 kernel reads one of s·s),
     * each plane row once: its border zeroed, its pixels gathered s apart.
     */
    private static void pad(
            float[] x, int n, ConvShape g, float[] xp, int hq, int wq, boolean[] used, int size) {
        int s = g.stride, phase = hq * wq, plane = s * s * phase, p = g.pad;
        if (s == 1) {
            padUnstrided(x, n, g, xp, 0, wq);
            Arrays.fill(xp, g.ci * (g.h + 2 * g.pad) * wq, size, 0f);
            return;
        }
        int[] jLo = new int[s], jHi = new int[s];
        for (int b = 0; b < s; b++) { // plane columns j hold image columns j·s + b − p
            jLo[b] = Math.min(wq, ceilDiv(p - b, s));
            jHi[b] = Math.max(jLo[b], Math.min(wq, ceilDiv(p + g.w - b, s)));
        }
        for (int c = 0; c < g.ci; c++) {
            int from = (n * g.ci + c) * g.h * g.w;
            for (int a = 0; a < s; a++) {
                // plane rows t hold padded rows t·s + a, i.e. image rows t·s + a − p
                int tLo = Math.min(hq, ceilDiv(p - a, s)),
                        tHi = Math.max(tLo, Math.min(hq, ceilDiv(p + g.h - a, s)));
                boolean any = false;
                for (int b = 0; b < s; b++) any |= used[a * s + b];
                if (!any) continue;
                int base = c * plane + a * s * phase; // phase (a, 0); (a, b) is b planes on
                for (int b = 0; b < s; b++) {
                    if (!used[a * s + b]) continue;
                    Arrays.fill(xp, base + b * phase, base + b * phase + tLo * wq, 0f);
                    Arrays.fill(xp, base + b * phase + tHi * wq, base + (b + 1) * phase, 0f);
                }
                for (int t = tLo; t < tHi; t++) {
                    int row = base + t * wq, at = from + (t * s + a - p) * g.w;
                    for (int b = 0; b < s; b++) {
                        if (!used[a * s + b]) continue;
                        Arrays.fill(xp, row + b * phase, row + b * phase + jLo[b], 0f);
                        Arrays.fill(xp, row + b * phase + jHi[b], row + b * phase + wq, 0f);
                    }
                    if (s == 2 && used[2 * a] && used[2 * a + 1])
                        split(x, at, g.w, p, xp, row, row + phase);
                    else
                        for (int b = 0; b < s; b++)
                            if (used[a * s + b])
                                gather(
                                        x,
                                        at + jLo[b] * s + b - p,
                                        s,
                                        xp,
                                        row + b * phase + jLo[b],
                                        jHi[b] - jLo[b]);
                }
            }
        }
        Arrays.fill(xp, g.ci * plane, size, 0f);
    }

    /** The even lanes of two vectors (lane i from lane 2i of the pair), and the odd lanes. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i),
            ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    /**
     * Stride 2: one image row x[at, at + w) into the rows of its two column phases (r0: phase 0,
     * r1: phase 1). Padded column col + p goes to phase (col + p) mod 2 at (col + p) / 2, so the
     * even columns fill one phase row and the odd ones the other; a vector of each from every two
     * loads (two-vector permutes), both phases in one pass over the row.
     */
    private static void split(float[] x, int at, int w, int p, float[] xp, int r0, int r1) {
        int e = (p % 2 == 0 ? r0 : r1) + p / 2, o = (p % 2 == 0 ? r1 : r0) + (p + 1) / 2;
        int i = 0;
        for (; 2 * (i + L) <= w; i += L) {
            FloatVector v0 = FloatVector.fromArray(S, x, at + 2 * i),
                    v1 = FloatVector.fromArray(S, x, at + 2 * i + L);
            v0.rearrange(EVEN, v1).intoArray(xp, e + i);
            v0.rearrange(ODD, v1).intoArray(xp, o + i);
        }
        for (; 2 * i < w; i++) {
            xp[e + i] = x[at + 2 * i];
            if (2 * i + 1 < w) xp[o + i] = x[at + 2 * i + 1];
        }
    }

    /**
     * to[dst + j] = x[at + j·s] for j &lt; len (one phase of a row); for s = 2 a vector at a time,
     * the even lanes of two loads.
     */
    static void gather(float[] x, int at, int s, float[] to, int dst, int len) {
        int j = 0;
        if (s == 2)
            for (; j + L <= len && at + 2 * L <= x.length; j += L, at += 2 * L)
                FloatVector.fromArray(S, x, at)
                        .rearrange(EVEN, FloatVector.fromArray(S, x, at + L))
                        .intoArray(to, dst + j);
        for (; j < len; j++, at += s) to[dst + j] = x[at];
    }

    /** Kernel indices u &lt; k with a + p − u ≡ 0 (mod s): the taps of phase a. */
    static int[] taps(int a, int pad, int k, int s) {
        int n = 0;
        int[] t = new int[k];
        for (int u = 0; u < k; u++) if (Math.floorMod(a + pad - u, s) == 0) t[n++] = u;
        return Arrays.copyOf(t, n);
    }

    /** ⌈a / s⌉ for any sign of a, s &gt; 0, at least 0. */
    static int ceilDiv(int a, int s) {
        return Math.max(0, -Math.floorDiv(-a, s));
    }

    /**
     * Image n of x zero-padded by g.pad into xp from {@code at}, [c][H + 2·pad][wq] (wq ≥ W +
     * 2·pad): each padded row is written once, its image row copied and only its border zeroed,
     * then the rows above and below each channel (no pass that zeroes the whole buffer first). The
     * stride-1 {@link #pad}, and {@link WinogradSimd}'s gathered path, one image after another.
     */
    static void padUnstrided(float[] x, int n, ConvShape g, float[] xp, int at, int wq) {
        int p = g.pad, hq = g.h + 2 * p, plane = hq * wq;
        for (int c = 0; c < g.ci; c++) {
            int ch = at + c * plane, src = (n * g.ci + c) * g.h * g.w;
            Arrays.fill(xp, ch, ch + p * wq, 0f);
            for (int i = 0; i < g.h; i++) {
                int row = ch + (i + p) * wq;
                for (int j = row; j < row + p; j++) xp[j] = 0f; // the borders: a float or two
                System.arraycopy(x, src + i * g.w, xp, row + p, g.w);
                for (int j = row + p + g.w; j < row + wq; j++) xp[j] = 0f;
            }
            Arrays.fill(xp, ch + (p + g.h) * wq, ch + plane, 0f);
        }
    }

    /** out[r·ld + q0 + j], r &lt; 5, j &lt; NR = Σ_k a[ao + k·5 + r] · xp[offsets[k] + q0 + j]. */
    static void tile(
            float[] xp,
            int[] offsets,
            int q0,
            float[] a,
            int ao,
            int k,
            float[] out,
            int oo,
            int ld,
            int d1,
            int e1) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = c00,
                c10 = c00,
                c11 = c00,
                c20 = c00,
                c21 = c00,
                c30 = c00,
                c31 = c00,
                c40 = c00,
                c41 = c00;
        for (int p = 0; p < k; p++) {
            int bp = offsets[p] + q0, ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, xp, bp),
                    b1 = FloatVector.fromArray(S, xp, bp + d1);
            FloatVector s = FloatVector.broadcast(S, a[ap]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(S, a[ap + 1]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(S, a[ap + 2]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(S, a[ap + 3]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(S, a[ap + 4]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + e1);
        c10.intoArray(out, oo + ld);
        c11.intoArray(out, oo + ld + e1);
        c20.intoArray(out, oo + 2 * ld);
        c21.intoArray(out, oo + 2 * ld + e1);
        c30.intoArray(out, oo + 3 * ld);
        c31.intoArray(out, oo + 3 * ld + e1);
        c40.intoArray(out, oo + 4 * ld);
        c41.intoArray(out, oo + 4 * ld + e1);
    }

    /**
     * {@link #tile} for 3 output channels × 4 vectors: out[r·ld + q0 + j], r &lt; 3, j &lt; 2·NR.
     */
    static void tile3(
            float[] xp,
            int[] offsets,
            int q0,
            float[] a,
            int ao,
            int k,
            float[] out,
            int oo,
            int ld) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = c00,
                c02 = c00,
                c03 = c00,
                c10 = c00,
                c11 = c00,
                c12 = c00,
                c13 = c00,
                c20 = c00,
                c21 = c00,
                c22 = c00,
                c23 = c00;
        for (int p = 0; p < k; p++) {
            int bp = offsets[p] + q0, ap = ao + p * 3;
            FloatVector b0 = FloatVector.fromArray(S, xp, bp),
                    b1 = FloatVector.fromArray(S, xp, bp + L),
                    b2 = FloatVector.fromArray(S, xp, bp + 2 * L),
                    b3 = FloatVector.fromArray(S, xp, bp + 3 * L);
            FloatVector s = FloatVector.broadcast(S, a[ap]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            c02 = s.fma(b2, c02);
            c03 = s.fma(b3, c03);
            s = FloatVector.broadcast(S, a[ap + 1]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            c12 = s.fma(b2, c12);
            c13 = s.fma(b3, c13);
            s = FloatVector.broadcast(S, a[ap + 2]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            c22 = s.fma(b2, c22);
            c23 = s.fma(b3, c23);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + L);
        c02.intoArray(out, oo + 2 * L);
        c03.intoArray(out, oo + 3 * L);
        c10.intoArray(out, oo + ld);
        c11.intoArray(out, oo + ld + L);
        c12.intoArray(out, oo + ld + 2 * L);
        c13.intoArray(out, oo + ld + 3 * L);
        c20.intoArray(out, oo + 2 * ld);
        c21.intoArray(out, oo + 2 * ld + L);
        c22.intoArray(out, oo + 2 * ld + 2 * L);
        c23.intoArray(out, oo + 2 * ld + 3 * L);
    }

    /** {@link #tile} for 10 output channels: out[r·ld + q0 + j], r &lt; 10, weights [k][10]. */
    static void tile10(
            float[] xp,
            int[] offsets,
            int q0,
            float[] a,
            int ao,
            int k,
            float[] out,
            int oo,
            int ld,
            int d1,
            int e1) {
        FloatVector c00 = FloatVector.zero(S),
                c01 = c00,
                c10 = c00,
                c11 = c00,
                c20 = c00,
                c21 = c00,
                c30 = c00,
                c31 = c00,
                c40 = c00,
                c41 = c00,
                c50 = c00,
                c51 = c00,
                c60 = c00,
                c61 = c00,
                c70 = c00,
                c71 = c00,
                c80 = c00,
                c81 = c00,
                c90 = c00,
                c91 = c00;
        for (int p = 0; p < k; p++) {
            int bp = offsets[p] + q0, ap = ao + p * 2 * MR;
            FloatVector b0 = FloatVector.fromArray(S, xp, bp),
                    b1 = FloatVector.fromArray(S, xp, bp + d1);
            FloatVector s = FloatVector.broadcast(S, a[ap]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(S, a[ap + 1]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(S, a[ap + 2]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(S, a[ap + 3]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(S, a[ap + 4]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
            s = FloatVector.broadcast(S, a[ap + 5]);
            c50 = s.fma(b0, c50);
            c51 = s.fma(b1, c51);
            s = FloatVector.broadcast(S, a[ap + 6]);
            c60 = s.fma(b0, c60);
            c61 = s.fma(b1, c61);
            s = FloatVector.broadcast(S, a[ap + 7]);
            c70 = s.fma(b0, c70);
            c71 = s.fma(b1, c71);
            s = FloatVector.broadcast(S, a[ap + 8]);
            c80 = s.fma(b0, c80);
            c81 = s.fma(b1, c81);
            s = FloatVector.broadcast(S, a[ap + 9]);
            c90 = s.fma(b0, c90);
            c91 = s.fma(b1, c91);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + e1);
        c10.intoArray(out, oo + ld);
        c11.intoArray(out, oo + ld + e1);
        c20.intoArray(out, oo + 2 * ld);
        c21.intoArray(out, oo + 2 * ld + e1);
        c30.intoArray(out, oo + 3 * ld);
        c31.intoArray(out, oo + 3 * ld + e1);
        c40.intoArray(out, oo + 4 * ld);
        c41.intoArray(out, oo + 4 * ld + e1);
        c50.intoArray(out, oo + 5 * ld);
        c51.intoArray(out, oo + 5 * ld + e1);
        c60.intoArray(out, oo + 6 * ld);
        c61.intoArray(out, oo + 6 * ld + e1);
        c70.intoArray(out, oo + 7 * ld);
        c71.intoArray(out, oo + 7 * ld + e1);
        c80.intoArray(out, oo + 8 * ld);
        c81.intoArray(out, oo + 8 * ld + e1);
        c90.intoArray(out, oo + 9 * ld);
        c91.intoArray(out, oo + 9 * ld + e1);
    }
}
