package arm.kernels.cpu.simd;

import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.Scratch;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.fast.WeightPacks;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * The input gradient of a strided convolution on {@link ConvDirectSimd}'s register tiles (Java
 * Vector API); the naive twin is {@link arm.kernels.cpu.ref.ConvRef#backwardInput}. Used for
 * ResNet18's stride-2 3×3 layers that write few channels: 20 → 40 at 32×32 and 40 → 80 at 16×16 (dx
 * of 20 and 40 channels; col2im's scatter and the channels-last kernel's padding to 16-channel
 * blocks cost more there, see {@link arm.kernels.cpu.CpuConv}).
 *
 * <p>Shapes: dy [N, Co, Ho, Wo], w [Co, Ci, kh, kw], stride s &gt; 1, pad p, dx [N, Ci, H, W]. The
 * points of dx split by phase (ih mod s, iw mod s) = (a, b); tap (u, v) reaches dx[ih, iw] from
 * dy[(ih + p − u)/s, (iw + p − v)/s] exactly when both divisions are exact, so phase (a, b) is a
 * stride-1 correlation of dy with the taps u ≡ a + p, v ≡ b + p (mod s):
 *
 * <pre>
 * dx[c, a + r·s, b + t·s] = Σ_{o, u, v of the phase} w[o, c, u, v] · dyp[o, r + du, t + dv],
 *     du = (a + p − u)/s + dLo,  dv = (b + p − v)/s + dLoW
 * </pre>
 *
 * with dyp the image of dy in a zero border (dLo above and left, what the taps reach below and
 * right), pitch Wd. As in the direct forward kernel, output (r, t) is position q = r·Wd + t, so for
 * each (o, u, v) consecutive positions read consecutive floats of dyp, and the register tile is
 * {@link ConvDirectSimd}'s (3, 5 or 10 channels of dx × 4 or 2 vectors of positions); the Wd −
 * ⌈W/s⌉ columns per row past the phase's width are computed and dropped. Each phase's results are
 * then written into dx s apart; for s = 2 the two column phases of a dx row are zipped, so the row
 * is written once in whole vectors (scalar stores 2 apart cost as much as the arithmetic at 32×32).
 * For s = 2 and a 3×3 kernel with p = 1 the phases hold 1, 2, 2 and 4 of the 9 taps, so no
 * multiplication by an inserted zero is done (col2im's GEMM does none either, but then scatters
 * every product column into dx; the channels-last kernel pads Ci to 16 channels). Phases no tap
 * reaches (s &gt; k) are zero.
 *
 * <p>Images are split over {@link CpuThreads}; each image is computed by the same instructions
 * whatever the thread count.
 */
public final class ConvStridedGradSimd {
    private ConvStridedGradSimd() {}

    /** Stride above 1, padding smaller than the kernel. */
    public static boolean supports(ConvShape g) {
        return g.stride > 1 && g.pad < g.kh && g.pad < g.kw && g.ho > 0 && g.wo > 0;
    }

    /** Per-thread scratch: the padded dy image and the phase's padded-pitch output. */
    private static final Scratch SCRATCH = new Scratch(2);

    public static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g, int threads) {
        if (!supports(g))
            throw new IllegalArgumentException("strided input gradient does not take " + g);
        int s = g.stride;
        // dy row (ih + p − u)/s ranges over [−dLo, Ho + dHi): the border of dyp
        int dLo = ConvDirectSimd.ceilDiv(g.kh - 1 - g.pad, s),
                dHi = Math.max(0, (g.h - 1 + g.pad) / s - (g.ho - 1));
        int dLoW = ConvDirectSimd.ceilDiv(g.kw - 1 - g.pad, s),
                dHiW = Math.max(0, (g.w - 1 + g.pad) / s - (g.wo - 1));
        int hd = g.ho + dLo + dHi, wd = g.wo + dLoW + dHiW;
        Phase[] phases = new Phase[s * s];
        int size = g.co * hd * wd, outSize = 0;
        for (int a = 0; a < s; a++)
            for (int b = 0; b < s; b++) {
                Phase ph = new Phase(g, w, a, b, dLo, dLoW, hd, wd);
                phases[a * s + b] = ph;
                size = Math.max(size, ph.reach);
                ph.at = outSize; // each phase's results have their own region of the scratch
                outSize += ph.blocks * ph.mr * ph.tiles * ph.tw;
            }
        int dySize = size, parts = Math.max(1, Math.min(threads, g.n)), out = outSize;
        CpuThreads.run(
                parts,
                part -> {
                    float[] dyp = SCRATCH.get(0, dySize), o = SCRATCH.get(1, out);
                    for (int n = g.n * part / parts; n < g.n * (part + 1) / parts; n++) {
                        pad(dy, n, g, dyp, dLo, dLoW, hd, wd, dySize);
                        for (Phase ph : phases) ph.run(dyp, o);
                        if (s == 2) interleave(g, phases, o, n, dx);
                        else for (Phase ph : phases) ph.scatter(g, o, n, dx);
                    }
                });
    }

    /** dyp[o, r + dLo, t + dLoW] = dy[n, o, r, t], zero elsewhere up to {@code size}. */
    private static void pad(
            float[] dy,
            int n,
            ConvShape g,
            float[] dyp,
            int top,
            int left,
            int hd,
            int wd,
            int size) {
        int plane = hd * wd;
        for (int o = 0; o < g.co; o++) {
            int ch = o * plane, src = (n * g.co + o) * g.p;
            Arrays.fill(dyp, ch, ch + top * wd, 0f);
            for (int r = 0; r < g.ho; r++) {
                int row = ch + (r + top) * wd;
                Arrays.fill(dyp, row, row + left, 0f);
                System.arraycopy(dy, src + r * g.wo, dyp, row + left, g.wo);
                Arrays.fill(dyp, row + left + g.wo, row + wd, 0f);
            }
            Arrays.fill(dyp, ch + (top + g.ho) * wd, ch + plane, 0f);
        }
        Arrays.fill(dyp, g.co * plane, size, 0f);
    }

    /**
     * The dx points with ih ≡ a, iw ≡ b (mod s): their taps, offsets into dyp and packed weights.
     */
    private static final class Phase {
        final int a, b, rows, cols, wd, k, mr, tw, blocks, tiles, reach;
        int at;
        final int[] offsets;
        final float[] packed;

        Phase(ConvShape g, float[] w, int a, int b, int dLo, int dLoW, int hd, int wd) {
            int s = g.stride;
            this.a = a;
            this.b = b;
            this.wd = wd;
            int[] us = ConvDirectSimd.taps(a, g.pad, g.kh, s),
                    vs = ConvDirectSimd.taps(b, g.pad, g.kw, s);
            rows = a < g.h ? (g.h - a + s - 1) / s : 0;
            cols = b < g.w ? (g.w - b + s - 1) / s : 0;
            k = g.co * us.length * vs.length;
            mr = ConvDirectSimd.rows(g.ci);
            blocks = (g.ci + mr - 1) / mr;
            tw = ConvDirectSimd.width(mr);
            tiles = (rows * wd + tw - 1) / tw;
            offsets = new int[k];
            int reach = 0;
            for (int o = 0; o < g.co; o++)
                for (int i = 0; i < us.length; i++)
                    for (int j = 0; j < vs.length; j++) {
                        int du = Math.floorDiv(a + g.pad - us[i], s) + dLo,
                                dv = Math.floorDiv(b + g.pad - vs[j], s) + dLoW;
                        int at = (o * us.length + i) * vs.length + j;
                        offsets[at] = (o * hd + du) * wd + dv;
                        reach = Math.max(reach, offsets[at] + tiles * tw);
                    }
            this.reach = reach;
            int kk = k;
            packed =
                    k == 0
                            ? new float[0]
                            : WeightPacks.of(
                                    w,
                                    g.co * g.k,
                                    blocks * k * mr,
                                    (src, out) -> pack(src, g, us, vs, mr, kk, out),
                                    5,
                                    mr,
                                    g.ci,
                                    g.co,
                                    g.kh,
                                    g.kw,
                                    g.stride,
                                    g.pad,
                                    a,
                                    b);
        }

        /** packed[((c / mr)·k + (o·|us| + i)·|vs| + j)·mr + c % mr] = w[o, c, us[i], vs[j]]. */
        private static void pack(
                float[] w, ConvShape g, int[] us, int[] vs, int mr, int k, float[] p) {
            Arrays.fill(p, 0f); // dx channels past Ci (the last block's padding) stay zero
            for (int o = 0; o < g.co; o++)
                for (int i = 0; i < us.length; i++)
                    for (int j = 0; j < vs.length; j++) {
                        int kk = (o * us.length + i) * vs.length + j;
                        for (int c = 0; c < g.ci; c++)
                            p[((c / mr) * k + kk) * mr + c % mr] =
                                    w[((o * g.ci + c) * g.kh + us[i]) * g.kw + vs[j]];
                    }
        }

        /**
         * This phase's results for one image: out[at + c·ld + r·Wd + t] = dx[c, a + r·s, b + t·s].
         */
        void run(float[] dyp, float[] out) {
            int ld = tiles * tw;
            if (k == 0) {
                Arrays.fill(out, at, at + blocks * mr * ld, 0f);
                return;
            }
            for (int t = 0; t < tiles; t++)
                for (int cb = 0; cb < blocks; cb++) {
                    int ao = cb * k * mr, oo = at + cb * mr * ld + t * tw;
                    ConvDirectSimd.tile(mr, dyp, offsets, t * tw, packed, ao, k, out, oo, ld);
                }
        }

        /** dx[n, c, a + r·s, b + t·s] from this phase's results (any stride). */
        void scatter(ConvShape g, float[] out, int n, float[] dx) {
            int s = g.stride, ld = tiles * tw;
            for (int c = 0; c < g.ci; c++)
                for (int r = 0; r < rows; r++) {
                    int dst = (((n * g.ci + c) * g.h) + a + r * s) * g.w + b,
                            src = at + c * ld + r * wd;
                    for (int t = 0; t < cols; t++) dx[dst + t * s] = out[src + t];
                }
        }
    }

    /** Lanes 0, L, 1, L + 1 … of two vectors (the first halves zipped), and the second halves. */
    static final VectorShuffle<Float>
            ZIP_LO =
                    VectorShuffle.fromOp(ConvDirectSimd.S, i -> i / 2 + (i % 2) * ConvDirectSimd.L),
            ZIP_HI =
                    VectorShuffle.fromOp(
                            ConvDirectSimd.S,
                            i -> ConvDirectSimd.L / 2 + i / 2 + (i % 2) * ConvDirectSimd.L);

    /**
     * Stride 2: each dx row a + 2r is phase (a, 0)'s row r and phase (a, 1)'s side by side, so it
     * is written once, left to right, two vectors per zip of one vector of each (the scattered
     * stores of {@link Phase#scatter} cost as much as the arithmetic at 32×32).
     */
    private static void interleave(ConvShape g, Phase[] phases, float[] out, int n, float[] dx) {
        int l = ConvDirectSimd.L;
        for (int a = 0; a < 2; a++) {
            Phase p0 = phases[2 * a], p1 = phases[2 * a + 1];
            int ld0 = p0.tiles * p0.tw, ld1 = p1.tiles * p1.tw;
            for (int c = 0; c < g.ci; c++)
                for (int r = 0; r < p0.rows; r++) {
                    int dst = (((n * g.ci + c) * g.h) + a + 2 * r) * g.w,
                            s0 = p0.at + c * ld0 + r * p0.wd,
                            s1 = p1.at + c * ld1 + r * p1.wd;
                    int t = 0;
                    for (; t + l <= p1.cols; t += l) {
                        FloatVector v0 = FloatVector.fromArray(ConvDirectSimd.S, out, s0 + t),
                                v1 = FloatVector.fromArray(ConvDirectSimd.S, out, s1 + t);
                        v0.rearrange(ZIP_LO, v1).intoArray(dx, dst + 2 * t);
                        v0.rearrange(ZIP_HI, v1).intoArray(dx, dst + 2 * t + l);
                    }
                    for (int u = t; u < p0.cols; u++) dx[dst + 2 * u] = out[s0 + u];
                    for (int u = t; u < p1.cols; u++) dx[dst + 2 * u + 1] = out[s1 + u];
                }
        }
    }
}
