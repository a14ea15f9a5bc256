package arm.kernels.cpu.simd;

import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.Scratch;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.fast.WeightPacks;
import arm.kernels.cpu.ref.WinogradRef;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3×3 convolution, stride 1, pad 1, by Winograd's minimal filtering F(2×2, 3×3); the naive twin is
 * {@link arm.kernels.cpu.ref.WinogradRef} (the same transforms in scalar loops), and both compute
 * {@link arm.kernels.cpu.ref.ConvRef}'s convolution up to rounding.
 *
 * <p>Shapes: x [N, Ci, H, W], w [Co, Ci, 3, 3], y [N, Co, H, W], H and W even. Output tile (th, tw)
 * is y[2·th .. 2·th + 1, 2·tw .. 2·tw + 1]; it reads the 4×4 patch d of the zero-padded input at
 * rows 2·th .. 2·th + 3, columns 2·tw .. 2·tw + 3. With
 *
 * <pre>
 *      | 1  0 -1  0 |        | 1    0    0  |
 * Bᵀ = | 0  1  1  0 |    G = | 1/2  1/2  1/2 |    Aᵀ = | 1  1  1  0 |
 *      | 0 -1  1  0 |        | 1/2 -1/2  1/2 |         | 0  1 -1 -1 |
 *      | 0  1  0 -1 |        | 0    0    1  |
 *
 * V[c]    = Bᵀ d[c] B                       (input transform, 16 values per channel and tile)
 * U[o, c] = G w[o, c] Gᵀ                    (weight transform, once per weights)
 * M[o]    = Σ_c U[o, c] ⊙ V[c]              (16 GEMMs: one per ξ of the 4×4, over Ci)
 * y tile  = Aᵀ M[o] A                       (output transform)
 * </pre>
 *
 * each output is the 3×3 correlation exactly in real arithmetic, with 16 multiplies per 4 outputs
 * and channel pair instead of 36: 4·Ci·Co·H·W FMAs against the direct kernel's 9·Ci·Co·H·W. In
 * floats the sums are taken in a different order and through the transformed values, so the result
 * differs from the direct kernel's in the last bits (tests bound it against {@link
 * arm.kernels.cpu.ref.ConvRef}); it is deterministic and does not depend on the batch or the thread
 * count (each image is computed alone, each output by one fixed chain).
 *
 * <p>Layout: tiles are numbered t = th·(W/2) + tw within an image (P = H/2 · W/2 of them). The
 * padded image is split into its 4 stride-2 phase planes ({@link #phases}; a row of exactly L tiles
 * is split from x on the fly, {@link #rowInput}), so the patch values of consecutive tiles of a row
 * are consecutive floats; the input transform runs over a vector of tiles at a time into V
 * [16][Ci][P] (a row of W/2 = L/2 tiles fills half a vector: the other half is overwritten by the
 * next row). The GEMMs use {@link ConvDirectSimd}'s register tile (10 output channels × 2 vectors
 * of tiles on AVX-512, 5 × 2 on AVX2) with V as its input and K = Ci; the 16 tiles of one block
 * land in a small scratch M [16][mr][2L], and the output transform interleaves each row's two
 * output columns back into y.
 *
 * <p>The three input transforms ({@link #rowInput}, {@link #inputTransform}, {@link
 * #gatheredInput}) load their patches differently and spell out the same arithmetic each: a vector
 * handed to a method that C2 does not inline is boxed, and a shared helper for the 16 stores ran
 * the transform about 3× slower in a measured variant.
 */
public final class WinogradSimd {
    private WinogradSimd() {}

    static final VectorSpecies<Float> S = ConvDirectSimd.S;
    static final int L = S.length(), NR = 2 * L;

    /** {@code -Darm.conv.winograd=false} keeps these shapes on the direct kernels. */
    static final boolean ON = !"false".equals(System.getProperty("arm.conv.winograd", "true"));

    /**
     * Whether the row path is the faster kernel on this JVM: on JDK 25 it runs at 0.67–0.72 of the
     * direct kernel's time; on JDK 17, whose incubating API runs its two-vector permutes and lane
     * slices without intrinsics, at 1.5–1.8× (20-32-20 7.9 against 5.3 ms, 40-16-40 9.0 against 4.9
     * ms); JDKs 18–24 are not measured and keep the direct kernel. The gathered path beats the
     * other kernels on both (JDK 17: 80-8-80 6.4 against 7.2 ms direct).
     */
    static final boolean ROWS_PAY = Runtime.version().feature() >= 25;

    /**
     * Fewest tiles (images × H/2 × W/2) for which the transforms pay. Every call transforms the
     * weights again unless they are held (16·Co·Ci floats: 0.4 M at 160 channels), and the input
     * gradient flips them first; at ResNet's 4×4 stage a batch of 10 has 40 tiles, so the
     * transforms outweigh the 4 multiplies saved of 9. Measured (`OpProfile`, one thread, JDK 25,
     * thread CPU per call, Winograd against the channels-last kernel): a plain step at N = 10, 4×4
     * stage 0.86 / 1.22 ms (forward / input gradient) against 0.68 / 0.68, the 8×8 stage (160
     * tiles) 0.45 / 0.55 against 0.60 / 0.62; an ARM iteration with 100 images at the 4×4 stage
     * (400 tiles) 2.97 / 2.98 against 4.82 / 4.88 ms, with 10 distinct images and held weights 0.53
     * / 0.55 against 0.54 / 0.57.
     */
    static final int MIN_TILES = 64;

    /**
     * Whether {@link arm.kernels.cpu.CpuConv} should run g here: {@link #supports}, at least {@link
     * #MIN_TILES} tiles and, for the row path, {@link #ROWS_PAY}. The shape alone decides, so the
     * bits of a call never depend on anything else.
     */
    public static boolean pays(ConvShape g) {
        return supports(g)
                && (long) g.n * (g.h / 2) * (g.w / 2) >= MIN_TILES
                && (ROWS_PAY || !rowsOfTiles(g));
    }

    /** Whether {@link #supports} takes any shape ({@code -Darm.conv.winograd}). */
    public static boolean enabled() {
        return ON;
    }

    /** Lane i of a and lane i of b side by side: (a0, b0, a1, b1, …) from the low halves. */
    private static final VectorShuffle<Float>
            ZIP_LO = VectorShuffle.fromOp(S, i -> i % 2 == 0 ? i / 2 : L + i / 2),
            ZIP_HI = VectorShuffle.fromOp(S, i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);

    /** Half a vector (for rows of L floats), and its even and odd lanes of two. */
    static final VectorSpecies<Float> H =
            VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i),
            ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1),
            EVEN_H = VectorShuffle.fromOp(H, i -> 2 * i),
            ODD_H = VectorShuffle.fromOp(H, i -> 2 * i + 1);

    /**
     * 3×3, stride 1, pad 1, even H and W; a row of W/2 tiles that is whole vectors or half of one;
     * a whole number of 2-vector blocks of tiles per image; at least 4 output channels (the
     * register tiles of 5 or 10) and 8 input channels (K = Ci: a shorter chain spends more on the
     * tile's stores than on its FMAs).
     */
    public static boolean supports(ConvShape g) {
        if (!ON || g.stride != 1 || g.pad != 1 || g.kh != 3 || g.kw != 3) return false;
        return g.h % 2 == 0 && g.w % 2 == 0 && g.co >= 4 && g.ci >= 8;
    }

    /**
     * Whether an image's tiles go a row of tiles per vector ({@link #inputTransform}): rows of W/2
     * tiles that are whole vectors or half of one, a whole number of 2-vector blocks per image.
     * Other shapes (ResNet's 8×8 and 4×4 stages) gather their patches ({@link #forwardGathered}).
     */
    static boolean rowsOfTiles(ConvShape g) {
        int tw = g.w / 2, p = g.h / 2 * tw;
        return (tw % L == 0 || 2 * tw == L) && p % NR == 0;
    }

    /** Per-thread scratch: the phase planes, V and the M block. */
    private static final Scratch SCRATCH = new Scratch(3);

    public static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        if (!supports(g)) throw new IllegalArgumentException("Winograd F(2,3) does not take " + g);
        int ci = g.ci, co = g.co, mr = ConvDirectSimd.rows(co), oBlocks = (co + mr - 1) / mr;
        float[] u =
                WeightPacks.of(
                        w,
                        co * ci * 9,
                        oBlocks * 16 * ci * mr,
                        (src, out) -> packWeights(src, co, ci, mr, out),
                        9,
                        mr,
                        ci,
                        co);
        if (!rowsOfTiles(g)) {
            forwardGathered(x, u, y, g, mr, oBlocks, threads);
            return;
        }
        int tw = g.w / 2, th = g.h / 2, p = th * tw, pv = p + L;
        int hq = th + 1, wq = tw + 1, plane = 4 * hq * wq, xpSize = ci * plane + NR;
        int[] offsets = new int[ci];
        for (int c = 0; c < ci; c++) offsets[c] = c * pv;
        int parts = Math.max(1, Math.min(threads, g.n));
        CpuThreads.run(
                parts,
                part -> {
                    float[] xp = SCRATCH.get(0, xpSize),
                            v = SCRATCH.get(1, 16 * ci * pv),
                            m = SCRATCH.get(2, 16 * mr * NR);
                    for (int n = g.n * part / parts; n < g.n * (part + 1) / parts; n++) {
                        if (tw == L) rowInput(x, n, g, v, pv);
                        else {
                            phases(x, n, g, xp, hq, wq, xpSize);
                            inputTransform(xp, ci, tw, p, hq * wq, wq, v, pv);
                        }
                        for (int t0 = 0; t0 < p; t0 += NR)
                            for (int ob = 0; ob < oBlocks; ob++) {
                                for (int xi = 0; xi < 16; xi++)
                                    ConvDirectSimd.tile(
                                            mr,
                                            v,
                                            offsets,
                                            xi * ci * pv + t0,
                                            u,
                                            (ob * 16 + xi) * ci * mr,
                                            ci,
                                            m,
                                            xi * mr * NR,
                                            NR);
                                int rows = Math.min(mr, co - ob * mr);
                                int yo = (n * co + ob * mr) * g.h * g.w;
                                outputTransform(
                                        m, mr, rows, t0, tw, g.w, g.h * g.w, y, yo, null, NR);
                            }
                    }
                });
    }

    /** Per-thread scratch of the gathered path: padded images, V, M and the two index maps. */
    private static final Scratch GATHERED = new Scratch(3);

    private static final ThreadLocal<int[][]> MAPS = ThreadLocal.withInitial(() -> new int[2][NR]);

    /**
     * Small images: the tiles of all images numbered in one sequence T = n·P + t, taken 2L at a
     * time (a chunk spans P/2L of an image or 2L/P images). The chunk's images are copied
     * zero-padded, [k][c][H + 2][W + 2]; each lane of the input transform gathers its tile's patch
     * through an index map, and each lane of the output transform scatters its 2×2 outputs through
     * another (lanes past the last tile masked off). The GEMM in between is the row path's.
     */
    static void forwardGathered(
            float[] x, float[] u, float[] y, ConvShape g, int mr, int oBlocks, int threads) {
        int ci = g.ci, co = g.co, tw = g.w / 2, p = g.h / 2 * tw, tiles = g.n * p;
        int chunks = (tiles + NR - 1) / NR, wp = g.w + 2, area = (g.h + 2) * wp;
        int span = Math.min(g.n, (NR + p - 2) / p + 1); // images one chunk can touch
        int[] offsets = new int[ci];
        for (int c = 0; c < ci; c++) offsets[c] = c * NR;
        int parts = Math.max(1, Math.min(threads, chunks));
        CpuThreads.run(
                parts,
                part -> {
                    float[] xp = GATHERED.get(0, span * ci * area),
                            v = GATHERED.get(1, 16 * ci * NR),
                            m = GATHERED.get(2, 16 * mr * NR);
                    int[][] maps = MAPS.get();
                    int[] in = maps[0], out = maps[1];
                    for (int q = chunks * part / parts; q < chunks * (part + 1) / parts; q++) {
                        int t0 = q * NR, valid = Math.min(NR, tiles - t0);
                        int img0 = t0 / p, img1 = (t0 + valid - 1) / p + 1;
                        for (int n = img0; n < img1; n++) // [k][c][H + 2][W + 2]
                        ConvDirectSimd.padUnstrided(x, n, g, xp, (n - img0) * ci * area, wp);
                        for (int lane = 0; lane < NR; lane++) {
                            int t = t0 + Math.min(lane, valid - 1), img = t / p, r = t % p;
                            int th = r / tw, tc = r % tw;
                            in[lane] = (img - img0) * ci * area + 2 * th * wp + 2 * tc;
                            out[lane] = img * co * g.h * g.w + 2 * th * g.w + 2 * tc;
                        }
                        gatheredInput(xp, ci, area, wp, in, v);
                        for (int ob = 0; ob < oBlocks; ob++) {
                            for (int xi = 0; xi < 16; xi++)
                                ConvDirectSimd.tile(
                                        mr,
                                        v,
                                        offsets,
                                        xi * ci * NR,
                                        u,
                                        (ob * 16 + xi) * ci * mr,
                                        ci,
                                        m,
                                        xi * mr * NR,
                                        NR);
                            int rows = Math.min(mr, co - ob * mr);
                            outputTransform(
                                    m,
                                    mr,
                                    rows,
                                    0,
                                    0,
                                    g.w,
                                    g.h * g.w,
                                    y,
                                    ob * mr * g.h * g.w,
                                    out,
                                    valid);
                        }
                    }
                });
    }

    /**
     * V[ξ][c][lane] = (Bᵀ·d·B)[ξ] for the chunk's 2L tiles, whose patches start at xp[c·area +
     * in[lane]] (d[i][j] at + i·wp + j); the same arithmetic as {@link #inputTransform}.
     */
    static void gatheredInput(float[] xp, int ci, int area, int wp, int[] in, float[] v) {
        int cs = ci * NR;
        for (int c = 0; c < ci; c++)
            for (int h = 0; h < NR; h += L) {
                int a = c * area, b = a + wp, e = b + wp, f = e + wp, o = c * NR + h;
                FloatVector d10 = FloatVector.fromArray(S, xp, b, in, h),
                        d11 = FloatVector.fromArray(S, xp, b + 1, in, h),
                        d12 = FloatVector.fromArray(S, xp, b + 2, in, h),
                        d13 = FloatVector.fromArray(S, xp, b + 3, in, h),
                        d20 = FloatVector.fromArray(S, xp, e, in, h),
                        d21 = FloatVector.fromArray(S, xp, e + 1, in, h),
                        d22 = FloatVector.fromArray(S, xp, e + 2, in, h),
                        d23 = FloatVector.fromArray(S, xp, e + 3, in, h);
                FloatVector s0 = d10.add(d20),
                        s1 = d11.add(d21),
                        s2 = d12.add(d22),
                        s3 = d13.add(d23);
                int r = o + 4 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                s0 = d20.sub(d10);
                s1 = d21.sub(d11);
                s2 = d22.sub(d12);
                s3 = d23.sub(d13);
                r = o + 8 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                s0 = FloatVector.fromArray(S, xp, a, in, h).sub(d20);
                s1 = FloatVector.fromArray(S, xp, a + 1, in, h).sub(d21);
                s2 = FloatVector.fromArray(S, xp, a + 2, in, h).sub(d22);
                s3 = FloatVector.fromArray(S, xp, a + 3, in, h).sub(d23);
                s0.sub(s2).intoArray(v, o);
                s1.add(s2).intoArray(v, o + cs);
                s2.sub(s1).intoArray(v, o + 2 * cs);
                s1.sub(s3).intoArray(v, o + 3 * cs);
                s0 = d10.sub(FloatVector.fromArray(S, xp, f, in, h));
                s1 = d11.sub(FloatVector.fromArray(S, xp, f + 1, in, h));
                s2 = d12.sub(FloatVector.fromArray(S, xp, f + 2, in, h));
                s3 = d13.sub(FloatVector.fromArray(S, xp, f + 3, in, h));
                r = o + 12 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
            }
    }

    /**
     * {@link #inputTransform} for rows of exactly L tiles (W = 2L), straight from x: each image row
     * is split once into its even and odd columns (two-vector permutes), and the patch's four
     * columns are those shifted by a lane with the pad's zero coming in: d[·][0] = x[2tw − 1] (odd
     * columns, one lane right), d[·][1] = x[2tw], d[·][2] = x[2tw + 1], d[·][3] = x[2tw + 2] (even
     * columns, one lane left). A tile row's last two image rows are the next tile row's first two.
     * The same values and arithmetic as the phase planes, so the same bits.
     */
    static void rowInput(float[] x, int n, ConvShape g, float[] v, int pv) {
        int ci = g.ci, w = g.w, cs = ci * pv;
        FloatVector zero = FloatVector.zero(S);
        for (int c = 0; c < ci; c++) {
            int from = (n * ci + c) * g.h * w;
            // patch rows 0 and 1 of tile row 0: the pad, then image row 0
            FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
            FloatVector v0 = FloatVector.fromArray(S, x, from),
                    v1 = FloatVector.fromArray(S, x, from + L);
            FloatVector b1 = v0.rearrange(EVEN, v1), b2 = v0.rearrange(ODD, v1);
            FloatVector b0 = zero.slice(L - 1, b2), b3 = b1.slice(1, zero);
            for (int th = 0; 2 * th < g.h; th++) {
                int at = from + (2 * th + 1) * w; // image row 2·th + 1: patch row 2
                v0 = FloatVector.fromArray(S, x, at);
                v1 = FloatVector.fromArray(S, x, at + L);
                FloatVector c1 = v0.rearrange(EVEN, v1), c2 = v0.rearrange(ODD, v1);
                FloatVector c0 = zero.slice(L - 1, c2), c3 = c1.slice(1, zero);
                FloatVector d0 = zero, d1 = zero, d2 = zero, d3 = zero; // patch row 3
                if (2 * th + 2 < g.h) {
                    v0 = FloatVector.fromArray(S, x, at + w);
                    v1 = FloatVector.fromArray(S, x, at + w + L);
                    d1 = v0.rearrange(EVEN, v1);
                    d2 = v0.rearrange(ODD, v1);
                    d0 = zero.slice(L - 1, d2);
                    d3 = d1.slice(1, zero);
                }
                int o = c * pv + th * L;
                FloatVector s0 = b0.add(c0), s1 = b1.add(c1), s2 = b2.add(c2), s3 = b3.add(c3);
                int r = o + 4 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                s0 = c0.sub(b0);
                s1 = c1.sub(b1);
                s2 = c2.sub(b2);
                s3 = c3.sub(b3);
                r = o + 8 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                s0 = a0.sub(c0);
                s1 = a1.sub(c1);
                s2 = a2.sub(c2);
                s3 = a3.sub(c3);
                s0.sub(s2).intoArray(v, o);
                s1.add(s2).intoArray(v, o + cs);
                s2.sub(s1).intoArray(v, o + 2 * cs);
                s1.sub(s3).intoArray(v, o + 3 * cs);
                s0 = b0.sub(d0);
                s1 = b1.sub(d1);
                s2 = b2.sub(d2);
                s3 = b3.sub(d3);
                r = o + 12 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                a0 = c0;
                a1 = c1;
                a2 = c2;
                a3 = c3;
                b0 = d0;
                b1 = d1;
                b2 = d2;
                b3 = d3;
            }
        }
    }

    /**
     * xp = image n of x zero-padded by 1 and split into its 4 phase planes per channel, [c][a·2 +
     * b][hq][wq]: padded pixel (2r + a, 2m + b) at (r, m), hq = H/2 + 1, wq = W/2 + 1; then a zero
     * tail up to size. Image row i is padded row i + 1: its odd columns x[i][2m + 1] go to plane
     * (a, 0) at m + 1 (m = 0 is the left pad), its even ones x[i][2m] to plane (a, 1) at m (m = W/2
     * is the right pad), both from one pass of two-vector even/odd permutes.
     */
    static void phases(float[] x, int n, ConvShape g, float[] xp, int hq, int wq, int size) {
        int phase = hq * wq, half = g.w / 2;
        for (int c = 0; c < g.ci; c++) {
            int base = c * 4 * phase, from = (n * g.ci + c) * g.h * g.w;
            Arrays.fill(xp, base, base + wq, 0f); // padded row 0: plane (0, 0) and (0, 1) row 0
            Arrays.fill(xp, base + phase, base + phase + wq, 0f);
            int last = (hq - 1) * wq; // padded row H + 1: planes (1, 0) and (1, 1), last row
            Arrays.fill(xp, base + 2 * phase + last, base + 2 * phase + last + wq, 0f);
            Arrays.fill(xp, base + 3 * phase + last, base + 3 * phase + last + wq, 0f);
            for (int i = 0; i < g.h; i++) {
                int a = (i + 1) & 1, r = (i + 1) >> 1, at = from + i * g.w;
                int odd = base + 2 * a * phase + r * wq, even = odd + phase;
                xp[odd] = 0f;
                xp[even + half] = 0f;
                if (half >= L) {
                    for (int m = 0; m < half; m += L) {
                        FloatVector v0 = FloatVector.fromArray(S, x, at + 2 * m),
                                v1 = FloatVector.fromArray(S, x, at + 2 * m + L);
                        v0.rearrange(ODD, v1).intoArray(xp, odd + 1 + m);
                        v0.rearrange(EVEN, v1).intoArray(xp, even + m);
                    }
                } else { // a row of L floats: half vectors
                    FloatVector v0 = FloatVector.fromArray(H, x, at),
                            v1 = FloatVector.fromArray(H, x, at + L / 2);
                    v0.rearrange(ODD_H, v1).intoArray(xp, odd + 1);
                    v0.rearrange(EVEN_H, v1).intoArray(xp, even);
                }
            }
        }
        Arrays.fill(xp, g.ci * 4 * phase, size, 0f);
    }

    /**
     * U = G·w[o, c]·Gᵀ for every output channel o and input channel c, as [oBlock][ξ][c][r] (o =
     * oBlock·mr + r; channels past Co zero), computed in double and rounded once.
     */
    static void packWeights(float[] w, int co, int ci, int mr, float[] out) {
        int stride = ci * mr; // from one ξ to the next within an output block
        for (int ob = 0; ob * mr < co; ob++)
            for (int c = 0; c < ci; c++)
                for (int r = 0; r < mr; r++) {
                    int o = ob * mr + r, at = (ob * 16 * ci + c) * mr + r;
                    if (o < co) WinogradRef.transformWeight(w, (o * ci + c) * 9, out, at, stride);
                    else for (int xi = 0; xi < 16; xi++) out[at + xi * stride] = 0f;
                }
    }

    /**
     * V[ξ][c][t] = (Bᵀ·d·B)[ξ] for tiles t of one image, a vector of tiles at a time. xp holds the
     * image's phase planes [c][a·2 + b][hq][wq] (padded pixel (2r + a, 2q + b) at (r, q)), so patch
     * value d[i][j] of tile (th, tw) is plane (i mod 2, j mod 2) at (th + i/2, tw + j/2).
     */
    static void inputTransform(
            float[] xp, int ci, int tw, int p, int phase, int wq, float[] v, int pv) {
        int step = Math.min(L, tw), cs = ci * pv; // cs: from one ξ to the next in V
        for (int c = 0; c < ci; c++) {
            int base = c * 4 * phase;
            for (int t = 0; t < p; t += step) {
                int q = base + t / tw * wq + t % tw;
                int a = q, b = q + phase, e = q + 2 * phase, f = q + 3 * phase, o = c * pv + t;
                // patch row i is planes (i mod 2, 0) and (i mod 2, 1) at row offset (i / 2)·wq:
                // d[i][0..3] = P(i,0)[0], P(i,1)[0], P(i,0)[1], P(i,1)[1]. Rows 1 and 2 first,
                // then 0 and 3, so that at most two rows of the patch are held at once.
                FloatVector d10 = FloatVector.fromArray(S, xp, e),
                        d11 = FloatVector.fromArray(S, xp, f),
                        d12 = FloatVector.fromArray(S, xp, e + 1),
                        d13 = FloatVector.fromArray(S, xp, f + 1),
                        d20 = FloatVector.fromArray(S, xp, a + wq),
                        d21 = FloatVector.fromArray(S, xp, b + wq),
                        d22 = FloatVector.fromArray(S, xp, a + wq + 1),
                        d23 = FloatVector.fromArray(S, xp, b + wq + 1);
                // Bᵀ·d, rows 1 and 2: s1 = d1 + d2, s2 = d2 − d1; then ·B along each row
                // (ξ = 4i + j): v0 = s0 − s2, v1 = s1 + s2, v2 = s2 − s1, v3 = s1 − s3
                FloatVector s0 = d10.add(d20),
                        s1 = d11.add(d21),
                        s2 = d12.add(d22),
                        s3 = d13.add(d23);
                int r = o + 4 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                s0 = d20.sub(d10);
                s1 = d21.sub(d11);
                s2 = d22.sub(d12);
                s3 = d23.sub(d13);
                r = o + 8 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
                // row 0: s0 = d0 − d2
                s0 = FloatVector.fromArray(S, xp, a).sub(d20);
                s1 = FloatVector.fromArray(S, xp, b).sub(d21);
                s2 = FloatVector.fromArray(S, xp, a + 1).sub(d22);
                s3 = FloatVector.fromArray(S, xp, b + 1).sub(d23);
                s0.sub(s2).intoArray(v, o);
                s1.add(s2).intoArray(v, o + cs);
                s2.sub(s1).intoArray(v, o + 2 * cs);
                s1.sub(s3).intoArray(v, o + 3 * cs);
                // row 3: s3 = d1 − d3
                s0 = d10.sub(FloatVector.fromArray(S, xp, e + wq));
                s1 = d11.sub(FloatVector.fromArray(S, xp, f + wq));
                s2 = d12.sub(FloatVector.fromArray(S, xp, e + wq + 1));
                s3 = d13.sub(FloatVector.fromArray(S, xp, f + wq + 1));
                r = o + 12 * cs;
                s0.sub(s2).intoArray(v, r);
                s1.add(s2).intoArray(v, r + cs);
                s2.sub(s1).intoArray(v, r + 2 * cs);
                s1.sub(s3).intoArray(v, r + 3 * cs);
            }
        }
    }

    /**
     * y tiles = Aᵀ·M·A for rows output channels of the block whose M is m [ξ][mr][NR] (tiles t0 …
     * t0 + NR − 1 of one image, output channel r's plane at yo + r·area). Without a map, each
     * vector of tiles is interleaved into its two output rows; with one (the gathered path), lane
     * i's outputs (0, 0), (0, 1), (1, 0), (1, 1) are scattered to y[yo + r·area + out[i]] + 0, 1,
     * w, w + 1, and lanes from valid on are not written.
     */
    static void outputTransform(
            float[] m,
            int mr,
            int rows,
            int t0,
            int tw,
            int w,
            int area,
            float[] y,
            int yo,
            int[] out,
            int valid) {
        int xs = mr * NR; // from one ξ to the next in m
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < NR && h < valid; h += L) {
                int o = r * NR + h;
                // Aᵀ·M column by column: t0j = M0j + M1j + M2j, t1j = M1j − M2j − M3j
                FloatVector m1 = FloatVector.fromArray(S, m, o + 4 * xs),
                        m2 = FloatVector.fromArray(S, m, o + 8 * xs);
                FloatVector t00 = FloatVector.fromArray(S, m, o).add(m1).add(m2),
                        t10 = m1.sub(m2).sub(FloatVector.fromArray(S, m, o + 12 * xs));
                m1 = FloatVector.fromArray(S, m, o + 5 * xs);
                m2 = FloatVector.fromArray(S, m, o + 9 * xs);
                FloatVector t01 = FloatVector.fromArray(S, m, o + xs).add(m1).add(m2),
                        t11 = m1.sub(m2).sub(FloatVector.fromArray(S, m, o + 13 * xs));
                m1 = FloatVector.fromArray(S, m, o + 6 * xs);
                m2 = FloatVector.fromArray(S, m, o + 10 * xs);
                FloatVector t02 = FloatVector.fromArray(S, m, o + 2 * xs).add(m1).add(m2),
                        t12 = m1.sub(m2).sub(FloatVector.fromArray(S, m, o + 14 * xs));
                m1 = FloatVector.fromArray(S, m, o + 7 * xs);
                m2 = FloatVector.fromArray(S, m, o + 11 * xs);
                FloatVector t03 = FloatVector.fromArray(S, m, o + 3 * xs).add(m1).add(m2),
                        t13 = m1.sub(m2).sub(FloatVector.fromArray(S, m, o + 15 * xs));
                // (Aᵀ·M)·A: Yi0 = ti0 + ti1 + ti2, Yi1 = ti1 − ti2 − ti3
                FloatVector y00 = t00.add(t01).add(t02), y01 = t01.sub(t02).sub(t03);
                FloatVector y10 = t10.add(t11).add(t12), y11 = t11.sub(t12).sub(t13);
                if (out != null) {
                    int at = yo + r * area;
                    VectorMask<Float> live = S.indexInRange(h, valid);
                    y00.intoArray(y, at, out, h, live);
                    y01.intoArray(y, at + 1, out, h, live);
                    y10.intoArray(y, at + w, out, h, live);
                    y11.intoArray(y, at + w + 1, out, h, live);
                    continue;
                }
                int t = t0 + h, row = 2 * (t / tw), col = 2 * (t % tw);
                int at = yo + r * area + row * w + col;
                // a vector of tiles is part of one tile row (then its two halves are one output
                // row's next 2L columns) or, for W/2 = L/2, two whole tile rows (two rows apart)
                int hi = tw >= L ? L : 2 * w;
                y00.rearrange(ZIP_LO, y01).intoArray(y, at);
                y00.rearrange(ZIP_HI, y01).intoArray(y, at + hi);
                y10.rearrange(ZIP_LO, y11).intoArray(y, at + w);
                y10.rearrange(ZIP_HI, y11).intoArray(y, at + w + hi);
            }
    }
}
