package arm.kernels.cpu.simd;

import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.fast.WeightPacks;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as an implicit GEMM on channels-last copies, for any stride (Java Vector API); the
 * naive twin is {@link arm.kernels.cpu.ref.ConvRef}. Used where {@link ConvDirectSimd} cannot go or
 * is slower: strided layers, 1×1 projections, and small images (ResNet's 8×8 and 4×4 stages).
 *
 * <p>A group of images is copied into a zero-padded channels-last buffer src [G, Hs, Ws, Cin].
 * Output point q then reads, for each kernel row u, the kw·Cin floats src[base[q] + run[u] + k], k
 * &lt; kw·Cin, which are contiguous (the kw pixels of one row side by side, each with all its
 * channels). The sum over the runs is a GEMM row with inner dimension K = kh·kw·Cin:
 *
 * <pre>
 * out[q, o] = Σ_runs Σ_k src[base[q] + run + k] · wp[o / NR][k'][o % NR]     (out [Q, Cout] row-major,
 *                                                                            k' counts over all runs)
 * </pre>
 *
 * The register tile is 5 output points × NR = 2 vectors of output channels (10 accumulators): per k
 * five broadcasts of src and two loads of the packed weights. Each point has its own base, so
 * points may lie anywhere (other rows, other images, a stride apart): no position is computed only
 * to be thrown away, and the innermost loop has unit stride, so the JIT drops every range check
 * from it. Output channels are padded with zero weights up to a multiple of NR.
 *
 * <pre>
 * forward:        src = x padded by p;  q = (image, i, j): base = image·|src image| + (i·s·Ws + j·s)·Ci,
 *                 run u = u·Ws·Ci of length kw·Ci,  wp[(u, v, c)][o] = w[o, c, u, v]
 * input gradient: src = dy (Cin = Co) padded;  the points of dx split by (ih mod s, iw mod s): in
 *                 phase (a, b) the tap (u, v) reaches dx[ih, iw] from dy[(ih + p − u)/s, (iw + p − v)/s]
 *                 exactly when ih + p − u ≡ 0 and iw + p − v ≡ 0 (mod s). Each phase is thus a
 *                 convolution of dy with the taps of its residue class (for s = 1, the flipped
 *                 kernel); the taps of one kernel row read neighbouring dy pixels and form one run.
 * </pre>
 *
 * Images are split over {@link CpuThreads}; every output element is computed by the same
 * instructions whatever the thread count.
 */
public final class ConvNhwcSimd {
    private ConvNhwcSimd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length(), MR = 5, NR = 2 * L;

    /** A group's channels-last copy aims at this many floats (256 KiB, half of L2). */
    static final int GROUP_FLOATS = 1 << 16;

    /** Square stride and padding smaller than the kernel; any channel counts. */
    public static boolean supports(ConvShape g) {
        return g.stride >= 1 && g.pad < g.kh && g.pad < g.kw && g.ho > 0 && g.wo > 0;
    }

    /** Per-thread scratch: the channels-last group copy, the output rows, point bases. */
    private static final class Work {
        float[] src = new float[0], out = new float[0], dyp = new float[0];
        int[] base = new int[0];

        float[] dyp(int size) {
            if (dyp.length < size) dyp = new float[size];
            return dyp;
        }

        float[] src(int size) {
            if (src.length < size) src = new float[size];
            return src;
        }

        float[] out(int size) {
            if (out.length < size) out = new float[size];
            return out;
        }

        int[] base(int size) {
            if (base.length < size) base = new int[size];
            return base;
        }
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    /**
     * The calling thread's weight-gradient partial sums, by slot, reused from call to call (the
     * packed weights come from {@link WeightPacks}).
     */
    private static final ThreadLocal<float[][]> PACKS =
            ThreadLocal.withInitial(() -> new float[0][]);

    /**
     * Slot {@code slot} of the calling thread's packs, at least {@code size} floats, contents left
     * over.
     */
    static float[] pack(int slot, int size) {
        float[][] p = PACKS.get();
        if (slot >= p.length) {
            int old = p.length;
            p = Arrays.copyOf(p, slot + 1);
            for (int i = old; i < p.length; i++) p[i] = new float[0];
            PACKS.set(p);
        }
        if (p[slot].length < size) p[slot] = new float[size];
        return p[slot];
    }

    /**
     * Zeroes the padding columns of a pack laid out as wp[((j / NR)·kk + k)·NR + j % NR]: columns j
     * from {@code used} up to {@code cols} (a multiple of NR), which the packing loops skip.
     */
    static void zeroPadding(float[] wp, int used, int cols, int kk) {
        for (int j = used; j < cols; j++)
            for (int k = 0; k < kk; k++) wp[((j / NR) * kk + k) * NR + j % NR] = 0f;
    }

    static int padTo(int x, int q) {
        return (x + q - 1) / q * q;
    }

    // ------------------------------------------------------------------------------ forward

    public static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("channels-last convolution does not take " + g);
        int hs = g.h + 2 * g.pad, ws = g.w + 2 * g.pad, image = hs * ws * g.ci;
        int area = g.kh * g.kw, kk = area * g.ci, cout = padTo(g.co, L);
        float[] wp =
                WeightPacks.of(
                        w,
                        g.co * g.k,
                        padTo(g.co, NR) * kk,
                        (src, out) -> packForward(src, g, out),
                        3,
                        g.ci,
                        g.co,
                        g.kh,
                        g.kw);
        int[] run = new int[g.kh], len = new int[g.kh];
        for (int u = 0; u < g.kh; u++) {
            run[u] = u * ws * g.ci;
            len[u] = g.kw * g.ci;
        }
        int group = Math.max(1, Math.min(g.n, GROUP_FLOATS / image));
        // parts by images, not by groups: a batch of 10 fits one group at the 4×4 stage
        int parts = Math.max(1, Math.min(threads, g.n));
        CpuThreads.run(
                parts,
                part -> {
                    Work wk = WORK.get();
                    int from = g.n * part / parts, to = g.n * (part + 1) / parts;
                    int q = padTo(group * g.p, MR);
                    float[] src = wk.src(group * image), out = wk.out(q * cout);
                    int[] base = wk.base(q);
                    for (int b = 0, k = 0; b < group; b++)
                        for (int i = 0; i < g.ho; i++)
                            for (int j = 0; j < g.wo; j++)
                                base[k++] = b * image + (i * g.stride * ws + j * g.stride) * g.ci;
                    for (int n0 = from; n0 < to; n0 += group) {
                        int nb = Math.min(group, to - n0), nq = nb * g.p;
                        toChannelsLast(x, n0, nb, g.ci, g.h, g.w, g.pad, g.pad, hs, ws, src);
                        for (int k = nq; k < padTo(nq, MR); k++) base[k] = base[nq - 1];
                        gemm(src, base, nq, run, len, kk, wp, cout, out);
                        fromRows(out, cout, n0, nb, g.co, g.p, y);
                    }
                });
    }

    /** wp[((o / NR)·kk + (u·kw + v)·Ci + c)·NR + o % NR] = w[o, c, u, v], zero past Co. */
    private static void packForward(float[] w, ConvShape g, float[] wp) {
        int area = g.kh * g.kw, kk = area * g.ci;
        zeroPadding(wp, g.co, padTo(g.co, NR), kk);
        for (int o = 0; o < g.co; o++)
            for (int c = 0; c < g.ci; c++)
                for (int u = 0; u < g.kh; u++)
                    for (int v = 0; v < g.kw; v++)
                        wp[((o / NR) * kk + (u * g.kw + v) * g.ci + c) * NR + o % NR] =
                                w[(o * g.ci + c) * area + u * g.kw + v];
    }

    /**
     * src[b, i + top, j + left, c] = x[n0 + b, c, i, j] for nb images, zero in the border of the
     * [nb, hs, ws, C] buffer. Row by row, so that the row being written (ws·C floats) stays in L1.
     */
    static void toChannelsLast(
            float[] x,
            int n0,
            int nb,
            int ch,
            int h,
            int w,
            int top,
            int left,
            int hs,
            int ws,
            float[] src) {
        int image = hs * ws * ch, pitch = ws * ch;
        for (int b = 0; b < nb; b++) {
            int img = b * image, from = (n0 + b) * ch * h * w;
            Arrays.fill(src, img, img + top * pitch, 0f);
            Arrays.fill(src, img + (top + h) * pitch, img + image, 0f);
            for (int i = 0; i < h; i++) {
                int row = img + (i + top) * pitch;
                Arrays.fill(src, row, row + left * ch, 0f);
                Arrays.fill(src, row + (left + w) * ch, row + pitch, 0f);
                for (int c = 0; c < ch; c++) {
                    int to = row + left * ch + c, at = from + (c * h + i) * w;
                    for (int j = 0; j < w; j++) src[to + j * ch] = x[at + j];
                }
            }
        }
    }

    /**
     * y[n0 + b, o, p] = out[b·P + p, o] for o &lt; co: the GEMM's rows back to channels-first, 16
     * points at a time (their rows stay in L1 while every channel is written).
     */
    static void fromRows(float[] out, int ld, int n0, int nb, int co, int p, float[] y) {
        for (int b = 0; b < nb; b++)
            for (int p0 = 0; p0 < p; p0 += 16) {
                int pn = Math.min(16, p - p0), row = (b * p + p0) * ld;
                for (int o = 0; o < co; o++) {
                    int dst = ((n0 + b) * co + o) * p + p0;
                    for (int j = 0; j < pn; j++) y[dst + j] = out[row + j * ld + o];
                }
            }
    }

    // ------------------------------------------------------------------------------ input gradient

    public static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("channels-last convolution does not take " + g);
        int s = g.stride;
        // dy index ih' = (ih + p − u)/s ranges over [−dLo, ho + dHi): pad dy by dLo on top/left
        int dLo = Math.max(0, (g.kh - 1 - g.pad + s - 1) / s),
                dHi = Math.max(0, (g.h - 1 + g.pad) / s - (g.ho - 1));
        int dLoW = Math.max(0, (g.kw - 1 - g.pad + s - 1) / s),
                dHiW = Math.max(0, (g.w - 1 + g.pad) / s - (g.wo - 1));
        int hs = g.ho + dLo + dHi,
                ws = g.wo + dLoW + dHiW,
                image = hs * ws * g.co,
                cout = padTo(g.ci, L);
        Phase[] phases = new Phase[s * s];
        for (int a = 0; a < s; a++)
            for (int b = 0; b < s; b++)
                phases[a * s + b] = new Phase(g, w, a, b, dLo, dLoW, ws, cout);
        int group = Math.max(1, Math.min(g.n, GROUP_FLOATS / image));
        // parts by images, not by groups: a batch of 10 fits one group at the 4×4 stage
        int parts = Math.max(1, Math.min(threads, g.n));
        CpuThreads.run(
                parts,
                part -> {
                    Work wk = WORK.get();
                    int from = g.n * part / parts, to = g.n * (part + 1) / parts;
                    int maxQ = 0;
                    for (Phase ph : phases) maxQ = Math.max(maxQ, padTo(group * ph.points, MR));
                    float[] src = wk.src(group * image), out = wk.out(maxQ * cout);
                    int[] base = wk.base(maxQ);
                    for (int n0 = from; n0 < to; n0 += group) {
                        int nb = Math.min(group, to - n0);
                        toChannelsLast(dy, n0, nb, g.co, g.ho, g.wo, dLo, dLoW, hs, ws, src);
                        for (Phase ph : phases) ph.run(g, src, image, n0, nb, base, out, cout, dx);
                    }
                });
    }

    /** The dx points with ih ≡ a, iw ≡ b (mod s), and the runs of kernel taps that reach them. */
    private static final class Phase {
        final int a, b, rows, cols, points, kk, rowPitch;
        final int[] run, len;
        final float[] wp;

        /** The packed weights come from {@link WeightPacks} (made once per weight change). */
        Phase(ConvShape g, float[] w, int a, int b, int dLo, int dLoW, int ws, int cout) {
            int s = g.stride;
            this.a = a;
            this.b = b;
            rows = a < g.h ? (g.h - a + s - 1) / s : 0;
            cols = b < g.w ? (g.w - b + s - 1) / s : 0;
            points = rows * cols;
            rowPitch = ws * g.co;
            // kernel rows u and columns v of this residue class; dx[a + r·s] reads dy row r + (a +
            // p − u)/s
            int[] us = taps(a, g.pad, g.kh, s), vs = taps(b, g.pad, g.kw, s);
            int runs = vs.length == 0 ? 0 : us.length;
            run = new int[runs];
            len = new int[runs];
            kk = runs * vs.length * g.co;
            for (int r = 0; r < runs; r++) {
                int du = Math.floorDiv(a + g.pad - us[r], s) + dLo,
                        dv = Math.floorDiv(b + g.pad - vs[0], s) + dLoW;
                run[r] =
                        (du * ws + dv)
                                * g.co; // vs[0] is the largest v: the leftmost dy pixel of the run
                len[r] = vs.length * g.co;
            }
            wp =
                    WeightPacks.of(
                            w,
                            g.co * g.k,
                            padTo(cout, NR) * Math.max(1, kk),
                            (src, out) -> pack(src, g, us, vs, runs, kk, padTo(cout, NR), out),
                            4,
                            g.ci,
                            g.co,
                            g.kh,
                            g.kw,
                            g.stride,
                            g.pad,
                            a,
                            b);
        }

        /** wp[((c / NR)·kk + k)·NR + c % NR] = w[o, c, us[r], vs[t]], k = (r·|vs| + t)·Co + o. */
        private static void pack(
                float[] w,
                ConvShape g,
                int[] us,
                int[] vs,
                int runs,
                int kk,
                int cout,
                float[] wp) {
            zeroPadding(wp, g.ci, cout, kk);
            for (int r = 0; r < runs; r++)
                for (int t = 0; t < vs.length; t++)
                    for (int o = 0; o < g.co; o++) {
                        int k = (r * vs.length + t) * g.co + o;
                        for (int c = 0; c < g.ci; c++)
                            wp[((c / NR) * kk + k) * NR + c % NR] =
                                    w[((o * g.ci + c) * g.kh + us[r]) * g.kw + vs[t]];
                    }
        }

        /**
         * Kernel indices u &lt; k with a + p − u ≡ 0 (mod s), largest first (their dy pixels
         * ascend).
         */
        static int[] taps(int a, int pad, int k, int s) {
            int n = 0;
            int[] t = new int[k];
            for (int u = k - 1; u >= 0; u--) if (Math.floorMod(a + pad - u, s) == 0) t[n++] = u;
            return Arrays.copyOf(t, n);
        }

        void run(
                ConvShape g,
                float[] src,
                int image,
                int n0,
                int nb,
                int[] base,
                float[] out,
                int cout,
                float[] dx) {
            if (points == 0) return;
            int nq = nb * points;
            // base of point (img, r, c'): the dy cell (r, c') of that image, before the tap offsets
            for (int img = 0, k = 0; img < nb; img++)
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        base[k++] = img * image + r * rowPitch + c * g.co;
            for (int k = nq; k < padTo(nq, MR); k++) base[k] = base[nq - 1];
            gemm(src, base, nq, run, len, kk, wp, cout, out);
            int s = g.stride;
            for (int img = 0; img < nb; img++)
                for (int r = 0; r < rows; r++) // one dx row of this phase: its GEMM rows stay in L1
                for (int ch = 0; ch < g.ci; ch++) {
                        int dst = (((n0 + img) * g.ci + ch) * g.h + a + r * s) * g.w + b,
                                q = (img * rows + r) * cols;
                        if (kk == 0) for (int c = 0; c < cols; c++) dx[dst + c * s] = 0f;
                        else
                            for (int c = 0; c < cols; c++)
                                dx[dst + c * s] = out[(q + c) * cout + ch];
                    }
        }
    }

    // ------------------------------------------------------------------------------ weight
    // gradient

    /**
     * The weight gradient sums over images, so it is computed as this many partial sums (fewer for
     * tiny batches) added in a fixed order, whatever the thread count: threads only decide who
     * computes which part (as in {@link arm.kernels.cpu.fast.ConvIm2col}).
     */
    static final int WEIGHT_PARTS = 2;

    /**
     * The weight gradient's register tile: WO output channels (broadcasts of dy) × WR consecutive
     * (v, c) of a kernel row (vectors of src). On AVX-512, 5 × 3 vectors (15 accumulators: per
     * point 3 loads and 5 broadcasts for 15 FMAs, where 5 × 2 spent 7 for 10; 48 divides the runs
     * of 80 and 160 channels, 3·80 and 3·160, so nothing is padded); with 16 registers (AVX2), 5 ×
     * 2, and where 3 vectors would pad the run more ({@link #wr}).
     */
    static final boolean WIDE = L >= 16;

    static final int WO = MR;

    /**
     * Columns of the weight gradient's tile for runs of {@code runLen}: 3 vectors where that pads
     * the run no more than 2 do (80 and 160 channels × 3), else 2 (20 channels × 3 = 60 would
     * compute 96 columns).
     */
    static int wr(int runLen) {
        return WIDE && padTo(runLen, 3 * L) <= padTo(runLen, NR) ? 3 * L : NR;
    }

    /**
     * dw[o, c, u, v] = Σ_{n,i,j} dy[n, o, i, j] · x[n, c, i·s − p + u, j·s − p + v], overwriting
     * dw. With the channels-last copy of x as in {@link #forward}, row u of the kernel is the run
     * of kw·Ci floats at base[q] + u·Ws·Ci, so for a block of NR consecutive (v, c) and 5 output
     * channels
     *
     * <pre>
     * dwᵀ[u][k .. k+NR)[o] += Σ_q src[base[q] + u·Ws·Ci + k .. +NR) · dy[o, q]      (5 broadcasts of dy per q)
     * </pre>
     *
     * A run is padded to a multiple of NR; the extra columns read the next pixels and are dropped.
     */
    public static void backwardWeight(float[] x, float[] dy, float[] dw, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("channels-last convolution does not take " + g);
        int hs = g.h + 2 * g.pad, ws = g.w + 2 * g.pad, image = hs * ws * g.ci;
        int runLen = g.kw * g.ci,
                runPad = padTo(runLen, wr(runLen)),
                width = g.kh * runPad,
                rows = padTo(g.co, WO);
        // groups of at most half the batch, so that a batch of 10 at the 8×8 and 4×4 stages makes
        // two equal partial sums (the shape alone decides them, never the thread count)
        int group =
                Math.max(
                        1, Math.min((g.n + WEIGHT_PARTS - 1) / WEIGHT_PARTS, GROUP_FLOATS / image));
        int parts = Math.max(1, Math.min(WEIGHT_PARTS, (g.n + group - 1) / group));
        float[][] partial = new float[parts][]; // [o][u][k], written by each part's first group
        for (int i = 0; i < parts; i++) partial[i] = pack(i, rows * width);
        if (threads >= parts)
            CpuThreads.run(parts, part -> weightPart(x, dy, g, part, parts, group, partial[part]));
        else
            for (int part = 0; part < parts; part++)
                weightPart(x, dy, g, part, parts, group, partial[part]);
        // the partial sums added in part order while transposing into dw[o, c, u, v] (the same
        // roundings as adding each part into a zeroed dw: a partial sum starts as 0 + its first
        // group's sum, so it is never −0 and 0 + p0 is p0 bit for bit); one pass, where a
        // vector sum of the parts and then a transpose had read the partial sums twice
        int kk = g.kh * g.kw;
        float[] p0 = partial[0];
        if (parts == 2) {
            float[] p1 = partial[1];
            for (int o = 0; o < g.co; o++)
                for (int u = 0; u < g.kh; u++)
                    for (int v = 0; v < g.kw; v++) {
                        int from = o * width + u * runPad + v * g.ci,
                                to = o * g.ci * kk + u * g.kw + v;
                        for (int c = 0; c < g.ci; c++)
                            dw[to + c * kk] = p0[from + c] + p1[from + c];
                    }
            return;
        }
        for (int o = 0; o < g.co; o++)
            for (int u = 0; u < g.kh; u++)
                for (int v = 0; v < g.kw; v++) {
                    int from = o * width + u * runPad + v * g.ci, to = o * g.ci * kk + u * g.kw + v;
                    for (int c = 0; c < g.ci; c++) {
                        float sum = p0[from + c];
                        for (int i = 1; i < parts; i++) sum += partial[i][from + c];
                        dw[to + c * kk] = sum;
                    }
                }
    }

    /** The partial sum over images of part {@code part} (of {@code parts}), group by group. */
    private static void weightPart(
            float[] x, float[] dy, ConvShape g, int part, int parts, int group, float[] acc) {
        int hs = g.h + 2 * g.pad, ws = g.w + 2 * g.pad, image = hs * ws * g.ci;
        int wr = wr(g.kw * g.ci), runPad = padTo(g.kw * g.ci, wr), width = g.kh * runPad;
        int groups = (g.n + group - 1) / group, rows = padTo(g.co, WO);
        int from = Math.min(g.n, groups * part / parts * group),
                to = Math.min(g.n, groups * (part + 1) / parts * group);
        Work wk = WORK.get();
        float[] src = wk.src(group * image + 3 * L), dyp = wk.dyp(rows * group * g.p);
        int[] base = wk.base(group * g.p);
        for (int b = 0, k = 0; b < group; b++)
            for (int i = 0; i < g.ho; i++)
                for (int j = 0; j < g.wo; j++)
                    base[k++] = b * image + (i * g.stride * ws + j * g.stride) * g.ci;
        if (from >= to) { // no images: a zero partial sum
            Arrays.fill(acc, 0, rows * width, 0f);
            return;
        }
        for (int n0 = from; n0 < to; n0 += group) {
            int nb = Math.min(group, to - n0), nq = nb * g.p;
            boolean first = n0 == from;
            toChannelsLast(x, n0, nb, g.ci, g.h, g.w, g.pad, g.pad, hs, ws, src);
            // dyp[o, b·P + q] = dy[n0 + b, o, q] (zero for o ≥ Co): each channel's points of the
            // whole group in one row, so that a tile's loop runs over all nb·P points (16 per
            // image at the 4×4 stage had made the loop's entry and exit cost as much as its FMAs)
            for (int o = 0; o < g.co; o++)
                for (int b = 0; b < nb; b++)
                    System.arraycopy(dy, ((n0 + b) * g.co + o) * g.p, dyp, o * nq + b * g.p, g.p);
            Arrays.fill(dyp, g.co * nq, rows * nq, 0f);
            for (int o0 = 0; o0 < g.co; o0 += WO)
                for (int u = 0; u < g.kh; u++)
                    for (int k = 0; k < runPad; k += wr) {
                        int off = u * ws * g.ci + k, at = o0 * width + u * runPad + k;
                        if (wr == NR && first)
                            weightTile2Put(src, base, off, dyp, o0, rows, nq, acc, at, width);
                        else if (wr == NR)
                            weightTile2Add(src, base, off, dyp, o0, rows, nq, acc, at, width);
                        else if (first)
                            weightTilePut(src, base, off, dyp, o0, rows, nq, acc, at, width);
                        else weightTileAdd(src, base, off, dyp, o0, rows, nq, acc, at, width);
                    }
        }
    }

    // weightTilePut and weightTileAdd differ only in their last lines, and no tile passes a vector
    // to a helper or picks one with a flag: C2 boxed the accumulators of tiles that did (8 × 3
    // and 6 × 3 tiles with such endings, and the Add path in a whole step, ran 5–10× slower)

    /**
     * acc[(o0 + r)·ld + at .. +3L) = 0 + Σ_{q &lt; nq} src[base[q] + off ..] · dyp[(o0 + r)·nq +
     * q], r &lt; 5, points in order (image by image): the 3-vector tile.
     */
    private static void weightTilePut(
            float[] src,
            int[] base,
            int off,
            float[] dyp,
            int o0,
            int rows,
            int nq,
            float[] acc,
            int at,
            int ld) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00;

        for (int q = 0; q < nq; q++) {
            int xs = base[q] + off, d = o0 * nq + q;
            FloatVector b0 = FloatVector.fromArray(S, src, xs),
                    b1 = FloatVector.fromArray(S, src, xs + L),
                    b2 = FloatVector.fromArray(S, src, xs + 2 * L);
            FloatVector s = FloatVector.broadcast(S, dyp[d]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            c02 = s.fma(b2, c02);
            s = FloatVector.broadcast(S, dyp[d + nq]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            c12 = s.fma(b2, c12);
            s = FloatVector.broadcast(S, dyp[d + 2 * nq]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            c22 = s.fma(b2, c22);
            s = FloatVector.broadcast(S, dyp[d + 3 * nq]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            c32 = s.fma(b2, c32);
            s = FloatVector.broadcast(S, dyp[d + 4 * nq]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
            c42 = s.fma(b2, c42);
        }
        FloatVector.zero(S).add(c00).intoArray(acc, at);
        FloatVector.zero(S).add(c01).intoArray(acc, at + L);
        FloatVector.zero(S).add(c02).intoArray(acc, at + 2 * L);
        FloatVector.zero(S).add(c10).intoArray(acc, at + ld);
        FloatVector.zero(S).add(c11).intoArray(acc, at + ld + L);
        FloatVector.zero(S).add(c12).intoArray(acc, at + ld + 2 * L);
        FloatVector.zero(S).add(c20).intoArray(acc, at + 2 * ld);
        FloatVector.zero(S).add(c21).intoArray(acc, at + 2 * ld + L);
        FloatVector.zero(S).add(c22).intoArray(acc, at + 2 * ld + 2 * L);
        FloatVector.zero(S).add(c30).intoArray(acc, at + 3 * ld);
        FloatVector.zero(S).add(c31).intoArray(acc, at + 3 * ld + L);
        FloatVector.zero(S).add(c32).intoArray(acc, at + 3 * ld + 2 * L);
        FloatVector.zero(S).add(c40).intoArray(acc, at + 4 * ld);
        FloatVector.zero(S).add(c41).intoArray(acc, at + 4 * ld + L);
        FloatVector.zero(S).add(c42).intoArray(acc, at + 4 * ld + 2 * L);
    }

    /**
     * acc[(o0 + r)·ld + at .. +3L) += Σ_{q &lt; nq} src[base[q] + off ..] · dyp[(o0 + r)·nq + q], r
     * &lt; 8, points in order (image by image): the AVX-512 tile.
     */
    private static void weightTileAdd(
            float[] src,
            int[] base,
            int off,
            float[] dyp,
            int o0,
            int rows,
            int nq,
            float[] acc,
            int at,
            int ld) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00;

        for (int q = 0; q < nq; q++) {
            int xs = base[q] + off, d = o0 * nq + q;
            FloatVector b0 = FloatVector.fromArray(S, src, xs),
                    b1 = FloatVector.fromArray(S, src, xs + L),
                    b2 = FloatVector.fromArray(S, src, xs + 2 * L);
            FloatVector s = FloatVector.broadcast(S, dyp[d]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            c02 = s.fma(b2, c02);
            s = FloatVector.broadcast(S, dyp[d + nq]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            c12 = s.fma(b2, c12);
            s = FloatVector.broadcast(S, dyp[d + 2 * nq]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            c22 = s.fma(b2, c22);
            s = FloatVector.broadcast(S, dyp[d + 3 * nq]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            c32 = s.fma(b2, c32);
            s = FloatVector.broadcast(S, dyp[d + 4 * nq]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
            c42 = s.fma(b2, c42);
        }
        FloatVector.fromArray(S, acc, at).add(c00).intoArray(acc, at);
        FloatVector.fromArray(S, acc, at + L).add(c01).intoArray(acc, at + L);
        FloatVector.fromArray(S, acc, at + 2 * L).add(c02).intoArray(acc, at + 2 * L);
        FloatVector.fromArray(S, acc, at + ld).add(c10).intoArray(acc, at + ld);
        FloatVector.fromArray(S, acc, at + ld + L).add(c11).intoArray(acc, at + ld + L);
        FloatVector.fromArray(S, acc, at + ld + 2 * L).add(c12).intoArray(acc, at + ld + 2 * L);
        FloatVector.fromArray(S, acc, at + 2 * ld).add(c20).intoArray(acc, at + 2 * ld);
        FloatVector.fromArray(S, acc, at + 2 * ld + L).add(c21).intoArray(acc, at + 2 * ld + L);
        FloatVector.fromArray(S, acc, at + 2 * ld + 2 * L)
                .add(c22)
                .intoArray(acc, at + 2 * ld + 2 * L);
        FloatVector.fromArray(S, acc, at + 3 * ld).add(c30).intoArray(acc, at + 3 * ld);
        FloatVector.fromArray(S, acc, at + 3 * ld + L).add(c31).intoArray(acc, at + 3 * ld + L);
        FloatVector.fromArray(S, acc, at + 3 * ld + 2 * L)
                .add(c32)
                .intoArray(acc, at + 3 * ld + 2 * L);
        FloatVector.fromArray(S, acc, at + 4 * ld).add(c40).intoArray(acc, at + 4 * ld);
        FloatVector.fromArray(S, acc, at + 4 * ld + L).add(c41).intoArray(acc, at + 4 * ld + L);
        FloatVector.fromArray(S, acc, at + 4 * ld + 2 * L)
                .add(c42)
                .intoArray(acc, at + 4 * ld + 2 * L);
    }

    /** {@link #weightTilePut} with 5 channels × 2 vectors (AVX2, and runs that 3 vectors pad). */
    private static void weightTile2Put(
            float[] src,
            int[] base,
            int off,
            float[] dyp,
            int o0,
            int rows,
            int nq,
            float[] acc,
            int at,
            int ld) {
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
        for (int q = 0; q < nq; q++) {
            int xs = base[q] + off, d = o0 * nq + q;
            FloatVector b0 = FloatVector.fromArray(S, src, xs),
                    b1 = FloatVector.fromArray(S, src, xs + L);
            FloatVector s = FloatVector.broadcast(S, dyp[d]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(S, dyp[d + nq]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(S, dyp[d + 2 * nq]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(S, dyp[d + 3 * nq]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(S, dyp[d + 4 * nq]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
        }
        FloatVector.zero(S).add(c00).intoArray(acc, at);
        FloatVector.zero(S).add(c01).intoArray(acc, at + L);
        FloatVector.zero(S).add(c10).intoArray(acc, at + ld);
        FloatVector.zero(S).add(c11).intoArray(acc, at + ld + L);
        FloatVector.zero(S).add(c20).intoArray(acc, at + 2 * ld);
        FloatVector.zero(S).add(c21).intoArray(acc, at + 2 * ld + L);
        FloatVector.zero(S).add(c30).intoArray(acc, at + 3 * ld);
        FloatVector.zero(S).add(c31).intoArray(acc, at + 3 * ld + L);
        FloatVector.zero(S).add(c40).intoArray(acc, at + 4 * ld);
        FloatVector.zero(S).add(c41).intoArray(acc, at + 4 * ld + L);
    }

    /** {@link #weightTileAdd} with 5 channels × 2 vectors. */
    private static void weightTile2Add(
            float[] src,
            int[] base,
            int off,
            float[] dyp,
            int o0,
            int rows,
            int nq,
            float[] acc,
            int at,
            int ld) {
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
        for (int q = 0; q < nq; q++) {
            int xs = base[q] + off, d = o0 * nq + q;
            FloatVector b0 = FloatVector.fromArray(S, src, xs),
                    b1 = FloatVector.fromArray(S, src, xs + L);
            FloatVector s = FloatVector.broadcast(S, dyp[d]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(S, dyp[d + nq]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(S, dyp[d + 2 * nq]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(S, dyp[d + 3 * nq]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(S, dyp[d + 4 * nq]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
        }
        FloatVector.fromArray(S, acc, at).add(c00).intoArray(acc, at);
        FloatVector.fromArray(S, acc, at + L).add(c01).intoArray(acc, at + L);
        FloatVector.fromArray(S, acc, at + ld).add(c10).intoArray(acc, at + ld);
        FloatVector.fromArray(S, acc, at + ld + L).add(c11).intoArray(acc, at + ld + L);
        FloatVector.fromArray(S, acc, at + 2 * ld).add(c20).intoArray(acc, at + 2 * ld);
        FloatVector.fromArray(S, acc, at + 2 * ld + L).add(c21).intoArray(acc, at + 2 * ld + L);
        FloatVector.fromArray(S, acc, at + 3 * ld).add(c30).intoArray(acc, at + 3 * ld);
        FloatVector.fromArray(S, acc, at + 3 * ld + L).add(c31).intoArray(acc, at + 3 * ld + L);
        FloatVector.fromArray(S, acc, at + 4 * ld).add(c40).intoArray(acc, at + 4 * ld);
        FloatVector.fromArray(S, acc, at + 4 * ld + L).add(c41).intoArray(acc, at + 4 * ld + L);
    }

    // ------------------------------------------------------------------------------ the GEMM

    /**
     * Floats of k per pass over the points: a segment's NR-column weight panel (KC·NR floats, 24
     * KiB on AVX-512) stays in L1 while every point's tile passes over it. A whole 4×4-stage column
     * block (1,440 k, 184 KiB) came from L2 for each 5-point tile.
     */
    static final int KC = 192;

    /**
     * out[q, o] for q &lt; nq (base padded to a multiple of MR), o &lt; cout (a multiple of L; the
     * packs hold padTo(cout, NR) columns): Σ_r Σ_{k &lt; len[r]} src[base[q] + run[r] + k] · wp[((o
     * / NR)·kk + k')·NR + o % NR], k' = k plus the lengths of the runs before r, kk = Σ len. Each
     * output's FMAs run in k' order from +0 (segments of at most KC k continue from the value the
     * previous segment stored), so the bits do not depend on KC.
     */
    static void gemm(
            float[] src,
            int[] base,
            int nq,
            int[] run,
            int[] len,
            int kk,
            float[] wp,
            int cout,
            float[] out) {
        // every tile continues from out, zeroed first (the same FMAs from +0 as a register zero; a
        // vector chosen between a load and a zero by a flag is boxed by C2 where it does not
        // inline the choice, as no helper that takes or returns a vector should be relied on)
        Arrays.fill(out, 0, padTo(nq, MR) * cout, 0f);
        int blocks = (cout + NR - 1) / NR;
        for (int ob = 0; ob < blocks; ob++) {
            boolean half = (ob + 1) * NR > cout; // the last L columns of a cout ≡ L (mod NR)
            for (int r = 0, kp = 0; r < run.length; kp += len[r], r++)
                for (int k0 = 0; k0 < len[r]; k0 += KC) {
                    int n = Math.min(KC, len[r] - k0), off = run[r] + k0;
                    int wo = (ob * kk + kp + k0) * NR;
                    for (int q = 0; q < nq; q += MR) {
                        int oo = q * cout + ob * NR;
                        if (half)
                            tileHalf(
                                    src,
                                    base[q] + off,
                                    base[q + 1] + off,
                                    base[q + 2] + off,
                                    base[q + 3] + off,
                                    base[q + 4] + off,
                                    n,
                                    wp,
                                    wo,
                                    out,
                                    oo,
                                    cout);
                        else
                            tile(
                                    src,
                                    base[q] + off,
                                    base[q + 1] + off,
                                    base[q + 2] + off,
                                    base[q + 3] + off,
                                    base[q + 4] + off,
                                    n,
                                    wp,
                                    wo,
                                    out,
                                    oo,
                                    cout);
                    }
                }
        }
    }

    /**
     * The 5 × NR tile of out at row q (src offsets p0 … p4 of this segment), over n k from wo in
     * wp, continuing from what out holds (zeroed before the first segment).
     */
    private static void tile(
            float[] src,
            int p0,
            int p1,
            int p2,
            int p3,
            int p4,
            int n,
            float[] wp,
            int wo,
            float[] out,
            int oo,
            int ld) {
        FloatVector c00 = FloatVector.fromArray(S, out, oo),
                c01 = FloatVector.fromArray(S, out, oo + L),
                c10 = FloatVector.fromArray(S, out, oo + ld),
                c11 = FloatVector.fromArray(S, out, oo + ld + L),
                c20 = FloatVector.fromArray(S, out, oo + 2 * ld),
                c21 = FloatVector.fromArray(S, out, oo + 2 * ld + L),
                c30 = FloatVector.fromArray(S, out, oo + 3 * ld),
                c31 = FloatVector.fromArray(S, out, oo + 3 * ld + L),
                c40 = FloatVector.fromArray(S, out, oo + 4 * ld),
                c41 = FloatVector.fromArray(S, out, oo + 4 * ld + L);
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(S, wp, wo + k * NR),
                    b1 = FloatVector.fromArray(S, wp, wo + k * NR + L);
            FloatVector s = FloatVector.broadcast(S, src[p0 + k]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(S, src[p1 + k]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(S, src[p2 + k]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(S, src[p3 + k]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(S, src[p4 + k]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
        }
        c00.intoArray(out, oo);
        c01.intoArray(out, oo + L);
        c10.intoArray(out, oo + ld);
        c11.intoArray(out, oo + ld + L);
        c20.intoArray(out, oo + 2 * ld);
        c21.intoArray(out, oo + 2 * ld + L);
        c30.intoArray(out, oo + 3 * ld);
        c31.intoArray(out, oo + 3 * ld + L);
        c40.intoArray(out, oo + 4 * ld);
        c41.intoArray(out, oo + 4 * ld + L);
    }

    /**
     * {@link #tile} for the last L columns only (Co = 80 is 2.5 blocks of NR on AVX-512: padding it
     * to 96 had computed a sixth of the layer to throw it away). The same FMA chains per output.
     */
    private static void tileHalf(
            float[] src,
            int p0,
            int p1,
            int p2,
            int p3,
            int p4,
            int n,
            float[] wp,
            int wo,
            float[] out,
            int oo,
            int ld) {
        FloatVector c0 = FloatVector.fromArray(S, out, oo),
                c1 = FloatVector.fromArray(S, out, oo + ld),
                c2 = FloatVector.fromArray(S, out, oo + 2 * ld),
                c3 = FloatVector.fromArray(S, out, oo + 3 * ld),
                c4 = FloatVector.fromArray(S, out, oo + 4 * ld);
        for (int k = 0; k < n; k++) {
            FloatVector b0 = FloatVector.fromArray(S, wp, wo + k * NR);
            c0 = FloatVector.broadcast(S, src[p0 + k]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, src[p1 + k]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, src[p2 + k]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, src[p3 + k]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, src[p4 + k]).fma(b0, c4);
        }
        c0.intoArray(out, oo);
        c1.intoArray(out, oo + ld);
        c2.intoArray(out, oo + 2 * ld);
        c3.intoArray(out, oo + 3 * ld);
        c4.intoArray(out, oo + 4 * ld);
    }
}
