package arm.kernels.cpu.simd;

import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.Scratch;
import arm.kernels.cpu.fast.ConvShape;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Strided 1×1 convolutions without padding (ResNet's projection shortcuts, 20 → 40 at 32×32, 40 →
 * 80, 80 → 160) on the Java Vector API; the naive twin is {@link arm.kernels.cpu.ref.ConvRef}.
 *
 * <p>Shapes: x [N, Ci, H, W], w [Co, Ci, 1, 1] read as [Co, Ci], stride s, y [N, Co, Ho, Wo], P =
 * Ho·Wo. Such a convolution only reads the pixels (s·i, s·j), so per image it is a small matrix
 * product on the subsampled image xs [Ci, P], xs[c, i·Wo + j] = x[n, c, s·i, s·j]:
 *
 * <pre>
 * forward          y[n]  [Co, P] = W  · xs[n]
 * backward input   dxs   [Ci, P] = Wᵀ · dy[n],   then dx[n, c, s·i, s·j] = dxs[c, i·Wo + j], 0 elsewhere
 * </pre>
 *
 * Its inner dimension (Ci or Co, 20–160) is short, so im2col's copy and the GEMM's packing of both
 * operands weigh against little arithmetic (23–46 GFLOP/s inside a ResNet evaluation, where the
 * input comes from memory). Here the positions are cut into <b>slots</b> of one vector (L positions
 * of one image; an image's last slot is partial when L does not divide P) and a register tile is 4
 * rows × 4 slots: per step of the inner dimension four vector loads, four broadcast weights (W is
 * tiny and stays in L1), sixteen FMAs, with no packing. Images go in groups of about {@link
 * #GROUP_SLOTS} slots, so a group's operands stay in L2 while every row block reads them. Every
 * output is one FMA chain over the inner dimension in order, whatever the grouping or thread count.
 *
 * <p>The weight gradient, dW [Co, Ci] = Σ_n dy[n] · xs[n]ᵀ, stays on im2col + GEMM: its inner
 * dimension is the positions (160–2,560 per call at N = 10), long enough for the GEMM; a lane-sum
 * form of it here (per-lane partial sums over the slots, reduced at the end) ran 6–20× slower at
 * the ResNet shapes.
 */
public final class ConvProjectionSimd {
    private ConvProjectionSimd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    /** Rows and slots of the register tile. */
    static final int MR = 4, NS = 4;

    /** Slots per group of images: (Ci + Co)·64·L floats, 240 KiB at 20 → 40 with L = 16. */
    static final int GROUP_SLOTS = 64;

    /** {@code -Darm.conv.projection=false} leaves these convolutions to im2col + GEMM. */
    public static final boolean ON =
            !"false".equals(System.getProperty("arm.conv.projection", "true"));

    /** 1×1 kernels, no padding, stride above 1. */
    public static boolean supports(ConvShape g) {
        return g.kh == 1 && g.kw == 1 && g.pad == 0 && g.stride > 1 && g.n > 0;
    }

    /** Scratch per thread: the group's xs (or dxs). */
    private static final Scratch SCRATCH = new Scratch(1);

    /**
     * The slots of images [n0, n1): slot t covers positions [v·L, v·L + len[t]) of image img[t]; in
     * xs it sits at column t·L.
     */
    private record Slots(int[] img, int[] at, int[] len, int count) {
        static Slots of(ConvShape g, int n0, int n1) {
            int per = (g.p + L - 1) / L, count = (n1 - n0) * per;
            int[] img = new int[count], at = new int[count], len = new int[count];
            for (int n = n0, t = 0; n < n1; n++)
                for (int v = 0; v < per; v++, t++) {
                    img[t] = n;
                    at[t] = v * L;
                    len[t] = Math.min(L, g.p - v * L);
                }
            return new Slots(img, at, len, count);
        }

        boolean full(int t) {
            return len[t] == L;
        }
    }

    /** Images per group: about {@link #GROUP_SLOTS} slots, at least one image. */
    static int groupImages(ConvShape g) {
        return Math.max(1, GROUP_SLOTS / ((g.p + L - 1) / L));
    }

    // ------------------------------------------------------------ forward

    /** y = conv(x, w), images split into at most {@code threads} parts. */
    public static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        check(g);
        int parts = Math.max(1, Math.min(threads, g.n)), gi = groupImages(g);
        CpuThreads.run(
                parts,
                part -> {
                    for (int n0 = g.n * part / parts, end = g.n * (part + 1) / parts;
                            n0 < end;
                            n0 += gi) {
                        Slots sl = Slots.of(g, n0, Math.min(end, n0 + gi));
                        int pitch = sl.count * L;
                        float[] xs = SCRATCH.get(0, g.ci * pitch);
                        subsample(x, g, sl, xs, pitch);
                        int[] yAt = yOffsets(g, sl);
                        // A(o, c) = w[o·Ci + c]; B(c, t) = xs[c·pitch + t·L]; out(o, t) = y[yAt[t]
                        // + o·P]
                        product(
                                w,
                                g.ci,
                                1,
                                g.co,
                                g.ci,
                                xs,
                                slotOffsets(sl),
                                pitch,
                                y,
                                yAt,
                                g.p,
                                sl);
                    }
                });
    }

    // ------------------------------------------------------------ backward input

    /** dx = the input gradient of y = conv(x, w) for dy; every element of dx is written. */
    public static void backwardInput(float[] dy, float[] w, float[] dx, ConvShape g, int threads) {
        check(g);
        int parts = Math.max(1, Math.min(threads, g.n)), gi = groupImages(g);
        CpuThreads.run(
                parts,
                part -> {
                    for (int n0 = g.n * part / parts, end = g.n * (part + 1) / parts;
                            n0 < end;
                            n0 += gi) {
                        Slots sl = Slots.of(g, n0, Math.min(end, n0 + gi));
                        int pitch = sl.count * L;
                        float[] dxs = SCRATCH.get(0, g.ci * pitch);
                        int[] dyAt = yOffsets(g, sl);
                        // A(c, o) = w[o·Ci + c]; B(o, t) = dy[dyAt[t] + o·P]; out(c, t) =
                        // dxs[c·pitch + t·L]
                        product(
                                w,
                                1,
                                g.ci,
                                g.ci,
                                g.co,
                                dy,
                                dyAt,
                                g.p,
                                dxs,
                                slotOffsets(sl),
                                pitch,
                                sl);
                        scatter(dxs, pitch, g, sl, dx);
                    }
                });
    }

    // ------------------------------------------------------------ the product of forward and
    // backward input

    /**
     * out(r, t) = Σ_k A(r, k) · B(k, t) for rows r &lt; rows and the group's slots t, with A(r, k)
     * = a[r·ars + k·aks], B(k, t) the vector at b[bAt[t] + k·bk], out(r, t) the vector at
     * out[oAt[t] + r·orow]; a partial slot reads and writes its first len[t] lanes only.
     */
    private static void product(
            float[] a,
            int ars,
            int aks,
            int rows,
            int kn,
            float[] b,
            int[] bAt,
            int bk,
            float[] out,
            int[] oAt,
            int orow,
            Slots sl) {
        int[] full = new int[sl.count];
        int nFull = 0;
        for (int t = 0; t < sl.count; t++) if (sl.full(t)) full[nFull++] = t;
        for (int r = 0; r < rows; r += MR) {
            if (r + MR > rows) {
                for (int rr = r; rr < rows; rr++)
                    for (int t = 0; t < sl.count; t++)
                        one(a, ars, aks, rr, kn, b, bAt[t], bk, out, oAt[t], orow, sl.len[t]);
                continue;
            }
            int i = 0, ro = r * orow; // row r's outputs
            for (; i + NS <= nFull; i += NS) {
                int t0 = full[i], t1 = full[i + 1], t2 = full[i + 2], t3 = full[i + 3];
                tile(
                        a,
                        ars,
                        aks,
                        r,
                        kn,
                        b,
                        bAt[t0],
                        bAt[t1],
                        bAt[t2],
                        bAt[t3],
                        bk,
                        out,
                        oAt[t0] + ro,
                        oAt[t1] + ro,
                        oAt[t2] + ro,
                        oAt[t3] + ro,
                        orow);
            }
            for (; i < nFull; i++)
                column(a, ars, aks, r, kn, b, bAt[full[i]], bk, out, oAt[full[i]] + ro, orow, L);
            for (int t = 0; t < sl.count; t++)
                if (!sl.full(t))
                    column(a, ars, aks, r, kn, b, bAt[t], bk, out, oAt[t] + ro, orow, sl.len[t]);
        }
    }

    /** Rows r … r+3 × four full slots; o0 … o3: row r's outputs. */
    private static void tile(
            float[] a,
            int ars,
            int aks,
            int r,
            int kn,
            float[] b,
            int b0,
            int b1,
            int b2,
            int b3,
            int bk,
            float[] out,
            int o0,
            int o1,
            int o2,
            int o3,
            int orow) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
        int a0 = r * ars;
        for (int k = 0; k < kn; k++) {
            int bo = k * bk, ak = a0 + k * aks;
            FloatVector v0 = FloatVector.fromArray(S, b, b0 + bo),
                    v1 = FloatVector.fromArray(S, b, b1 + bo),
                    v2 = FloatVector.fromArray(S, b, b2 + bo),
                    v3 = FloatVector.fromArray(S, b, b3 + bo);
            FloatVector w0 = FloatVector.broadcast(S, a[ak]);
            c00 = v0.fma(w0, c00);
            c01 = v1.fma(w0, c01);
            c02 = v2.fma(w0, c02);
            c03 = v3.fma(w0, c03);
            FloatVector w1 = FloatVector.broadcast(S, a[ak + ars]);
            c10 = v0.fma(w1, c10);
            c11 = v1.fma(w1, c11);
            c12 = v2.fma(w1, c12);
            c13 = v3.fma(w1, c13);
            FloatVector w2 = FloatVector.broadcast(S, a[ak + 2 * ars]);
            c20 = v0.fma(w2, c20);
            c21 = v1.fma(w2, c21);
            c22 = v2.fma(w2, c22);
            c23 = v3.fma(w2, c23);
            FloatVector w3 = FloatVector.broadcast(S, a[ak + 3 * ars]);
            c30 = v0.fma(w3, c30);
            c31 = v1.fma(w3, c31);
            c32 = v2.fma(w3, c32);
            c33 = v3.fma(w3, c33);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o1);
        c02.intoArray(out, o2);
        c03.intoArray(out, o3);
        c10.intoArray(out, o0 + orow);
        c11.intoArray(out, o1 + orow);
        c12.intoArray(out, o2 + orow);
        c13.intoArray(out, o3 + orow);
        c20.intoArray(out, o0 + 2 * orow);
        c21.intoArray(out, o1 + 2 * orow);
        c22.intoArray(out, o2 + 2 * orow);
        c23.intoArray(out, o3 + 2 * orow);
        c30.intoArray(out, o0 + 3 * orow);
        c31.intoArray(out, o1 + 3 * orow);
        c32.intoArray(out, o2 + 3 * orow);
        c33.intoArray(out, o3 + 3 * orow);
    }

    /**
     * Rows r … r+3 × one slot of len lanes, ot: row r's outputs (the same FMA chains as {@link
     * #tile}).
     */
    private static void column(
            float[] a,
            int ars,
            int aks,
            int r,
            int kn,
            float[] b,
            int bt,
            int bk,
            float[] out,
            int ot,
            int orow,
            int len) {
        VectorMask<Float> m = S.indexInRange(0, len);
        FloatVector z = FloatVector.zero(S), c0 = z, c1 = z, c2 = z, c3 = z;
        int a0 = r * ars;
        for (int k = 0; k < kn; k++) {
            FloatVector v = FloatVector.fromArray(S, b, bt + k * bk, m);
            int ak = a0 + k * aks;
            c0 = v.fma(FloatVector.broadcast(S, a[ak]), c0);
            c1 = v.fma(FloatVector.broadcast(S, a[ak + ars]), c1);
            c2 = v.fma(FloatVector.broadcast(S, a[ak + 2 * ars]), c2);
            c3 = v.fma(FloatVector.broadcast(S, a[ak + 3 * ars]), c3);
        }
        c0.intoArray(out, ot, m);
        c1.intoArray(out, ot + orow, m);
        c2.intoArray(out, ot + 2 * orow, m);
        c3.intoArray(out, ot + 3 * orow, m);
    }

    /** Row r × one slot of len lanes. */
    private static void one(
            float[] a,
            int ars,
            int aks,
            int r,
            int kn,
            float[] b,
            int bt,
            int bk,
            float[] out,
            int ot,
            int orow,
            int len) {
        VectorMask<Float> m = S.indexInRange(0, len);
        FloatVector c = FloatVector.zero(S);
        for (int k = 0; k < kn; k++)
            c =
                    FloatVector.fromArray(S, b, bt + k * bk, m)
                            .fma(FloatVector.broadcast(S, a[r * ars + k * aks]), c);
        c.intoArray(out, ot + r * orow, m);
    }

    // ------------------------------------------------------------ layout

    /** Where slot t's first position lies in y (or dy): image img[t], channel 0, position at[t]. */
    private static int[] yOffsets(ConvShape g, Slots sl) {
        int[] o = new int[sl.count];
        for (int t = 0; t < sl.count; t++) o[t] = sl.img[t] * g.yImage() + sl.at[t];
        return o;
    }

    /** Slot t's column in xs: t·L. */
    private static int[] slotOffsets(Slots sl) {
        int[] o = new int[sl.count];
        for (int t = 0; t < sl.count; t++) o[t] = t * L;
        return o;
    }

    /**
     * xs[c·pitch + b + q] = x[n, c, s·i, s·j] for position q = i·Wo + j of the group's image n,
     * whose slots start at column b (the columns past P, up to its last slot's end, are read only
     * by masked lanes). Each output row is one strided run of an input row (the direct kernel's
     * gather: for stride 2 the even lanes of two loads).
     */
    static void subsample(float[] x, ConvShape g, Slots sl, float[] xs, int pitch) {
        int s = g.stride, per = (g.p + L - 1) / L;
        for (int t = 0; t < sl.count; t += per) {
            int n = sl.img[t], b = t * L;
            for (int c = 0; c < g.ci; c++) {
                int plane = (n * g.ci + c) * g.h * g.w, dst = c * pitch + b;
                for (int i = 0; i < g.ho; i++)
                    ConvDirectSimd.gather(x, plane + s * i * g.w, s, xs, dst + i * g.wo, g.wo);
            }
        }
    }

    /**
     * dx of the group's images: dxs at the strided pixels, 0 everywhere else. With stride 2 on even
     * sides every dx row is written once, left to right: row 2i is a run of dxs zipped with zeros
     * (the strided input gradient's zip), row 2i + 1 zeros.
     */
    private static void scatter(float[] dxs, int pitch, ConvShape g, Slots sl, float[] dx) {
        int s = g.stride, per = (g.p + L - 1) / L, hw = g.h * g.w;
        boolean zip = s == 2 && g.w == 2 * g.wo && g.h == 2 * g.ho;
        FloatVector zero = FloatVector.zero(S);
        for (int t = 0; t < sl.count; t += per) {
            int n = sl.img[t], b = t * L;
            if (!zip) Arrays.fill(dx, n * g.xImage(), (n + 1) * g.xImage(), 0f);
            for (int c = 0; c < g.ci; c++) {
                int plane = (n * g.ci + c) * hw, src = c * pitch + b;
                for (int i = 0; i < g.ho; i++) {
                    int row = plane + s * i * g.w, from = src + i * g.wo, j = 0;
                    if (zip) {
                        for (; j + L <= g.wo; j += L) {
                            FloatVector v = FloatVector.fromArray(S, dxs, from + j);
                            v.rearrange(ConvStridedGradSimd.ZIP_LO, zero)
                                    .intoArray(dx, row + 2 * j);
                            v.rearrange(ConvStridedGradSimd.ZIP_HI, zero)
                                    .intoArray(dx, row + 2 * j + L);
                        }
                        Arrays.fill(dx, row + 2 * j, row + 2 * g.w, 0f); // the rest, and row 2i + 1
                    }
                    for (; j < g.wo; j++) dx[row + s * j] = dxs[from + j];
                }
            }
        }
    }

    private static void check(ConvShape g) {
        if (!supports(g))
            throw new IllegalArgumentException("projection convolution does not take " + g);
    }
}
