package arm.kernels.cpu.simd;

import arm.kernels.cpu.CpuThreads;
import arm.kernels.cpu.Scratch;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.fast.WeightPacks;
import arm.kernels.cpu.ref.WinogradF4Ref;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 3×3 convolution, stride 1, pad 1, by Winograd's minimal filtering F(4×4, 3×3); the naive twin is
 * {@link WinogradF4Ref} (the same transforms in scalar loops, the same bits), and both compute
 * {@link arm.kernels.cpu.ref.ConvRef}'s convolution up to rounding.
 *
 * <p>Shapes: x [N, Ci, H, W], w [Co, Ci, 3, 3], y [N, Co, H, W], H and W multiples of 4. Output
 * tile (th, tw) is y[4·th .. 4·th + 3, 4·tw .. 4·tw + 3]; it reads the 6×6 patch d of the
 * zero-padded input at rows 4·th .. 4·th + 5, columns 4·tw .. 4·tw + 5. With the interpolation
 * points 0, 1, −1, 2, −2 and ∞:
 *
 * <pre>
 *      | 4  0 -5  0  1  0 |         |  1/4    0     0   |
 *      | 0 -4 -4  1  1  0 |         | -1/6  -1/6  -1/6  |        | 1  1  1  1  1  0 |
 * Bᵀ = | 0  4 -4 -1  1  0 |     G = | -1/6   1/6  -1/6  |   Aᵀ = | 0  1 -1  2 -2  0 |
 *      | 0 -2 -1  2  1  0 |         |  1/24  1/12  1/6  |        | 0  1  1  4  4  0 |
 *      | 0  2 -1 -2  1  0 |         |  1/24 -1/12  1/6  |        | 0  1 -1  8 -8  1 |
 *      | 0  4  0 -5  0  1 |         |  0     0     1    |
 *
 * V[c]    = Bᵀ d[c] B                       (input transform, 36 values per channel and tile)
 * U[o, c] = G w[o, c] Gᵀ                    (weight transform, once per weights)
 * M[o]    = Σ_c U[o, c] ⊙ V[c]              (36 GEMMs: one per ξ of the 6×6, over Ci)
 * y tile  = Aᵀ M[o] A                       (output transform)
 * </pre>
 *
 * 36 multiplies per 16 outputs and channel pair: 2.25·Ci·Co·H·W FMAs against F(2×2, 3×3)'s 4
 * ({@link WinogradSimd}) and the direct kernel's 9. The larger transforms amplify rounding more
 * than F(2, 3)'s (entries up to 8 in Aᵀ and 5 in Bᵀ): in floats the result differs from the direct
 * kernel's by a few units in the last place of the largest terms (tests bound it against {@link
 * arm.kernels.cpu.ref.ConvRef}). It is deterministic and does not depend on the batch or the thread
 * count: each tile is computed alone, each output by one fixed chain.
 *
 * <p>Layout: the tiles of all images are numbered T = n·P + t (P = H/4 · W/4 per image, t = th·W/4
 * + tw) and taken 2L at a time (a chunk: a part of an image or several images). Where a vector of L
 * tiles is whole tile rows of images whose rows are whole vectors, the patches come straight from x
 * ({@link #rowInput}); otherwise the chunk's images are copied zero-padded, [k][c][H + 2][W + 2]
 * (kept for the next chunk of the same images), and each lane gathers its tile's patch through an
 * index map ({@link #inputTransform}). Either way into V [36][Ci][2L]; the GEMMs use {@link
 * ConvDirectSimd}'s register tile (10 output channels × 2 vectors of tiles on AVX-512) with K = Ci
 * into M [36][mr][2L]; the output transform stores whole tile rows, or scatters each lane's 4×4
 * outputs through another map (lanes past the last tile masked off). The input transform runs the
 * 1-D transform along each patch row into a small buffer, then down its columns ({@link #columns});
 * the output transform down M's columns, then along the rows. The 1-D transforms are written out
 * where they run, so the two input paths repeat the row step: a helper taking vectors that C2 does
 * not inline boxes them (20-32-20 ran 2.4× slower that way).
 */
public final class WinogradF4Simd {
    private WinogradF4Simd() {}

    static final VectorSpecies<Float> S = ConvDirectSimd.S;
    static final int L = S.length(), NR = 2 * L;

    /** {@code -Darm.conv.winograd4=false} keeps these shapes on F(2×2, 3×3). */
    static final boolean ON = !"false".equals(System.getProperty("arm.conv.winograd4", "true"));

    /**
     * Where F(4×4, 3×3) is chosen over F(2×2, 3×3): at least this many 4×4 tiles (images × H/4 ×
     * W/4), {@link #MIN_CHANNELS} input and output channels and images of at least 8×8. Its
     * transforms cost 2.25× F(2, 3)'s per tile and channel while its GEMMs save 44 %, so few
     * channels (ResNet's 20 at 32×32), few tiles and 4×4 images (one tile each, mostly padding)
     * stay on F(2, 3). Measured (`ConvTiming`, one thread, JDK 25, thread CPU per call, F(4, 3)
     * against F(2, 3), forward; the input gradient alike): 100 images 40-16-40 2.6 / 3.3 ms,
     * 80-8-80 3.2 / 3.8, 20-32-20 4.1 / 3.8, 160-4-160 3.5 / 3.3; 10 images 40-16-40 (160 tiles)
     * 0.2 / 0.3, 80-8-80 (40 tiles) 0.5 / 0.4; 40 images 80-8-80 (160 tiles) 1.3 / 1.4 ms. Those
     * calls reuse their weights' transform; where the weights change every call (a training step)
     * the transform of 36 values per kernel (≈ 35 ns against F(2, 3)'s 16 in ≈ 8 ns, i.e. 0.06
     * against 0.01 ms for a 40×40 layer, twice a step with the input gradient) takes what the GEMMs
     * save at 160 tiles: in plain steps of 10 images (`OpProfile 100 200 method=Naive`) the 16×16
     * stage's calls took the same time either way, so the floor is 256 tiles (16×16 from 16 images,
     * 8×8 from 64: evaluation batches and ARM's replicated recall batch of 100). Measured on JDK 25
     * only (its permutes and gathers), so chosen there ({@link WinogradSimd#ROWS_PAY}).
     */
    static final int MIN_TILES = 256, MIN_CHANNELS = 32;

    /** H and W multiples of 4 and everything {@link WinogradSimd#supports} asks. */
    public static boolean supports(ConvShape g) {
        return ON && WinogradSimd.supports(g) && g.h % 4 == 0 && g.w % 4 == 0;
    }

    /** Whether {@link arm.kernels.cpu.CpuConv} should run g here; the shape alone decides. */
    public static boolean pays(ConvShape g) {
        return supports(g)
                && WinogradSimd.ROWS_PAY
                && (long) g.n * (g.h / 4) * (g.w / 4) >= MIN_TILES
                && g.ci >= MIN_CHANNELS
                && g.co >= MIN_CHANNELS
                && g.h >= 8
                && g.w >= 8;
    }

    /** A quarter of a vector: the tiles whose 4 outputs of a row fill one vector. */
    static final int Q = L / 4;

    /** Lane i of a and lane i of b side by side: (a0, b0, a1, b1, …) from the low halves. */
    private static final VectorShuffle<Float>
            ZIP_LO = VectorShuffle.fromOp(S, i -> i % 2 == 0 ? i / 2 : L + i / 2),
            ZIP_HI = VectorShuffle.fromOp(S, i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);

    /** The even and the odd lanes of two vectors (a's, then b's). */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i),
            ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    /**
     * By tile-row width tw (for W = 4·tw a multiple of L): the lanes that start a tile row and the
     * lanes that end one, where the row path puts the left and right pad's zeros.
     */
    private static final VectorMask<Float>[] FIRST = rowMasks(0), LAST = rowMasks(-1);

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] rowMasks(int end) {
        VectorMask<Float>[] m = new VectorMask[L + 1];
        for (int tw = 1; tw <= L; tw++) {
            boolean[] on = new boolean[L];
            for (int l = 0; l < L; l++) on[l] = l % tw == (end == 0 ? 0 : tw - 1);
            m[tw] = VectorMask.fromArray(S, on, 0);
        }
        return m;
    }

    /** The transforms' constants (a fused multiply-add takes its factor as a vector). */
    private static final FloatVector P2 = FloatVector.broadcast(S, 2f),
            P4 = FloatVector.broadcast(S, 4f),
            P8 = FloatVector.broadcast(S, 8f),
            N4 = FloatVector.broadcast(S, -4f),
            N5 = FloatVector.broadcast(S, -5f);

    /** Per-thread scratch: padded images, V, M and the transforms' buffer. */
    private static final Scratch SCRATCH = new Scratch(4);

    /** Per-thread index maps: gathers', scatters' and the row path's segments. */
    private static final ThreadLocal<int[][]> MAPS =
            ThreadLocal.withInitial(() -> new int[][] {new int[NR], new int[NR], new int[20]});

    public static void forward(float[] x, float[] w, float[] y, ConvShape g, int threads) {
        if (!supports(g)) throw new IllegalArgumentException("Winograd F(4,3) does not take " + g);
        int ci = g.ci, co = g.co, mr = ConvDirectSimd.rows(co), oBlocks = (co + mr - 1) / mr;
        float[] u =
                WeightPacks.of(
                        w,
                        co * ci * 9,
                        oBlocks * 36 * ci * mr,
                        (src, out) -> packWeights(src, co, ci, mr, out),
                        36,
                        mr,
                        ci,
                        co);
        int tw = g.w / 4, p = g.h / 4 * tw, tiles = g.n * p, area = g.h * g.w;
        int chunks = (tiles + NR - 1) / NR, wp = g.w + 2, padded = (g.h + 2) * wp;
        int span = Math.min(g.n, (NR + p - 2) / p + 1); // images one chunk can touch
        int[] offsets = new int[ci];
        for (int c = 0; c < ci; c++) offsets[c] = c * NR;
        // a quarter vector of tiles within one tile row: their outputs are contiguous
        boolean zip = tw % Q == 0;
        // image rows of whole vectors (at most 4), a vector of whole tile rows: no gathers
        boolean rowsOk = g.w % L == 0 && g.w <= 4 * L && L % tw == 0;
        int parts = Math.max(1, Math.min(threads, chunks));
        CpuThreads.run(
                parts,
                part -> {
                    float[] xp = SCRATCH.get(0, span * ci * padded),
                            v = SCRATCH.get(1, 36 * ci * NR),
                            m = SCRATCH.get(2, 36 * mr * NR),
                            buf = SCRATCH.get(3, 36 * L);
                    int[][] maps = MAPS.get();
                    int[] in = maps[0], out = maps[1], seg = maps[2];
                    int held0 = -1, held1 = -1; // the images xp holds
                    for (int q = chunks * part / parts; q < chunks * (part + 1) / parts; q++) {
                        int t0 = q * NR, valid = Math.min(NR, tiles - t0);
                        int img0 = t0 / p, img1 = (t0 + valid - 1) / p + 1;
                        boolean rows = rowsOk && valid == NR;
                        if (!rows && (img0 != held0 || img1 > held1)) {
                            for (int n = img0; n < img1; n++) // [k][c][H + 2][W + 2]
                            ConvDirectSimd.padUnstrided(x, n, g, xp, (n - img0) * ci * padded, wp);
                            held0 = img0;
                            held1 = img1;
                        }
                        for (int lane = 0; lane < NR; lane++) {
                            int t = t0 + Math.min(lane, valid - 1), img = t / p, r = t % p;
                            int th = r / tw, tc = r % tw;
                            out[lane] = img * co * area + 4 * th * g.w + 4 * tc;
                            if (!rows) in[lane] = (img - img0) * ci * padded + 4 * th * wp + 4 * tc;
                        }
                        if (rows) rowInput(x, g, t0, v, buf, seg);
                        else inputTransform(xp, ci, padded, wp, in, v, buf);
                        for (int ob = 0; ob < oBlocks; ob++) {
                            for (int xi = 0; xi < 36; xi++)
                                ConvDirectSimd.tile(
                                        mr,
                                        v,
                                        offsets,
                                        xi * ci * NR,
                                        u,
                                        (ob * 36 + xi) * ci * mr,
                                        ci,
                                        m,
                                        xi * mr * NR,
                                        NR);
                            outputTransform(
                                    m,
                                    mr,
                                    Math.min(mr, co - ob * mr),
                                    g.w,
                                    area,
                                    y,
                                    ob * mr * area,
                                    out,
                                    valid,
                                    zip,
                                    buf);
                        }
                    }
                });
    }

    /**
     * U = G·w[o, c]·Gᵀ for every output channel o and input channel c, as [oBlock][ξ][c][r] (o =
     * oBlock·mr + r; channels past Co zero), computed in double and rounded once.
     */
    static void packWeights(float[] w, int co, int ci, int mr, float[] out) {
        int stride = ci * mr; // from one ξ to the next within an output block
        double[] h = new double[24]; // the transform's scratch, one per pack
        for (int ob = 0; ob * mr < co; ob++)
            for (int c = 0; c < ci; c++)
                for (int r = 0; r < mr; r++) {
                    int o = ob * mr + r, at = (ob * 36 * ci + c) * mr + r;
                    if (o < co)
                        WinogradF4Ref.transformWeight(w, (o * ci + c) * 9, out, at, stride, h);
                    else for (int xi = 0; xi < 36; xi++) out[at + xi * stride] = 0f;
                }
    }

    /**
     * V[ξ][c][lane] = (Bᵀ·d·B)[ξ] for the chunk's tiles t0 … t0 + 2L − 1 (whole tile rows of W/4
     * tiles, W a multiple of L and at most 4L), straight from x. A vector of L tiles is L/(W/4)
     * tile rows; for patch row i their image rows, side by side, are 4 vectors, and two levels of
     * even/odd permutes split them into their 4 column phases, lane l holding tile l's values:
     * d[i][1..4] = x[4tc .. 4tc + 3]; d[i][0] = x[4tc − 1] is phase 3 one lane right and d[i][5] =
     * x[4tc + 4] phase 0 one lane left, the pad's zero put in at each tile row's end. Bᵀ runs along
     * each patch row into buf [6][6][L], then down buf's columns into V.
     */
    static void rowInput(float[] x, ConvShape g, int t0, float[] v, float[] buf, int[] seg) {
        int ci = g.ci, w = g.w, tw = w / 4, p = g.h / 4 * tw, cs = ci * NR;
        VectorMask<Float> first = FIRST[tw], last = LAST[tw];
        FloatVector zero = FloatVector.zero(S);
        // segment k of half h (hk = 4h/L + k): seg[hk] the image row 4·th − 1 (patch row 0) of
        // its tile row, seg[8 + hk] where it starts in x for channel 0 (the float kL of the tile
        // rows' image rows side by side); seg[16 + k] a patch row's segment k in x, or −1 (pad)
        for (int hk = 0; hk < 8; hk++) {
            int floats = (hk & 3) * L, tr = t0 + (hk >> 2) * L + floats / w * tw;
            int img = tr / p, th = tr % p / tw;
            seg[hk] = 4 * th - 1;
            seg[8 + hk] = (img * ci * g.h + 4 * th - 1) * w + floats % w;
        }
        int chan = g.h * w;
        for (int c = 0; c < ci; c++)
            for (int h = 0; h < NR; h += L) {
                for (int i = 0; i < 6; i++) {
                    for (int k = 0; k < 4; k++) {
                        int hk = (h / L) * 4 + k, xr = seg[hk] + i;
                        seg[16 + k] = xr >= 0 && xr < g.h ? seg[8 + hk] + c * chan + i * w : -1;
                    }
                    int a0 = seg[16], a1 = seg[17], a2 = seg[18], a3 = seg[19];
                    FloatVector v0 = a0 < 0 ? zero : FloatVector.fromArray(S, x, a0),
                            v1 = a1 < 0 ? zero : FloatVector.fromArray(S, x, a1),
                            v2 = a2 < 0 ? zero : FloatVector.fromArray(S, x, a2),
                            v3 = a3 < 0 ? zero : FloatVector.fromArray(S, x, a3);
                    FloatVector e01 = v0.rearrange(EVEN, v1), o01 = v0.rearrange(ODD, v1);
                    FloatVector e23 = v2.rearrange(EVEN, v3), o23 = v2.rearrange(ODD, v3);
                    FloatVector d1 = e01.rearrange(EVEN, e23),
                            d3 = e01.rearrange(ODD, e23),
                            d2 = o01.rearrange(EVEN, o23),
                            d4 = o01.rearrange(ODD, o23);
                    FloatVector d0 = zero.slice(L - 1, d4).blend(zero, first),
                            d5 = d1.slice(1, zero).blend(zero, last);
                    // along patch row i: buf[i][j] = (d·B)[i][j], the same 1-D transform
                    FloatVector s1 = d2.fma(N4, d4), s2 = d1.fma(N4, d3);
                    FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
                    int b = 6 * i * L;
                    d2.fma(N5, d0.fma(P4, d4)).intoArray(buf, b);
                    s1.add(s2).intoArray(buf, b + L);
                    s1.sub(s2).intoArray(buf, b + 2 * L);
                    s3.add(s4).intoArray(buf, b + 3 * L);
                    s3.sub(s4).intoArray(buf, b + 4 * L);
                    d3.fma(N5, d1.fma(P4, d5)).intoArray(buf, b + 5 * L);
                }
                columns(buf, v, c * NR + h, cs);
            }
    }

    /**
     * V[ξ][c][lane] = (Bᵀ·d·B)[ξ] for the chunk's 2L tiles, whose patches start at xp[c·padded +
     * in[lane]] (d[i][j] at + i·wp + j): Bᵀ down each gathered column into buf [6][6][L], then
     * along buf's rows into V.
     */
    static void inputTransform(
            float[] xp, int ci, int padded, int wp, int[] in, float[] v, float[] buf) {
        int cs = ci * NR; // from one ξ to the next in V
        for (int c = 0; c < ci; c++)
            for (int h = 0; h < NR; h += L) {
                for (int i = 0; i < 6; i++) { // along patch row i: buf[i][j] = (d·B)[i][j]
                    int at = c * padded + i * wp, b = 6 * i * L;
                    FloatVector d0 = FloatVector.fromArray(S, xp, at, in, h),
                            d1 = FloatVector.fromArray(S, xp, at + 1, in, h),
                            d2 = FloatVector.fromArray(S, xp, at + 2, in, h),
                            d3 = FloatVector.fromArray(S, xp, at + 3, in, h),
                            d4 = FloatVector.fromArray(S, xp, at + 4, in, h),
                            d5 = FloatVector.fromArray(S, xp, at + 5, in, h);
                    FloatVector s1 = d2.fma(N4, d4), s2 = d1.fma(N4, d3);
                    FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
                    d2.fma(N5, d0.fma(P4, d4)).intoArray(buf, b);
                    s1.add(s2).intoArray(buf, b + L);
                    s1.sub(s2).intoArray(buf, b + 2 * L);
                    s3.add(s4).intoArray(buf, b + 3 * L);
                    s3.sub(s4).intoArray(buf, b + 4 * L);
                    d3.fma(N5, d1.fma(P4, d5)).intoArray(buf, b + 5 * L);
                }
                columns(buf, v, c * NR + h, cs);
            }
    }

    /**
     * The input transform's second half: V[6i + j][·][o …] = (Bᵀ·s)[i][j] down each column j of buf
     * [6][6][L] (s = d·B, patch row by row), ξ-planes cs apart. Both input paths end here; no
     * vector crosses the call.
     */
    private static void columns(float[] buf, float[] v, int o0, int cs) {
        for (int j = 0; j < 6; j++) {
            int b = j * L, o = o0 + j * cs;
            FloatVector d0 = FloatVector.fromArray(S, buf, b),
                    d1 = FloatVector.fromArray(S, buf, b + 6 * L),
                    d2 = FloatVector.fromArray(S, buf, b + 12 * L),
                    d3 = FloatVector.fromArray(S, buf, b + 18 * L),
                    d4 = FloatVector.fromArray(S, buf, b + 24 * L),
                    d5 = FloatVector.fromArray(S, buf, b + 30 * L);
            FloatVector s1 = d2.fma(N4, d4), s2 = d1.fma(N4, d3);
            FloatVector s3 = d4.sub(d2), s4 = d3.sub(d1).mul(2f);
            d2.fma(N5, d0.fma(P4, d4)).intoArray(v, o);
            s1.add(s2).intoArray(v, o + 6 * cs);
            s1.sub(s2).intoArray(v, o + 12 * cs);
            s3.add(s4).intoArray(v, o + 18 * cs);
            s3.sub(s4).intoArray(v, o + 24 * cs);
            d3.fma(N5, d1.fma(P4, d5)).intoArray(v, o + 30 * cs);
        }
    }

    /**
     * y tiles = Aᵀ·M·A for rows output channels of the block whose M is m [ξ][mr][NR], output
     * channel r's plane at yo + r·area: Aᵀ down each column of M into buf [4][6][L], then along
     * buf's rows; lane i's outputs (a, b) go to y[yo + r·area + out[i] + a·w + b], lanes from valid
     * on are not written.
     */
    static void outputTransform(
            float[] m,
            int mr,
            int rows,
            int w,
            int area,
            float[] y,
            int yo,
            int[] out,
            int valid,
            boolean zip,
            float[] buf) {
        int xs = mr * NR; // from one ξ to the next in m
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < NR && h < valid; h += L) {
                int o = r * NR + h;
                for (int j = 0; j < 6; j++) { // down column j of M: buf[i][j] = (Aᵀ·M)[i][j]
                    int mo = o + j * xs, bo = j * L;
                    FloatVector m0 = FloatVector.fromArray(S, m, mo),
                            m1 = FloatVector.fromArray(S, m, mo + 6 * xs),
                            m2 = FloatVector.fromArray(S, m, mo + 12 * xs),
                            m3 = FloatVector.fromArray(S, m, mo + 18 * xs),
                            m4 = FloatVector.fromArray(S, m, mo + 24 * xs),
                            m5 = FloatVector.fromArray(S, m, mo + 30 * xs);
                    FloatVector sa = m1.add(m2), sb = m1.sub(m2), sc = m3.add(m4);
                    FloatVector se = m3.sub(m4);
                    m0.add(sa).add(sc).intoArray(buf, bo);
                    se.fma(P2, sb).intoArray(buf, bo + 6 * L);
                    sc.fma(P4, sa).intoArray(buf, bo + 12 * L);
                    se.fma(P8, sb).add(m5).intoArray(buf, bo + 18 * L);
                }
                VectorMask<Float> live = S.indexInRange(h, valid);
                boolean whole = zip && h + L <= valid;
                int at = yo + r * area;
                for (int i = 0; i < 4; i++) {
                    int b = 6 * i * L;
                    FloatVector m0 = FloatVector.fromArray(S, buf, b),
                            m1 = FloatVector.fromArray(S, buf, b + L),
                            m2 = FloatVector.fromArray(S, buf, b + 2 * L),
                            m3 = FloatVector.fromArray(S, buf, b + 3 * L),
                            m4 = FloatVector.fromArray(S, buf, b + 4 * L),
                            m5 = FloatVector.fromArray(S, buf, b + 5 * L);
                    FloatVector sa = m1.add(m2), sb = m1.sub(m2), sc = m3.add(m4);
                    FloatVector se = m3.sub(m4);
                    int row = at + i * w;
                    FloatVector y0 = m0.add(sa).add(sc),
                            y1 = se.fma(P2, sb),
                            y2 = sc.fma(P4, sa),
                            y3 = se.fma(P8, sb).add(m5);
                    if (whole) { // lanes by 4: (y0, y1, y2, y3) of a tile side by side
                        FloatVector p = y0.rearrange(ZIP_LO, y2), q = y1.rearrange(ZIP_LO, y3);
                        p.rearrange(ZIP_LO, q).intoArray(y, row + out[h]);
                        p.rearrange(ZIP_HI, q).intoArray(y, row + out[h + Q]);
                        p = y0.rearrange(ZIP_HI, y2);
                        q = y1.rearrange(ZIP_HI, y3);
                        p.rearrange(ZIP_LO, q).intoArray(y, row + out[h + 2 * Q]);
                        p.rearrange(ZIP_HI, q).intoArray(y, row + out[h + 3 * Q]);
                        continue;
                    }
                    y0.intoArray(y, row, out, h, live);
                    y1.intoArray(y, row + 1, out, h, live);
                    y2.intoArray(y, row + 2, out, h, live);
                    y3.intoArray(y, row + 3, out, h, live);
                }
            }
    }
}
