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
 * Taps that read the zero border are left out ({@link #skipPad}): each point has a window of the
 * runs and taps it reads inside the source, the GEMM's rows are grouped by window so that a tile's
 * points share theirs, and the weight gradient sums each block of columns over the points that read
 * it inside. At ResNet's 4×4 stage (pad 1) that is 31 % of all taps, the same bits.
 *
 * <p>Images are split over {@link CpuThreads}; every output element is computed by the same
 * instructions whatever the thread count.
 */
public final class ConvNhwcSimd {
    private ConvNhwcSimd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length(), MR = 5, NR = 2 * L;

    /** A group's channels-last copy aims at this many floats (256 KiB, half of L2). */
    static final int GROUP_FLOATS = 1 << 16;

    /**
     * Whether {@link arm.kernels.cpu.CpuConv} takes this kernel where it pays by shape ({@code
     * -Darm.conv.channelsLast=false} gives those shapes to the direct, strided and im2col kernels).
     */
    public static final boolean ON =
            !"false".equals(System.getProperty("arm.conv.channelsLast", "true"));

    /** Square stride and padding smaller than the kernel; any channel counts. */
    public static boolean supports(ConvShape g) {
        return g.stride >= 1
                && g.pad < g.kh
                && g.pad < g.kw
                && g.ho > 0
                && g.wo > 0
                && g.kh < 256 // a point's window keeps its tap indices in a byte each
                && g.kw < 256;
    }

    /**
     * Per-thread scratch, grown on demand: the channels-last group copy, the output rows, and the
     * points' int arrays (bases, the weight gradient's dy offsets, windows, rows by point, tile
     * windows).
     */
    private static final class Work {
        private float[] src = new float[0], out = new float[0];
        private final int[][] ints = new int[5][0];
        final float[] tile = new float[MR * 2 * NR]; // a weight-gradient tile

        float[] src(int size) {
            if (src.length < size) src = new float[size];
            return src;
        }

        float[] out(int size) {
            if (out.length < size) out = new float[size];
            return out;
        }

        private int[] ints(int slot, int size) {
            if (ints[slot].length < size) ints[slot] = new int[size];
            return ints[slot];
        }

        int[] base(int size) {
            return ints(0, size);
        }

        int[] dyAt(int size) {
            return ints(1, size);
        }

        int[] win(int size) {
            return ints(2, size);
        }

        int[] rowOf(int size) {
            return ints(3, size);
        }

        int[] tileWin(int size) {
            return ints(4, size);
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

    // ------------------------------------------------------------------------------ the border's
    // taps

    /**
     * Whether the GEMMs leave out the taps that read the zero border of the channels-last copy
     * ({@code -Darm.conv.skipPad=false} computes every tap of every point). At ResNet's 4×4 stage
     * with pad 1 those are 31 % of all taps, at 8×8 16 %. Leaving them out keeps every bit for
     * finite data: each chain starts at +0 and fma(w, +0, acc) = acc for any acc but −0, which a
     * chain that starts at +0 reaches only by an underflow to −0 (products below 1e-45). Weights
     * that are infinite or NaN would give NaN through the border's zeros and give their own value
     * without.
     */
    static boolean skipPad = !"false".equals(System.getProperty("arm.conv.skipPad", "true"));

    /** Sets {@link #skipPad} (for benchmarks that time both; not thread-safe against calls). */
    public static void skipPad(boolean on) {
        skipPad = on;
    }

    /** {@link #skipPad}'s current setting. */
    public static boolean skipsPad() {
        return skipPad;
    }

    /** A window with no tap: rLo = tLo = 255 above rHi = tHi = 0 (neutral in {@link #union}). */
    static final int EMPTY = 0xff | 0xff << 16;

    /**
     * The taps of one point that read inside the source, packed a byte each as rLo | rHi &lt;&lt; 8
     * | tLo &lt;&lt; 16 | tHi &lt;&lt; 24: runs r ∈ [rLo, rHi], where run r reads source row row0 +
     * r of h, and within each run taps t ∈ [tLo, tHi], where tap t reads column col0 + t of w. The
     * border lies outside both ranges and is contiguous, so what is inside is one rectangle.
     */
    static int window(int row0, int runs, int h, int col0, int taps, int w) {
        if (!skipPad) return full(runs, taps);
        int rLo = Math.max(0, -row0), rHi = Math.min(runs - 1, h - 1 - row0);
        int tLo = Math.max(0, -col0), tHi = Math.min(taps - 1, w - 1 - col0);
        if (rLo > rHi || tLo > tHi) return EMPTY;
        return rLo | rHi << 8 | tLo << 16 | tHi << 24;
    }

    /** Every tap: runs [0, runs), taps [0, taps). */
    static int full(int runs, int taps) {
        return (runs - 1) << 8 | (taps - 1) << 24;
    }

    /** The smallest window holding both (the taps a tile of points computes). */
    static int union(int a, int b) {
        return Math.min(a & 0xff, b & 0xff)
                | Math.max(a >>> 8 & 0xff, b >>> 8 & 0xff) << 8
                | Math.min(a >>> 16 & 0xff, b >>> 16 & 0xff) << 16
                | Math.max(a >>> 24, b >>> 24) << 24;
    }

    /**
     * One image's points by window, then by index: the order {@link #layout} lays groups out in.
     */
    static int[] order(int[] key) {
        long[] t = new long[key.length];
        for (int i = 0; i < key.length; i++) t[i] = (long) key[i] << 32 | i;
        Arrays.sort(t);
        int[] o = new int[key.length];
        for (int i = 0; i < o.length; i++) o[i] = (int) t[i];
        return o;
    }

    /**
     * The GEMM rows of a group of nb images: its points (q = b·P + i, point i of image b at source
     * offset b·image + at[i]) grouped by window in the order {@code order}, image by image within
     * one window, so that the 5 or 10 points of a tile share their taps (at ResNet's 4×4 stage, 10
     * images make 9 windows of 40, 20 or 10 points). Fills base[pos] and win[pos] for pos &lt;
     * nb·P, padded to a multiple of MR by repeating the last, and rowOf[q] = pos. Any layout gives
     * the same bits: each row is its point's own FMA chain.
     */
    static void layout(
            int[] at,
            int[] key,
            int[] order,
            int nb,
            int image,
            int[] base,
            int[] win,
            int[] rowOf) {
        int p = at.length, pos = 0;
        for (int s = 0; s < p; ) {
            int e = s + 1;
            while (e < p && key[order[e]] == key[order[s]]) e++;
            for (int b = 0; b < nb; b++)
                for (int i = s; i < e; i++) {
                    int pt = order[i];
                    base[pos] = b * image + at[pt];
                    win[pos] = key[pt];
                    rowOf[b * p + pt] = pos++;
                }
            s = e;
        }
        for (int end = padTo(nb * p, MR); pos < end; pos++) {
            base[pos] = base[pos - 1];
            win[pos] = win[pos - 1];
        }
    }

    // ------------------------------------------------------------------------------ forward

    public static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("channels-last convolution does not take " + g);
        int hs = g.h + 2 * g.pad, ws = g.w + 2 * g.pad, image = hs * ws * g.ci;
        int area = g.kh * g.kw, kk = area * g.ci, cout = padTo(g.co, NR);
        float[] wp =
                WeightPacks.of(
                        w,
                        g.co * g.k,
                        cout * kk,
                        (src, out) -> packForward(src, g, out),
                        3,
                        g.ci,
                        g.co,
                        g.kh,
                        g.kw);
        int[] run = new int[g.kh];
        for (int u = 0; u < g.kh; u++) run[u] = u * ws * g.ci;
        // point (i, j) of an image: its offset, and the taps inside x (run u reads row i·s − p + u)
        int[] at = new int[g.p], key = new int[g.p];
        for (int i = 0, k = 0; i < g.ho; i++)
            for (int j = 0; j < g.wo; j++, k++) {
                at[k] = (i * g.stride * ws + j * g.stride) * g.ci;
                key[k] = window(i * g.stride - g.pad, g.kh, g.h, j * g.stride - g.pad, g.kw, g.w);
            }
        int[] order = order(key);
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
                    int[] base = wk.base(q), win = wk.win(q), rowOf = wk.rowOf(group * g.p);
                    for (int n0 = from; n0 < to; n0 += group) {
                        int nb = Math.min(group, to - n0), nq = nb * g.p;
                        toChannelsLast(x, n0, nb, g.ci, g.h, g.w, g.pad, g.pad, hs, ws, src);
                        layout(at, key, order, nb, image, base, win, rowOf);
                        gemm(src, base, win, nq, run, g.ci, g.kw * g.ci, kk, wp, cout, g.co, out);
                        fromRows(out, rowOf, cout, n0, nb, g.co, g.p, y);
                    }
                });
    }

    /**
     * wp[((o / NR)·kk + (u·kw + v)·Ci + c)·NR + o % NR] = w[o, c, u, v], zero past Co. By blocks of
     * NR output channels, each (c, u, v) writing its NR floats side by side: the block's NR rows of
     * w are read a few floats at a time from L1, and every write stream is sequential (writing one
     * channel at a time scattered single floats over the whole pack: 3 % of a plain step's CPU).
     */
    static void packForward(float[] w, ConvShape g, float[] wp) {
        int area = g.kh * g.kw, kk = area * g.ci, rowLen = g.ci * area;
        for (int o0 = 0; o0 < g.co; o0 += NR) {
            int rows = Math.min(NR, g.co - o0), blk = o0 / NR * kk;
            for (int c = 0; c < g.ci; c++)
                for (int uv = 0; uv < area; uv++) {
                    int dst = (blk + uv * g.ci + c) * NR, src = o0 * rowLen + c * area + uv;
                    for (int r = 0; r < rows; r++) wp[dst + r] = w[src + r * rowLen];
                    for (int r = rows; r < NR; r++) wp[dst + r] = 0f;
                }
        }
    }

    /** The channel-at-a-time packing that {@link #packForward} replaced (tests compare them). */
    static void packForwardNaive(float[] w, ConvShape g, float[] wp) {
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
     * [nb, hs, ws, C] buffer. Row by row, so that the row being written (ws·C floats) stays in L1;
     * within a row pixel by pixel, its C channels written consecutively from C rows of x, read H·W
     * floats apart: writing one channel at a time, C floats apart, took 1.5–1.8× as long at 80
     * channels of 8×8 and 160 of 4×4. Where those C rows fall into too few of L1's sets (below), or
     * C is tiny, the copy goes a channel at a time ({@link #toChannelsLastNaive}).
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
        if (channelAtATime(ch, h * w))
            toChannelsLastNaive(x, n0, nb, ch, h, w, top, left, hs, ws, src);
        else toChannelsLastByPixel(x, n0, nb, ch, h, w, top, left, hs, ws, src);
    }

    /**
     * Whether reading a pixel's C channels, H·W floats apart, would evict its own lines from L1:
     * rows 4 KiB apart (32×32 images: H·W = 1,024 floats) all map to one of L1's 64 sets, which
     * holds 8 lines, and rows 1 KiB apart (16×16) to 4 sets; 20 channels of 32×32 copied pixel by
     * pixel took 2.7× as long as a channel at a time, 80 of 16×16 1.4× (JDK 25, AVX-512 EPYC).
     * Under 4 channels the per-pixel loop is too short to pay (3 of 32×32: 1.6×).
     */
    static boolean channelAtATime(int ch, int hw) {
        int stride = hw * Float.BYTES % 4096;
        int sets = stride == 0 ? 1 : Math.min(64, 4096 / gcd(stride, 4096));
        return ch < 4 || ch > 8 * sets;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** {@link #toChannelsLast} pixel by pixel. */
    static void toChannelsLastByPixel(
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
        int image = hs * ws * ch, pitch = ws * ch, hw = h * w;
        for (int b = 0; b < nb; b++) {
            int img = b * image, from = (n0 + b) * ch * hw;
            Arrays.fill(src, img, img + top * pitch, 0f);
            Arrays.fill(src, img + (top + h) * pitch, img + image, 0f);
            for (int i = 0; i < h; i++) {
                int row = img + (i + top) * pitch, at = from + i * w;
                Arrays.fill(src, row, row + left * ch, 0f);
                Arrays.fill(src, row + (left + w) * ch, row + pitch, 0f);
                for (int j = 0; j < w; j++) {
                    int to = row + (left + j) * ch;
                    for (int c = 0; c < ch; c++) src[to + c] = x[at + c * hw + j];
                }
            }
        }
    }

    /** {@link #toChannelsLast} a channel at a time (the twin the tests compare with). */
    static void toChannelsLastNaive(
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
     * y[n0 + b, o, p] = out[rowOf[b·P + p], o] for o &lt; co: the GEMM's rows back to
     * channels-first, 16 points at a time (their rows stay in L1 while every channel is written).
     */
    static void fromRows(
            float[] out, int[] rowOf, int ld, int n0, int nb, int co, int p, float[] y) {
        int[] row = new int[16];
        for (int b = 0; b < nb; b++)
            for (int p0 = 0; p0 < p; p0 += 16) {
                int pn = Math.min(16, p - p0);
                for (int j = 0; j < pn; j++) row[j] = rowOf[b * p + p0 + j] * ld;
                for (int o = 0; o < co; o++) {
                    int dst = ((n0 + b) * co + o) * p + p0;
                    for (int j = 0; j < pn; j++) y[dst + j] = out[row[j] + o];
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
                cout = padTo(g.ci, NR);
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
                    int[] base = wk.base(maxQ), win = wk.win(maxQ);
                    int[] rowOf = wk.rowOf(maxQ);
                    for (int n0 = from; n0 < to; n0 += group) {
                        int nb = Math.min(group, to - n0);
                        toChannelsLast(dy, n0, nb, g.co, g.ho, g.wo, dLo, dLoW, hs, ws, src);
                        for (Phase ph : phases)
                            ph.run(g, src, image, n0, nb, base, win, rowOf, out, cout, dx);
                    }
                });
    }

    /** The dx points with ih ≡ a, iw ≡ b (mod s), and the runs of kernel taps that reach them. */
    static final class Phase {
        final int a, b, rows, cols, points, kk, len, rowPitch;
        final int[] run;

        /** Point (r, c) of the phase, index r·cols + c: its dy offset, window, and the order. */
        final int[] at, key, order;

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
            len = vs.length * g.co;
            kk = runs * len;
            // run r reads dy row r' + row0 + r of dx row a + r'·s (us descend by s), tap t of it
            // dy column c' + col0 + t (vs[0] is the largest v: the leftmost dy pixel of the run)
            int row0 = runs == 0 ? 0 : Math.floorDiv(a + g.pad - us[0], s),
                    col0 = runs == 0 ? 0 : Math.floorDiv(b + g.pad - vs[0], s);
            for (int r = 0; r < runs; r++) run[r] = ((row0 + r + dLo) * ws + col0 + dLoW) * g.co;
            at = new int[points];
            key = new int[points];
            for (int r = 0, k = 0; r < rows; r++)
                for (int c = 0; c < cols; c++, k++) {
                    at[k] = r * rowPitch + c * g.co;
                    key[k] =
                            runs == 0
                                    ? EMPTY
                                    : window(r + row0, runs, g.ho, c + col0, vs.length, g.wo);
                }
            order = order(key);
            wp =
                    WeightPacks.of(
                            w,
                            g.co * g.k,
                            cout * Math.max(1, kk),
                            (src, out) -> pack(src, g, us, vs, runs, kk, cout, out),
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

        /**
         * wp[((c / NR)·kk + k)·NR + c % NR] = w[o, c, us[r], vs[t]], k = (r·|vs| + t)·Co + o, zero
         * for c ≥ Ci. By blocks of NR input channels, k ascending: the writes run through the
         * block's panel in order, and the reads of one k stay within one row of w.
         */
        static void pack(
                float[] w,
                ConvShape g,
                int[] us,
                int[] vs,
                int runs,
                int kk,
                int cout,
                float[] wp) {
            int area = g.kh * g.kw;
            for (int c0 = 0; c0 < cout; c0 += NR) {
                int cols = Math.max(0, Math.min(NR, g.ci - c0)), blk = c0 / NR * kk;
                for (int r = 0; r < runs; r++)
                    for (int t = 0; t < vs.length; t++) {
                        int tap = us[r] * g.kw + vs[t];
                        for (int o = 0; o < g.co; o++) {
                            int dst = (blk + (r * vs.length + t) * g.co + o) * NR,
                                    src = (o * g.ci + c0) * area + tap;
                            for (int j = 0; j < cols; j++) wp[dst + j] = w[src + j * area];
                            for (int j = cols; j < NR; j++) wp[dst + j] = 0f;
                        }
                    }
            }
        }

        /** The packing that {@link #pack} replaced (tests compare them). */
        static void packNaive(
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
                int[] win,
                int[] rowOf,
                float[] out,
                int cout,
                float[] dx) {
            if (points == 0) return;
            int nq = nb * points, s = g.stride;
            if (kk > 0) {
                layout(at, key, order, nb, image, base, win, rowOf);
                gemm(src, base, win, nq, run, g.co, len, kk, wp, cout, g.ci, out);
            }
            for (int img = 0; img < nb; img++)
                for (int r = 0; r < rows; r++) { // one dx row of this phase: its rows stay in L1
                    int q = (img * rows + r) * cols;
                    for (int ch = 0; ch < g.ci; ch++) {
                        int dst = (((n0 + img) * g.ci + ch) * g.h + a + r * s) * g.w + b;
                        if (kk == 0) for (int c = 0; c < cols; c++) dx[dst + c * s] = 0f;
                        else
                            for (int c = 0; c < cols; c++)
                                dx[dst + c * s] = out[rowOf[q + c] * cout + ch];
                    }
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
     * Blocks are 2·NR wide where the run has them (20 accumulators: {@link #weightPointsWide}), the
     * last one NR wide when the run has an odd number of NR blocks; the same bits as NR-wide blocks
     * throughout ({@link #wideWeightTiles}). A block sums over all the points of a group in one
     * loop, less those that read only the border there ({@link #pointList}).
     */
    public static void backwardWeight(float[] x, float[] dy, float[] dw, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("channels-last convolution does not take " + g);
        int hs = g.h + 2 * g.pad, ws = g.w + 2 * g.pad, image = hs * ws * g.ci;
        int runLen = g.kw * g.ci,
                runPad = padTo(runLen, NR),
                width = g.kh * runPad,
                obs = (g.co + MR - 1) / MR;
        // two parts of ⌈N/2⌉ images and the rest (the shape alone decides them, never the thread
        // count), each in groups of the images that fit GROUP_FLOATS: at 32×32 a batch of 10
        // makes groups of 2, 2, 1 in each part (groups of 2 shared out whole would split it 4 : 6)
        int parts = Math.max(1, Math.min(WEIGHT_PARTS, g.n)), per = (g.n + parts - 1) / parts;
        int group = Math.max(1, Math.min(per, GROUP_FLOATS / image));
        float[][] partial = new float[parts][]; // [o][u][k], summed into
        for (int i = 0; i < parts; i++) {
            partial[i] = pack(i, obs * MR * width);
            Arrays.fill(partial[i], 0, obs * MR * width, 0f);
        }
        if (threads >= parts)
            CpuThreads.run(parts, part -> weightPart(x, dy, g, part, parts, group, partial[part]));
        else
            for (int part = 0; part < parts; part++)
                weightPart(x, dy, g, part, parts, group, partial[part]);
        // the partial sums added in part order, a vector at a time (the same single rounding per
        // part as adding them into a zeroed dw one by one: a partial sum starts from +0 and is
        // never −0, so 0 + p0 is p0 bit for bit), then one scalar transpose into dw[o, c, u, v];
        // the scalar pass over every part had cost about as much as the FMAs at the 4×4 stage
        float[] sum = partial[0];
        int used = g.co * width;
        for (int i = 1; i < parts; i++) {
            float[] pt = partial[i];
            int k = 0;
            for (; k <= used - L; k += L)
                FloatVector.fromArray(S, sum, k)
                        .add(FloatVector.fromArray(S, pt, k))
                        .intoArray(sum, k);
            for (; k < used; k++) sum[k] += pt[k];
        }
        int kk = g.kh * g.kw;
        for (int o = 0; o < g.co; o++)
            for (int u = 0; u < g.kh; u++)
                for (int v = 0; v < g.kw; v++) {
                    int from = o * width + u * runPad + v * g.ci, to = o * g.ci * kk + u * g.kw + v;
                    for (int c = 0; c < g.ci; c++) dw[to + c * kk] = sum[from + c];
                }
    }

    /**
     * The partial sum over images of part {@code part} (of {@code parts}), group by group. Each
     * (kernel row u, block of columns) sums over the group's points that read a tap of the block
     * inside x: a point whose row u or whose block's taps all lie in the border reads zeros only
     * there, and is left out of that block (with {@link #skipPad}; the same bits, as in {@link
     * #gemm}). The blocks' points are kept in lists, one per distinct (u, taps of the block), in
     * point order, so every column sums the same products in the same order as over all points.
     */
    private static void weightPart(
            float[] x, float[] dy, ConvShape g, int part, int parts, int group, float[] acc) {
        int hs = g.h + 2 * g.pad, ws = g.w + 2 * g.pad, image = hs * ws * g.ci;
        int runPad = padTo(g.kw * g.ci, NR), width = g.kh * runPad;
        int per = (g.n + parts - 1) / parts;
        int from = Math.min(g.n, part * per), to = Math.min(g.n, from + per);
        Work wk = WORK.get();
        float[] src = wk.src(group * image + NR);
        float[] tile = wk.tile;
        // the blocks of one run (2·NR wide where the run has them) and the taps each covers
        int nBlocks = 0;
        int[] bk = new int[runPad / NR], bw = new int[runPad / NR];
        for (int k = 0; k < runPad; k += bw[nBlocks++]) {
            bk[nBlocks] = k;
            bw[nBlocks] = wideWeightTiles && k + 2 * NR <= runPad ? 2 * NR : NR;
        }
        // one point list per distinct (u, first tap, last tap): its index by (u, block)
        int[] listOf = new int[g.kh * nBlocks], pattern = new int[g.kh * nBlocks];
        int lists = 0;
        for (int u = 0; u < g.kh; u++)
            for (int i = 0; i < nBlocks; i++) {
                int vA = bk[i] / g.ci, vB = Math.min(g.kw - 1, (bk[i] + bw[i] - 1) / g.ci);
                int pat = u | vA << 8 | vB << 16, l = 0;
                while (l < lists && pattern[l] != pat) l++;
                if (l == lists) pattern[lists++] = pat;
                listOf[u * nBlocks + i] = l;
            }
        int nqMax = group * g.p;
        int[] lb = wk.base(lists * nqMax), la = wk.dyAt(lists * nqMax), count = new int[lists];
        for (int n0 = from, listed = 0; n0 < to; n0 += group) {
            int nb = Math.min(group, to - n0);
            toChannelsLast(x, n0, nb, g.ci, g.h, g.w, g.pad, g.pad, hs, ws, src);
            if (nb != listed) { // offsets within a group: made once, and again for a shorter one
                for (int l = 0; l < lists; l++)
                    count[l] = pointList(g, pattern[l], nb, image, ws, lb, la, l * nqMax);
                listed = nb;
            }
            for (int o0 = 0; o0 < g.co; o0 += MR)
                for (int u = 0; u < g.kh; u++)
                    for (int i = 0; i < nBlocks; i++) {
                        int l = listOf[u * nBlocks + i];
                        if (count[l] == 0) continue; // every product zero: acc stays
                        weightTile(
                                src,
                                lb,
                                la,
                                l * nqMax,
                                count[l],
                                u * ws * g.ci + bk[i],
                                dy,
                                g,
                                n0,
                                o0,
                                acc,
                                o0 * width + u * runPad + bk[i],
                                width,
                                tile,
                                bw[i] == 2 * NR);
                    }
        }
    }

    /**
     * The points of nb images (in order) that read inside x through kernel row u and some tap v ∈
     * [vA, vB] (pattern u | vA &lt;&lt; 8 | vB &lt;&lt; 16; all points without {@link #skipPad}):
     * their channels-last offsets into base and the offsets of their dy row into dyAt, from {@code
     * at} on. Returns how many.
     */
    static int pointList(
            ConvShape g, int pattern, int nb, int image, int ws, int[] base, int[] dyAt, int at) {
        int u = pattern & 0xff, vA = pattern >>> 8 & 0xff, vB = pattern >>> 16, s = g.stride;
        int n = 0;
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < g.ho; i++) {
                int row = i * s - g.pad + u;
                if (skipPad && (row < 0 || row >= g.h)) continue;
                for (int j = 0; j < g.wo; j++) {
                    int col = j * s - g.pad; // tap v reads column col + v
                    if (skipPad && Math.max(vA, -col) > Math.min(vB, g.w - 1 - col)) continue;
                    base[at + n] = b * image + (i * s * ws + j * s) * g.ci;
                    dyAt[at + n++] = b * g.co * g.p + i * g.wo + j; // image b's row of dy, (i, j)
                }
            }
        return n;
    }

    /**
     * Whether the weight gradient takes 2·NR columns at a time where a run has them ({@link
     * #weightPointsWide}); off, every block is NR wide. The same bits either way: each column's sum
     * runs over the same points in the same order, the tile's width only decides which columns
     * share the loads of dy. Tests switch it to compare the two.
     */
    static boolean wideWeightTiles = true;

    /**
     * acc[(o0 + r)·ld + at .. +NR) += Σ_{q ∈ list} src[base[q] + off ..] · dy[n0 + b_q, o0 + r,
     * point of q] (2·NR columns when {@code wide}), the list being base[l0, l0 + nq) and dyAt
     * likewise ({@link #pointList}): summed in t ({@link #weightPointsWide} or {@link
     * #weightPoints}), then added to acc.
     */
    private static void weightTile(
            float[] src,
            int[] base,
            int[] dyAt,
            int l0,
            int nq,
            int off,
            float[] dy,
            ConvShape g,
            int n0,
            int o0,
            float[] acc,
            int at,
            int ld,
            float[] t,
            boolean wide) {
        int p = g.p, last = g.co - 1; // rows past Co repeat the last one and are not kept
        int w = wide ? 2 * NR : NR; // t holds row r at r·w
        int img = n0 * g.co;
        int d0 = (img + o0) * p,
                d1 = (img + Math.min(o0 + 1, last)) * p,
                d2 = (img + Math.min(o0 + 2, last)) * p,
                d3 = (img + Math.min(o0 + 3, last)) * p,
                d4 = (img + Math.min(o0 + 4, last)) * p;
        if (wide) weightPointsWide(src, base, dyAt, l0, nq, off, dy, d0, d1, d2, d3, d4, t);
        else weightPoints(src, base, dyAt, l0, nq, off, dy, d0, d1, d2, d3, d4, t);
        for (int r = 0; r < MR; r++) {
            int a = at + r * ld;
            for (int e = 0; e < w; e += L)
                FloatVector.fromArray(S, acc, a + e)
                        .add(FloatVector.fromArray(S, t, r * w + e))
                        .intoArray(acc, a + e);
        }
    }

    /**
     * NR columns of {@link #weightTile}: 5 rows × 2 vectors, 10 accumulators from zero; point q of
     * the list reads src at base[q] + off and dy at d0 … d4 plus dyAt[q]. t holds row r at r·NR.
     */
    private static void weightPoints(
            float[] src,
            int[] base,
            int[] dyAt,
            int l0,
            int nq,
            int off,
            float[] dy,
            int d0,
            int d1,
            int d2,
            int d3,
            int d4,
            float[] t) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
        c00 = FloatVector.zero(S);
        c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c00;
        for (int q = l0; q < l0 + nq; q++) {
            int xs = base[q] + off, at = dyAt[q];
            FloatVector b0 = FloatVector.fromArray(S, src, xs),
                    b1 = FloatVector.fromArray(S, src, xs + L);
            FloatVector s = FloatVector.broadcast(S, dy[d0 + at]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            s = FloatVector.broadcast(S, dy[d1 + at]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            s = FloatVector.broadcast(S, dy[d2 + at]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            s = FloatVector.broadcast(S, dy[d3 + at]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            s = FloatVector.broadcast(S, dy[d4 + at]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
    }

    /**
     * {@link #weightPoints} for 2·NR columns: 5 rows × 4 vectors, 20 accumulators (with the 4 loads
     * of src and a broadcast, 25 of AVX-512's 32 registers). Per point 4 loads of src and 5 of dy
     * feed 20 FMAs, against 2 and 5 for 10 in the narrow tile. t holds row r at r·2·NR.
     */
    private static void weightPointsWide(
            float[] src,
            int[] base,
            int[] dyAt,
            int l0,
            int nq,
            int off,
            float[] dy,
            int d0,
            int d1,
            int d2,
            int d3,
            int d4,
            float[] t) {
        final int w = 2 * NR;
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        FloatVector c30, c31, c32, c33, c40, c41, c42, c43;
        c00 = FloatVector.zero(S);
        c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c00;
        c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c00;
        for (int q = l0; q < l0 + nq; q++) {
            int xs = base[q] + off, at = dyAt[q];
            FloatVector b0 = FloatVector.fromArray(S, src, xs),
                    b1 = FloatVector.fromArray(S, src, xs + L),
                    b2 = FloatVector.fromArray(S, src, xs + 2 * L),
                    b3 = FloatVector.fromArray(S, src, xs + 3 * L);
            FloatVector s = FloatVector.broadcast(S, dy[d0 + at]);
            c00 = s.fma(b0, c00);
            c01 = s.fma(b1, c01);
            c02 = s.fma(b2, c02);
            c03 = s.fma(b3, c03);
            s = FloatVector.broadcast(S, dy[d1 + at]);
            c10 = s.fma(b0, c10);
            c11 = s.fma(b1, c11);
            c12 = s.fma(b2, c12);
            c13 = s.fma(b3, c13);
            s = FloatVector.broadcast(S, dy[d2 + at]);
            c20 = s.fma(b0, c20);
            c21 = s.fma(b1, c21);
            c22 = s.fma(b2, c22);
            c23 = s.fma(b3, c23);
            s = FloatVector.broadcast(S, dy[d3 + at]);
            c30 = s.fma(b0, c30);
            c31 = s.fma(b1, c31);
            c32 = s.fma(b2, c32);
            c33 = s.fma(b3, c33);
            s = FloatVector.broadcast(S, dy[d4 + at]);
            c40 = s.fma(b0, c40);
            c41 = s.fma(b1, c41);
            c42 = s.fma(b2, c42);
            c43 = s.fma(b3, c43);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c02.intoArray(t, 2 * L);
        c03.intoArray(t, 3 * L);
        c10.intoArray(t, w);
        c11.intoArray(t, w + L);
        c12.intoArray(t, w + 2 * L);
        c13.intoArray(t, w + 3 * L);
        c20.intoArray(t, 2 * w);
        c21.intoArray(t, 2 * w + L);
        c22.intoArray(t, 2 * w + 2 * L);
        c23.intoArray(t, 2 * w + 3 * L);
        c30.intoArray(t, 3 * w);
        c31.intoArray(t, 3 * w + L);
        c32.intoArray(t, 3 * w + 2 * L);
        c33.intoArray(t, 3 * w + 3 * L);
        c40.intoArray(t, 4 * w);
        c41.intoArray(t, 4 * w + L);
        c42.intoArray(t, 4 * w + 2 * L);
        c43.intoArray(t, 4 * w + 3 * L);
    }

    // ------------------------------------------------------------------------------ the GEMM

    /**
     * out[q, o] for q &lt; nq (base and win padded to a multiple of MR), o &lt; cout (a multiple of
     * NR): Σ_r Σ_{k &lt; len} src[base[q] + run[r] + k] · wp[((o / NR)·kk + r·len + k)·NR + o %
     * NR], kk = runs·len, each run len = taps·chan floats (tap t is k ∈ [t·chan, (t + 1)·chan)). A
     * tile of points computes only the runs and taps of the union of their windows ({@link
     * #window}): the border's taps, zero in src, are left out. Columns from {@code used} on are
     * padding (zero weights): when the last block of NR columns uses at most one vector of them (80
     * output channels on AVX-512: 2 blocks and 16 of a third; 40: 1 and 8), that block runs the
     * one-vector tiles ({@link #tileNarrow}), which leave its other vector unwritten, instead of
     * computing NR columns of which a half or more are thrown away (a sixth of the FMAs of every
     * 80-channel output). Each written column is the same FMA chain over k either way: the same
     * bits.
     */
    static void gemm(
            float[] src,
            int[] base,
            int[] win,
            int nq,
            int[] run,
            int chan,
            int len,
            int kk,
            float[] wp,
            int cout,
            int used,
            float[] out) {
        int blocks = cout / NR, tiles = padTo(nq, MR) / MR;
        boolean narrowLast = blocks > 0 && used - (blocks - 1) * NR <= L;
        int[] tw = tileWindows(win, tiles);
        gemmBlocks(
                src,
                base,
                tw,
                nq,
                run,
                chan,
                len,
                kk,
                wp,
                cout,
                out,
                narrowLast ? blocks - 1 : blocks);
        if (!narrowLast) return;
        int ob = blocks - 1, wo = ob * kk * NR, q = 0;
        for (; q + 2 * MR <= tiles * MR; q += 2 * MR) {
            int w2 = union(tw[q / MR], tw[q / MR + 1]);
            tileNarrow(
                    src,
                    base,
                    q,
                    2 * MR,
                    w2,
                    run,
                    chan,
                    len,
                    wp,
                    wo,
                    out,
                    q * cout + ob * NR,
                    cout);
        }
        if (q < tiles * MR)
            tileNarrow(
                    src,
                    base,
                    q,
                    MR,
                    tw[q / MR],
                    run,
                    chan,
                    len,
                    wp,
                    wo,
                    out,
                    q * cout + ob * NR,
                    cout);
    }

    /** The twin of {@link #gemm}: every block of NR columns by the full-width tile. */
    static void gemm(
            float[] src,
            int[] base,
            int[] win,
            int nq,
            int[] run,
            int chan,
            int len,
            int kk,
            float[] wp,
            int cout,
            float[] out) {
        int[] tw = tileWindows(win, padTo(nq, MR) / MR);
        gemmBlocks(src, base, tw, nq, run, chan, len, kk, wp, cout, out, cout / NR);
    }

    /** Per tile of MR points, the union of their windows (in the calling thread's scratch). */
    private static int[] tileWindows(int[] win, int tiles) {
        int[] tw = WORK.get().tileWin(tiles);
        for (int t = 0; t < tiles; t++) {
            int w = win[t * MR];
            for (int i = 1; i < MR; i++) w = union(w, win[t * MR + i]);
            tw[t] = w;
        }
        return tw;
    }

    /** Column blocks [0, blocks) of {@link #gemm} by the 5 × NR tile. */
    private static void gemmBlocks(
            float[] src,
            int[] base,
            int[] tw,
            int nq,
            int[] run,
            int chan,
            int len,
            int kk,
            float[] wp,
            int cout,
            float[] out,
            int blocks) {
        for (int ob = 0; ob < blocks; ob++)
            for (int q = 0; q < nq; q += MR)
                tile(
                        src,
                        base[q],
                        base[q + 1],
                        base[q + 2],
                        base[q + 3],
                        base[q + 4],
                        tw[q / MR],
                        run,
                        chan,
                        len,
                        wp,
                        ob * kk * NR,
                        out,
                        q * cout + ob * NR,
                        cout);
    }

    /**
     * The first vector (L columns) of the NR-column block at wo, for the mr (5 or 10) points
     * base[q0 …] with the taps of window {@code win}: out[(q0 + i)·ld + oo − q0·ld + j], j &lt; L.
     * Ten points keep ten FMA chains in flight (five would wait on the FMA's latency); per k one
     * load of weights and mr broadcasts.
     */
    static void tileNarrow(
            float[] src,
            int[] base,
            int q0,
            int mr,
            int win,
            int[] run,
            int chan,
            int len,
            float[] wp,
            int wo,
            float[] out,
            int oo,
            int ld) {
        int rLo = win & 0xff, rHi = win >>> 8 & 0xff, tLo = win >>> 16 & 0xff, tHi = win >>> 24;
        if (rLo > rHi || tLo > tHi) {
            for (int i = 0; i < mr; i++) FloatVector.zero(S).intoArray(out, oo + i * ld);
            return;
        }
        int k0 = tLo * chan, n = (tHi - tLo + 1) * chan;
        for (int r = rLo; r <= rHi; r++) {
            int off = run[r] + k0, w = wo + (r * len + k0) * NR;
            if (mr == MR) narrowRun5(src, base, q0, off, n, wp, w, out, oo, ld, r == rLo);
            else narrowRun10(src, base, q0, off, n, wp, w, out, oo, ld, r == rLo);
        }
    }

    /** One run of {@link #tileNarrow} for 5 points, as {@link #tileRun}. */
    private static void narrowRun5(
            float[] src,
            int[] base,
            int q0,
            int off,
            int n,
            float[] wp,
            int wo,
            float[] out,
            int oo,
            int ld,
            boolean first) {
        int p0 = base[q0] + off,
                p1 = base[q0 + 1] + off,
                p2 = base[q0 + 2] + off,
                p3 = base[q0 + 3] + off,
                p4 = base[q0 + 4] + off;
        FloatVector c0, c1, c2, c3, c4;
        if (first) {
            c0 = FloatVector.zero(S);
            c1 = c2 = c3 = c4 = c0;
        } else {
            c0 = FloatVector.fromArray(S, out, oo);
            c1 = FloatVector.fromArray(S, out, oo + ld);
            c2 = FloatVector.fromArray(S, out, oo + 2 * ld);
            c3 = FloatVector.fromArray(S, out, oo + 3 * ld);
            c4 = FloatVector.fromArray(S, out, oo + 4 * ld);
        }
        for (int k = 0; k < n; k++) {
            FloatVector b = FloatVector.fromArray(S, wp, wo + k * NR);
            c0 = FloatVector.broadcast(S, src[p0 + k]).fma(b, c0);
            c1 = FloatVector.broadcast(S, src[p1 + k]).fma(b, c1);
            c2 = FloatVector.broadcast(S, src[p2 + k]).fma(b, c2);
            c3 = FloatVector.broadcast(S, src[p3 + k]).fma(b, c3);
            c4 = FloatVector.broadcast(S, src[p4 + k]).fma(b, c4);
        }
        c0.intoArray(out, oo);
        c1.intoArray(out, oo + ld);
        c2.intoArray(out, oo + 2 * ld);
        c3.intoArray(out, oo + 3 * ld);
        c4.intoArray(out, oo + 4 * ld);
    }

    /** One run of {@link #tileNarrow} for 10 points, as {@link #tileRun}. */
    private static void narrowRun10(
            float[] src,
            int[] base,
            int q0,
            int off,
            int n,
            float[] wp,
            int wo,
            float[] out,
            int oo,
            int ld,
            boolean first) {
        int p0 = base[q0] + off,
                p1 = base[q0 + 1] + off,
                p2 = base[q0 + 2] + off,
                p3 = base[q0 + 3] + off,
                p4 = base[q0 + 4] + off;
        int p5 = base[q0 + 5] + off,
                p6 = base[q0 + 6] + off,
                p7 = base[q0 + 7] + off,
                p8 = base[q0 + 8] + off,
                p9 = base[q0 + 9] + off;
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7, c8, c9;
        if (first) {
            c0 = FloatVector.zero(S);
            c1 = c2 = c3 = c4 = c5 = c6 = c7 = c8 = c9 = c0;
        } else {
            c0 = FloatVector.fromArray(S, out, oo);
            c1 = FloatVector.fromArray(S, out, oo + ld);
            c2 = FloatVector.fromArray(S, out, oo + 2 * ld);
            c3 = FloatVector.fromArray(S, out, oo + 3 * ld);
            c4 = FloatVector.fromArray(S, out, oo + 4 * ld);
            c5 = FloatVector.fromArray(S, out, oo + 5 * ld);
            c6 = FloatVector.fromArray(S, out, oo + 6 * ld);
            c7 = FloatVector.fromArray(S, out, oo + 7 * ld);
            c8 = FloatVector.fromArray(S, out, oo + 8 * ld);
            c9 = FloatVector.fromArray(S, out, oo + 9 * ld);
        }
        for (int k = 0; k < n; k++) {
            FloatVector b = FloatVector.fromArray(S, wp, wo + k * NR);
            c0 = FloatVector.broadcast(S, src[p0 + k]).fma(b, c0);
            c1 = FloatVector.broadcast(S, src[p1 + k]).fma(b, c1);
            c2 = FloatVector.broadcast(S, src[p2 + k]).fma(b, c2);
            c3 = FloatVector.broadcast(S, src[p3 + k]).fma(b, c3);
            c4 = FloatVector.broadcast(S, src[p4 + k]).fma(b, c4);
            c5 = FloatVector.broadcast(S, src[p5 + k]).fma(b, c5);
            c6 = FloatVector.broadcast(S, src[p6 + k]).fma(b, c6);
            c7 = FloatVector.broadcast(S, src[p7 + k]).fma(b, c7);
            c8 = FloatVector.broadcast(S, src[p8 + k]).fma(b, c8);
            c9 = FloatVector.broadcast(S, src[p9 + k]).fma(b, c9);
        }
        c0.intoArray(out, oo);
        c1.intoArray(out, oo + ld);
        c2.intoArray(out, oo + 2 * ld);
        c3.intoArray(out, oo + 3 * ld);
        c4.intoArray(out, oo + 4 * ld);
        c5.intoArray(out, oo + 5 * ld);
        c6.intoArray(out, oo + 6 * ld);
        c7.intoArray(out, oo + 7 * ld);
        c8.intoArray(out, oo + 8 * ld);
        c9.intoArray(out, oo + 9 * ld);
    }

    /**
     * The 5 × NR tile of out at row q (bases x0 … x4), column block starting at wo in wp: one
     * {@link #tileRun} per run of the window, over the window's taps, the accumulators handed from
     * one run to the next through out (exact stores and loads: the same FMA chain, the same bits);
     * zeros where the window is empty (every tap in the border).
     */
    private static void tile(
            float[] src,
            int x0,
            int x1,
            int x2,
            int x3,
            int x4,
            int win,
            int[] run,
            int chan,
            int len,
            float[] wp,
            int wo,
            float[] out,
            int oo,
            int ld) {
        int rLo = win & 0xff, rHi = win >>> 8 & 0xff, tLo = win >>> 16 & 0xff, tHi = win >>> 24;
        if (rLo > rHi || tLo > tHi) {
            for (int i = 0; i < MR; i++) Arrays.fill(out, oo + i * ld, oo + i * ld + NR, 0f);
            return;
        }
        int k0 = tLo * chan, n = (tHi - tLo + 1) * chan;
        for (int r = rLo; r <= rHi; r++) {
            int off = run[r] + k0;
            tileRun(
                    src,
                    x0 + off,
                    x1 + off,
                    x2 + off,
                    x3 + off,
                    x4 + off,
                    n,
                    wp,
                    wo + (r * len + k0) * NR,
                    out,
                    oo,
                    ld,
                    r == rLo);
        }
    }

    /**
     * One run of {@link #tile}: out's 5 × NR tile (zero when {@code first}) plus Σ_{k &lt; n}
     * src[p_i + k] · wp[wo + k·NR ..]. A method of one loop: JDK 17's C2 left the vectors of a
     * two-level loop boxed (the whole kernel at 2–6 GFLOP/s), and compiles this one as JDK 25 does.
     */
    private static void tileRun(
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
            int ld,
            boolean first) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
        if (first) {
            c00 = FloatVector.zero(S);
            c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c00;
        } else {
            c00 = FloatVector.fromArray(S, out, oo);
            c01 = FloatVector.fromArray(S, out, oo + L);
            c10 = FloatVector.fromArray(S, out, oo + ld);
            c11 = FloatVector.fromArray(S, out, oo + ld + L);
            c20 = FloatVector.fromArray(S, out, oo + 2 * ld);
            c21 = FloatVector.fromArray(S, out, oo + 2 * ld + L);
            c30 = FloatVector.fromArray(S, out, oo + 3 * ld);
            c31 = FloatVector.fromArray(S, out, oo + 3 * ld + L);
            c40 = FloatVector.fromArray(S, out, oo + 4 * ld);
            c41 = FloatVector.fromArray(S, out, oo + 4 * ld + L);
        }
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
}
