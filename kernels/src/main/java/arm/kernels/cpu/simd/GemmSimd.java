package arm.kernels.cpu.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the Java Vector API: C[M, N] = alpha · op(A)[M, K] · op(B)[K, N] + beta · C, row-major,
 * the same contract as {@link arm.kernels.cpu.ref.GemmRef#sgemm}.
 *
 * <p>Two algorithms, picked by how B is stored:
 *
 * <ul>
 *   <li><b>Panel path</b>, B stored K×N (x·W with W as [in, out], dY·W, dYᵀ·X, im2col W·cols):
 *       BLIS/GotoBLAS style. K is cut into KC-deep slices, M into row blocks of at most MC_MAX.
 *       op(A) is packed into MR-row panels ({@code [p][r]}: one k step reads MR consecutive floats,
 *       alpha folded in, a transposed A turned around here); B into NR-column panels ({@code
 *       [p][0..NR)}), KC×NC at a time, and reused by every row block. The micro-kernel keeps an
 *       MR×NR tile of C in MR·NV vector registers and does one FMA per register per k step: 5×2
 *       vectors with AVX2's 16 registers, 5×4, 10×2 or 8×3 with AVX-512's 32 ({@link #tileFor}). A
 *       small B under a single row block is read in place: packing would copy each element to use
 *       it only ⌈M/MR⌉ times.
 *   <li><b>Dot path</b>, B stored N×K (x·Wᵀ with W as [out, in], the MLP forward; dY·colsᵀ, the
 *       conv weight gradient) and few rows of C: every C element is a dot product of two contiguous
 *       K-long rows, so nothing is packed (turning B around is the larger part of the work at M =
 *       10). A 2×4 (AVX2) or 4×4 (AVX-512) tile of dot products shares its loads; each sum is
 *       reduced across lanes once per K slice of KD. From {@link #PANEL_MIN_M_TRANS_B} rows on (48
 *       with AVX-512, 200 with AVX2), a transposed B goes through the panel path instead, turned
 *       around by vector gathers while it is packed and then shared by ⌈M/MR⌉ tiles.
 * </ul>
 *
 * Partial tiles at the edges are computed on zero-padded copies in a scratch tile, so the hot loop
 * never carries a mask. beta is applied on the first K slice only (later slices accumulate), and
 * beta = 0 never reads C, as BLAS requires.
 */
public final class GemmSimd {
    private GemmSimd() {}

    /**
     * The machine's widest vector unless {@code -Darm.simd.bits=128|256|512} says otherwise (for
     * testing the other widths: wider than the hardware still computes correctly, only slowly).
     */
    static final VectorSpecies<Float> S = species(Integer.getInteger("arm.simd.bits", 0));

    static final int L = S.length();

    /**
     * Register tiles of the panel path: MR rows × NV vectors of C held in MR·NV accumulators, coded
     * MR·100 + NV. With AVX2's 16 registers only 5×2 fits (a 6×2 tile made C2 spill an accumulator
     * inside the k loop, which halved the speed). AVX-512 has 32, and tiles of 20–24 accumulators
     * run 1.3–1.5× faster there: 5×4 in general, 10×2 when M is a multiple of 10 and B is small
     * (one tile covers a batch of 10), 8×3 for tall A with M a multiple of 8. Each element of C is
     * one FMA chain over k in order whatever the tile, so the tile never changes the bits.
     */
    static final int T5X2 = 502, T5X4 = 504, T10X2 = 1002, T8X3 = 803;

    /** {@code -Darm.gemm.tile=5x2|5x4|10x2|8x3} forces a tile (benchmarks, tests). */
    static final int FORCED_TILE = tile(System.getProperty("arm.gemm.tile", ""));

    /** The tile code of "MRxNV", 0 for an empty string. */
    static int tile(String s) {
        if (s.isBlank()) return 0;
        String[] p = s.trim().split("x");
        int t = p.length == 2 ? Integer.parseInt(p[0]) * 100 + Integer.parseInt(p[1]) : -1;
        if (t != T5X2 && t != T5X4 && t != T10X2 && t != T8X3)
            throw new IllegalArgumentException(
                    "arm.gemm.tile=" + s + ": expected one of 5x2, 5x4, 10x2, 8x3");
        return t;
    }

    /** Largest MR·NR of any tile, for the scratch tile. */
    static final int MAX_TILE = 10 * 4 * L;

    /** The register tile for C with m rows, B with k·n elements. */
    static int tileFor(int m, long kn) {
        if (FORCED_TILE != 0) return FORCED_TILE;
        if (L < 16) return T5X2;
        if (m % 8 == 0 && m >= 160) return T8X3;
        if (m % 10 == 0 && kn <= DIRECT_MAX_B) return T10X2;
        return T5X4;
    }

    /** Cache blocks: a KC×NR B panel lives in L1/L2, an MC×KC A block (MC ≤ MC_MAX) in L2. */
    static final int KC = 256, MC_MAX = 120, NC = 2048;

    /** B is read in place (not packed) up to this many elements, about L2 + a share of L3. */
    static final long DIRECT_MAX_B = 1 << 20;

    /** Dot path: K slices of KD and row blocks of MD (an MD×KD A block, 256 KB, stays in L2). */
    static final int KD = 2048, MD = 32;

    /**
     * Dot path: 4×4 tiles of dot products (16 accumulators, 8 loads per K vector) where the 32
     * AVX-512 registers hold them (10x784x400:nt 36 → 59 GFLOP/s by CPU time), else 2×4.
     */
    static final boolean DOT4 = L >= 16;

    /**
     * From this many rows of C on, a transposed B goes through the panel path (packed, turned
     * around while packing) instead of the dot path: the packing is then shared by ⌈M/MR⌉ tiles.
     * With AVX-512 the crossover is near M = 40–50 (50x784x400:nt 71 vs 62 GFLOP/s, 100x784x400:nt
     * 91 vs 69); with AVX2 near 200.
     */
    static final int PANEL_MIN_M_TRANS_B =
            Integer.getInteger("arm.gemm.panelMinM", L >= 16 ? 48 : 200);

    /** Floats per vector ({@link arm.kernels.cpu.LinearEval} picks its kernel by it). */
    public static int lanes() {
        return L;
    }

    /**
     * Rows of C from which a transposed B takes the panel path, where every element of C is one
     * in-order FMA chain ({@link arm.kernels.cpu.LinearEval} matches those bits).
     */
    public static int panelMinRowsTransB() {
        return PANEL_MIN_M_TRANS_B;
    }

    private static VectorSpecies<Float> species(int bits) {
        return bits == 0
                ? FloatVector.SPECIES_PREFERRED
                : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** e.g. "AVX2, 8 float lanes". */
    public static String describe() {
        String forced =
                S == FloatVector.SPECIES_PREFERRED
                        ? ""
                        : ", forced by arm.simd.bits; the hardware prefers "
                                + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                                + " bits";
        return isa(S.vectorBitSize()) + ", " + L + " float lanes" + forced;
    }

    private static String isa(int bits) {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return bits >= 512 ? "AVX-512" : bits == 256 ? "AVX2" : "SSE";
        }
        if (arch.equals("aarch64")) return bits > 128 ? "SVE" : "NEON";
        return bits + "-bit";
    }

    public static void sgemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (transB && m < PANEL_MIN_M_TRANS_B) {
            Dot.sgemm(transA, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            panels(
                    tileFor(m, (long) k * n),
                    transA,
                    transB,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    aOff,
                    lda,
                    b,
                    bOff,
                    ldb,
                    beta,
                    c,
                    cOff,
                    ldc);
        }
    }

    /** C = beta · C (beta = 0 writes zeros without reading C). */
    static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
    }

    /** Per-thread packing buffers, grown on demand and reused (packing is on every call). */
    static final class Work {
        float[] a = new float[MC_MAX * KC];
        float[] b = new float[4 * L * KC];
        final float[] tile = new float[MAX_TILE];

        /** The running lane sums of {@link #dotPacked}, one 10×2 tile. */
        final float[] tot = new float[10 * 2 * L];

        /** A dot tile's sums (up to 16 vectors), stored for {@link #sumLanes}. */
        final float[] lanes = new float[16 * L];

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }
    }

    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

    // ---------------------------------------------------------------------------------------------
    // Panel path

    /** op(B) = B, or Bᵀ for tall A (B is then always packed, turned around while packing). */
    static void panels(
            int tile,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int ldb,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        Work w = WORK.get();
        int mr = tile / 100, nr = tile % 100 * L;
        // The kernel either starts from zero or adds to C; any other beta is applied here, once.
        if (beta != 0f && beta != 1f) scale(m, n, beta, c, cOff, ldc);
        // Row blocks of equal height (a multiple of mr), at most MC_MAX rows.
        int blocks = (m + MC_MAX - 1) / MC_MAX;
        int mcb = roundUp((m + blocks - 1) / blocks, mr);
        // B is packed KC×NC at a time, reading its rows front to back (prefetch- and TLB-friendly),
        // and every row block reuses the packed block (GotoBLAS order). A small B under a
        // single row block is read in place instead: each element serves only ⌈M/mr⌉ tiles, so a
        // copy would cost as much as the work it saves.
        boolean direct = !transB && blocks == 1 && (long) k * n <= DIRECT_MAX_B;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean add = pc > 0 || beta != 0f;
            for (int jc = 0; jc < n; jc += NC) {
                int nc = Math.min(NC, n - jc);
                if (transB) packBt(nr, b, bOff, ldb, pc, jc, kc, nc, w.b(kc * roundUp(nc, nr)));
                else if (!direct)
                    packB(nr, b, bOff, ldb, pc, jc, kc, nc, w.b(kc * roundUp(nc, nr)));
                for (int ic = 0; ic < m; ic += mcb) {
                    int mc = Math.min(mcb, m - ic);
                    packA(mr, transA, alpha, a, aOff, lda, ic, pc, mc, kc, w.a);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int nw = Math.min(nr, nc - jr);
                        float[] bp = w.b;
                        int bo = jr * kc, bs = nr;
                        if (direct && nw == nr) {
                            bp = b;
                            bo = bOff + pc * ldb + jc + jr;
                            bs = ldb;
                        } else if (direct && tile == T10X2 && nw % L == 0 && mc % 10 == 0) {
                            // the last panel, whole vectors wide (dY·W at N = 784 or 400 ends
                            // on one): 10×1 tiles on B in place instead of a zero-padded copy of
                            // the panel per call, the same FMA chain per element
                            int b0 = bOff + pc * ldb + jc + jr;
                            for (int ir = 0; ir < mc; ir += 10)
                                for (int v = 0; v < nw; v += L)
                                    kernel10x1(
                                            kc,
                                            w.a,
                                            ir * kc,
                                            b,
                                            b0 + v,
                                            ldb,
                                            c,
                                            cOff + (ic + ir) * ldc + jc + jr + v,
                                            ldc,
                                            add);
                            continue;
                        } else if (direct) { // the last, partial panel: pad it with zeros
                            bp = w.b(kc * nr);
                            bo = 0;
                            packB(nr, b, bOff, ldb, pc, jc + jr, kc, nw, bp);
                        }
                        for (int ir = 0; ir < mc; ir += mr) {
                            int ci = cOff + (ic + ir) * ldc + jc + jr;
                            tile(
                                    tile,
                                    kc,
                                    w.a,
                                    ir * kc,
                                    bp,
                                    bo,
                                    bs,
                                    c,
                                    ci,
                                    ldc,
                                    Math.min(mr, mc - ir),
                                    nw,
                                    add,
                                    w.tile);
                        }
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int q) {
        return (x + q - 1) / q * q;
    }

    /** One h × nw tile of C; partial tiles go through the zero-padded scratch tile. */
    private static void tile(
            int tile,
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            int h,
            int nw,
            boolean add,
            float[] t) {
        int mr = tile / 100, nr = tile % 100 * L;
        if (h == mr && nw == nr) {
            kernel(tile, kc, a, ao, b, bo, bs, c, ci, ldc, add);
            return;
        }
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++)
                t[r * nr + j] = add && r < h && j < nw ? c[ci + r * ldc + j] : 0f;
        }
        kernel(tile, kc, a, ao, b, bo, bs, t, 0, nr, true);
        for (int r = 0; r < h; r++) System.arraycopy(t, r * nr, c, ci + r * ldc, nw);
    }

    /**
     * Packs alpha · op(A)[ic.., pc..] (mc × kc) into MR-row panels: panel q holds rows q·MR.. as
     * {@code dst[q·MR·kc + p·MR + r]}; rows past mc are zero.
     */
    static void packA(
            int mr,
            boolean transA,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            int ic,
            int pc,
            int mc,
            int kc,
            float[] dst) {
        for (int ir = 0; ir < mc; ir += mr) {
            int h = Math.min(mr, mc - ir), base = ir * kc;
            for (int r = 0; r < mr; r++) {
                if (r >= h) {
                    for (int p = 0; p < kc; p++) dst[base + p * mr + r] = 0f;
                } else if (transA) {
                    int src = aOff + pc * lda + ic + ir + r;
                    for (int p = 0; p < kc; p++) dst[base + p * mr + r] = alpha * a[src + p * lda];
                } else {
                    int src = aOff + (ic + ir + r) * lda + pc;
                    for (int p = 0; p < kc; p++) dst[base + p * mr + r] = alpha * a[src + p];
                }
            }
        }
    }

    /**
     * Packs B[pc.., jc..] (kc × nc, B not transposed) into nr-column panels: panel q holds columns
     * q·nr.. as {@code dst[q·nr·kc + p·nr + j]}; columns past nc are zero. Reads B row by row.
     */
    static void packB(
            int nr, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc, float[] dst) {
        int full = nc - nc % nr, padded = roundUp(nc, nr);
        for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * ldb + jc, d = p * nr;
            // whole panels, 2, 3 or 4 vectors each, unrolled (a loop over the vectors ran ~1.5×
            // slower on 20x180x102400, where packing B is most of the work)
            for (int jr = 0; jr < full; jr += nr) {
                int s0 = src + jr, d0 = d + jr * kc;
                FloatVector.fromArray(S, b, s0).intoArray(dst, d0);
                FloatVector.fromArray(S, b, s0 + L).intoArray(dst, d0 + L);
                if (nr > 2 * L) FloatVector.fromArray(S, b, s0 + 2 * L).intoArray(dst, d0 + 2 * L);
                if (nr > 3 * L) FloatVector.fromArray(S, b, s0 + 3 * L).intoArray(dst, d0 + 3 * L);
            }
            for (int j = full; j < padded; j++)
                dst[d + full * kc + j - full] = j < nc ? b[src + j] : 0f;
        }
    }

    /**
     * Packs op(B) = Bᵀ[pc.., jc..] (kc × nc; B stored N×K) into the same nr-column panels as {@link
     * #packB}: dst[q·nr·kc + p·nr + j] = B[jc + q·nr + j, pc + p]; columns past nc are zero. Reads
     * each B row contiguously along K.
     */
    static void packBt(
            int nr, float[] b, int bOff, int ldb, int pc, int jc, int kc, int nc, float[] dst) {
        int padded = roundUp(nc, nr);
        int full = nc - nc % nr;
        if (full > 0) {
            int[] idx = new int[L];
            for (int i = 0; i < L; i++) idx[i] = i * ldb;
            for (int q = 0; q < full; q += nr) {
                int d = q * kc;
                for (int v = 0; v < nr; v += L) {
                    int src = bOff + (jc + q + v) * ldb + pc;
                    for (int p = 0; p < kc; p++)
                        FloatVector.fromArray(S, b, src + p, idx, 0).intoArray(dst, d + p * nr + v);
                }
            }
        }
        for (int j = full; j < padded; j++) {
            int d = (j / nr) * nr * kc + j % nr;
            if (j >= nc) {
                for (int p = 0; p < kc; p++) dst[d + p * nr] = 0f;
                continue;
            }
            int src = bOff + (jc + j) * ldb + pc;
            for (int p = 0; p < kc; p++) dst[d + p * nr] = b[src + p];
        }
    }

    /**
     * C[0..mr, 0..nr) (+)= Σ_p A[p][r] · B[p][0..nr): mr·NV accumulators, one FMA each per k step.
     * A: packed panel (alpha folded in), a[ao + p·mr + r]; B: b[bo + p·bs + j], bs = nr when
     * packed, ldb when read in place. add = false starts from zero instead of C (beta = 0: C is not
     * read).
     */
    static void kernel(
            int tile,
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        switch (tile) {
            case 803 -> kernel8x3(kc, a, ao, b, bo, bs, c, ci, ldc, add);
            case 504 -> kernel5x4(kc, a, ao, b, bo, bs, c, ci, ldc, add);
            case 1002 -> kernel10x2(kc, a, ao, b, bo, bs, c, ci, ldc, add);
            default -> kernel5x2(kc, a, ao, b, bo, bs, c, ci, ldc, add);
        }
    }

    static void kernel5x4(
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        int r0 = ci, r1 = ci + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc;
        FloatVector c00,
                c01,
                c02,
                c03,
                c10,
                c11,
                c12,
                c13,
                c20,
                c21,
                c22,
                c23,
                c30,
                c31,
                c32,
                c33,
                c40,
                c41,
                c42,
                c43;
        if (add) {
            c00 = FloatVector.fromArray(S, c, r0);
            c01 = FloatVector.fromArray(S, c, r0 + L);
            c02 = FloatVector.fromArray(S, c, r0 + 2 * L);
            c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
            c10 = FloatVector.fromArray(S, c, r1);
            c11 = FloatVector.fromArray(S, c, r1 + L);
            c12 = FloatVector.fromArray(S, c, r1 + 2 * L);
            c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
            c20 = FloatVector.fromArray(S, c, r2);
            c21 = FloatVector.fromArray(S, c, r2 + L);
            c22 = FloatVector.fromArray(S, c, r2 + 2 * L);
            c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
            c30 = FloatVector.fromArray(S, c, r3);
            c31 = FloatVector.fromArray(S, c, r3 + L);
            c32 = FloatVector.fromArray(S, c, r3 + 2 * L);
            c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
            c40 = FloatVector.fromArray(S, c, r4);
            c41 = FloatVector.fromArray(S, c, r4 + L);
            c42 = FloatVector.fromArray(S, c, r4 + 2 * L);
            c43 = FloatVector.fromArray(S, c, r4 + 3 * L);
        } else {
            c00 = FloatVector.zero(S);
            c01 =
                    c02 =
                            c03 =
                                    c10 =
                                            c11 =
                                                    c12 =
                                                            c13 =
                                                                    c20 =
                                                                            c21 =
                                                                                    c22 =
                                                                                            c23 =
                                                                                                    c30 =
                                                                                                            c31 =
                                                                                                                    c32 =
                                                                                                                            c33 =
                                                                                                                                    c40 =
                                                                                                                                            c41 =
                                                                                                                                                    c42 =
                                                                                                                                                            c43 =
                                                                                                                                                                    c00;
        }
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * 5, bp = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L);
        c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
        c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c42.intoArray(c, r4 + 2 * L);
        c43.intoArray(c, r4 + 3 * L);
    }

    static void kernel10x2(
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        int r0 = ci,
                r1 = ci + ldc,
                r2 = r1 + ldc,
                r3 = r2 + ldc,
                r4 = r3 + ldc,
                r5 = r4 + ldc,
                r6 = r5 + ldc,
                r7 = r6 + ldc,
                r8 = r7 + ldc,
                r9 = r8 + ldc;
        FloatVector c00,
                c01,
                c10,
                c11,
                c20,
                c21,
                c30,
                c31,
                c40,
                c41,
                c50,
                c51,
                c60,
                c61,
                c70,
                c71,
                c80,
                c81,
                c90,
                c91;
        if (add) {
            c00 = FloatVector.fromArray(S, c, r0);
            c01 = FloatVector.fromArray(S, c, r0 + L);
            c10 = FloatVector.fromArray(S, c, r1);
            c11 = FloatVector.fromArray(S, c, r1 + L);
            c20 = FloatVector.fromArray(S, c, r2);
            c21 = FloatVector.fromArray(S, c, r2 + L);
            c30 = FloatVector.fromArray(S, c, r3);
            c31 = FloatVector.fromArray(S, c, r3 + L);
            c40 = FloatVector.fromArray(S, c, r4);
            c41 = FloatVector.fromArray(S, c, r4 + L);
            c50 = FloatVector.fromArray(S, c, r5);
            c51 = FloatVector.fromArray(S, c, r5 + L);
            c60 = FloatVector.fromArray(S, c, r6);
            c61 = FloatVector.fromArray(S, c, r6 + L);
            c70 = FloatVector.fromArray(S, c, r7);
            c71 = FloatVector.fromArray(S, c, r7 + L);
            c80 = FloatVector.fromArray(S, c, r8);
            c81 = FloatVector.fromArray(S, c, r8 + L);
            c90 = FloatVector.fromArray(S, c, r9);
            c91 = FloatVector.fromArray(S, c, r9 + L);
        } else {
            c00 = FloatVector.zero(S);
            c01 =
                    c10 =
                            c11 =
                                    c20 =
                                            c21 =
                                                    c30 =
                                                            c31 =
                                                                    c40 =
                                                                            c41 =
                                                                                    c50 =
                                                                                            c51 =
                                                                                                    c60 =
                                                                                                            c61 =
                                                                                                                    c70 =
                                                                                                                            c71 =
                                                                                                                                    c80 =
                                                                                                                                            c81 =
                                                                                                                                                    c90 =
                                                                                                                                                            c91 =
                                                                                                                                                                    c00;
        }
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * 10, bp = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ap + 8]);
            c80 = x.fma(b0, c80);
            c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ap + 9]);
            c90 = x.fma(b0, c90);
            c91 = x.fma(b1, c91);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + L);
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + L);
        c80.intoArray(c, r8);
        c81.intoArray(c, r8 + L);
        c90.intoArray(c, r9);
        c91.intoArray(c, r9 + L);
    }

    /**
     * A 10×1-vector tile (10 accumulators) for the last panel of a 10×2 GEMM when it is one vector
     * wide: each element the same in-order FMA chain as in {@link #kernel10x2}.
     */
    static void kernel10x1(
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        int r0 = ci,
                r1 = ci + ldc,
                r2 = r1 + ldc,
                r3 = r2 + ldc,
                r4 = r3 + ldc,
                r5 = r4 + ldc,
                r6 = r5 + ldc,
                r7 = r6 + ldc,
                r8 = r7 + ldc,
                r9 = r8 + ldc;
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7, c8, c9;
        if (add) {
            c0 = FloatVector.fromArray(S, c, r0);
            c1 = FloatVector.fromArray(S, c, r1);
            c2 = FloatVector.fromArray(S, c, r2);
            c3 = FloatVector.fromArray(S, c, r3);
            c4 = FloatVector.fromArray(S, c, r4);
            c5 = FloatVector.fromArray(S, c, r5);
            c6 = FloatVector.fromArray(S, c, r6);
            c7 = FloatVector.fromArray(S, c, r7);
            c8 = FloatVector.fromArray(S, c, r8);
            c9 = FloatVector.fromArray(S, c, r9);
        } else {
            c0 = FloatVector.zero(S);
            c1 = c2 = c3 = c4 = c5 = c6 = c7 = c8 = c9 = c0;
        }
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * 10;
            FloatVector y = FloatVector.fromArray(S, b, bo + p * bs);
            c0 = FloatVector.broadcast(S, a[ap]).fma(y, c0);
            c1 = FloatVector.broadcast(S, a[ap + 1]).fma(y, c1);
            c2 = FloatVector.broadcast(S, a[ap + 2]).fma(y, c2);
            c3 = FloatVector.broadcast(S, a[ap + 3]).fma(y, c3);
            c4 = FloatVector.broadcast(S, a[ap + 4]).fma(y, c4);
            c5 = FloatVector.broadcast(S, a[ap + 5]).fma(y, c5);
            c6 = FloatVector.broadcast(S, a[ap + 6]).fma(y, c6);
            c7 = FloatVector.broadcast(S, a[ap + 7]).fma(y, c7);
            c8 = FloatVector.broadcast(S, a[ap + 8]).fma(y, c8);
            c9 = FloatVector.broadcast(S, a[ap + 9]).fma(y, c9);
        }
        c0.intoArray(c, r0);
        c1.intoArray(c, r1);
        c2.intoArray(c, r2);
        c3.intoArray(c, r3);
        c4.intoArray(c, r4);
        c5.intoArray(c, r5);
        c6.intoArray(c, r6);
        c7.intoArray(c, r7);
        c8.intoArray(c, r8);
        c9.intoArray(c, r9);
    }

    static void kernel5x2(
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        int r0 = ci, r1 = ci + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
        if (add) {
            c00 = FloatVector.fromArray(S, c, r0);
            c01 = FloatVector.fromArray(S, c, r0 + L);
            c10 = FloatVector.fromArray(S, c, r1);
            c11 = FloatVector.fromArray(S, c, r1 + L);
            c20 = FloatVector.fromArray(S, c, r2);
            c21 = FloatVector.fromArray(S, c, r2 + L);
            c30 = FloatVector.fromArray(S, c, r3);
            c31 = FloatVector.fromArray(S, c, r3 + L);
            c40 = FloatVector.fromArray(S, c, r4);
            c41 = FloatVector.fromArray(S, c, r4 + L);
        } else {
            c00 = FloatVector.zero(S);
            c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c00;
        }
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * 5, bp = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
    }

    static void kernel8x3(
            int kc,
            float[] a,
            int ao,
            float[] b,
            int bo,
            int bs,
            float[] c,
            int ci,
            int ldc,
            boolean add) {
        int r0 = ci,
                r1 = ci + ldc,
                r2 = r1 + ldc,
                r3 = r2 + ldc,
                r4 = r3 + ldc,
                r5 = r4 + ldc,
                r6 = r5 + ldc,
                r7 = r6 + ldc;
        FloatVector c00,
                c01,
                c02,
                c10,
                c11,
                c12,
                c20,
                c21,
                c22,
                c30,
                c31,
                c32,
                c40,
                c41,
                c42,
                c50,
                c51,
                c52,
                c60,
                c61,
                c62,
                c70,
                c71,
                c72;
        if (add) {
            c00 = FloatVector.fromArray(S, c, r0);
            c01 = FloatVector.fromArray(S, c, r0 + L);
            c02 = FloatVector.fromArray(S, c, r0 + 2 * L);
            c10 = FloatVector.fromArray(S, c, r1);
            c11 = FloatVector.fromArray(S, c, r1 + L);
            c12 = FloatVector.fromArray(S, c, r1 + 2 * L);
            c20 = FloatVector.fromArray(S, c, r2);
            c21 = FloatVector.fromArray(S, c, r2 + L);
            c22 = FloatVector.fromArray(S, c, r2 + 2 * L);
            c30 = FloatVector.fromArray(S, c, r3);
            c31 = FloatVector.fromArray(S, c, r3 + L);
            c32 = FloatVector.fromArray(S, c, r3 + 2 * L);
            c40 = FloatVector.fromArray(S, c, r4);
            c41 = FloatVector.fromArray(S, c, r4 + L);
            c42 = FloatVector.fromArray(S, c, r4 + 2 * L);
            c50 = FloatVector.fromArray(S, c, r5);
            c51 = FloatVector.fromArray(S, c, r5 + L);
            c52 = FloatVector.fromArray(S, c, r5 + 2 * L);
            c60 = FloatVector.fromArray(S, c, r6);
            c61 = FloatVector.fromArray(S, c, r6 + L);
            c62 = FloatVector.fromArray(S, c, r6 + 2 * L);
            c70 = FloatVector.fromArray(S, c, r7);
            c71 = FloatVector.fromArray(S, c, r7 + L);
            c72 = FloatVector.fromArray(S, c, r7 + 2 * L);
        } else {
            c00 = FloatVector.zero(S);
            c01 =
                    c02 =
                            c10 =
                                    c11 =
                                            c12 =
                                                    c20 =
                                                            c21 =
                                                                    c22 =
                                                                            c30 =
                                                                                    c31 =
                                                                                            c32 =
                                                                                                    c40 =
                                                                                                            c41 =
                                                                                                                    c42 =
                                                                                                                            c50 =
                                                                                                                                    c51 =
                                                                                                                                            c52 =
                                                                                                                                                    c60 =
                                                                                                                                                            c61 =
                                                                                                                                                                    c62 =
                                                                                                                                                                            c70 =
                                                                                                                                                                                    c71 =
                                                                                                                                                                                            c72 =
                                                                                                                                                                                                    c00;
        }
        for (int p = 0; p < kc; p++) {
            int ap = ao + p * 8, bp = bo + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, a[ap + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(S, a[ap + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(S, a[ap + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c42.intoArray(c, r4 + 2 * L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c52.intoArray(c, r5 + 2 * L);
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + L);
        c62.intoArray(c, r6 + 2 * L);
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + L);
        c72.intoArray(c, r7 + 2 * L);
    }

    // ---------------------------------------------------------------------------------------------
    // Dot path

    /** op(B) = Bᵀ: C[i, j] = alpha · ⟨op(A) row i, B row j⟩ + beta · C[i, j]. */
    static final class Dot {
        private Dot() {}

        static void sgemm(
                boolean transA,
                int m,
                int n,
                int k,
                float alpha,
                float[] a,
                int aOff,
                int lda,
                float[] b,
                int bOff,
                int ldb,
                float beta,
                float[] c,
                int cOff,
                int ldc) {
            Work w = WORK.get();
            for (int pc = 0; pc < k; pc += KD) {
                int kc = Math.min(KD, k - pc);
                float betaP = pc == 0 ? beta : 1f;
                // Row blocks of MD rows keep their A strip in L2 while all of B's rows stream past.
                for (int ic = 0; ic < m; ic += MD) {
                    int mc = Math.min(MD, m - ic);
                    // A rows must be contiguous along K: a transposed A is copied (mc × kc).
                    float[] ar = a;
                    int ao = aOff + ic * lda + pc, as = lda;
                    if (transA) {
                        ar = w.b(mc * kc);
                        for (int i = 0; i < mc; i++) {
                            for (int p = 0; p < kc; p++)
                                ar[i * kc + p] = a[aOff + (pc + p) * lda + ic + i];
                        }
                        ao = 0;
                        as = kc;
                    }
                    int bo = bOff + pc;
                    for (int j = 0; j < n; j += 4) {
                        int nj = Math.min(4, n - j);
                        for (int i = 0; i < mc; i += 2) {
                            int ci = cOff + (ic + i) * ldc + j;
                            if (DOT4 && nj == 4 && i + 3 < mc) {
                                dot4x4(
                                        kc,
                                        ar,
                                        ao + i * as,
                                        as,
                                        b,
                                        bo + j * ldb,
                                        ldb,
                                        c,
                                        ci,
                                        ldc,
                                        alpha,
                                        betaP,
                                        w.lanes);
                                i += 2;
                            } else if (nj == 4 && i + 1 < mc) {
                                dot2x4(
                                        kc,
                                        ar,
                                        ao + i * as,
                                        as,
                                        b,
                                        bo + j * ldb,
                                        ldb,
                                        c,
                                        ci,
                                        ldc,
                                        alpha,
                                        betaP,
                                        w.lanes);
                            } else {
                                for (int ii = i; ii < Math.min(i + 2, mc); ii++) {
                                    for (int jj = j; jj < j + nj; jj++) {
                                        float s =
                                                dot(
                                                        kc,
                                                        ar,
                                                        ao + ii * as,
                                                        b,
                                                        bo + jj * ldb,
                                                        w.lanes);
                                        int cij = cOff + (ic + ii) * ldc + jj;
                                        c[cij] =
                                                betaP == 0f
                                                        ? alpha * s
                                                        : alpha * s + betaP * c[cij];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /**
         * Rows a0 … a0+3·as of A against rows b0 … b0+3·bs of B: 16 sums sharing 8 loads per K
         * vector (AVX-512 has the 32 registers this needs); the same order per sum as {@link
         * #dot2x4}.
         */
        static void dot4x4(
                int kc,
                float[] a,
                int a0,
                int as,
                float[] b,
                int b0,
                int bs,
                float[] c,
                int ci,
                int ldc,
                float alpha,
                float beta,
                float[] lanes) {
            FloatVector s00 = FloatVector.zero(S),
                    s01 = s00,
                    s02 = s00,
                    s03 = s00,
                    s10 = s00,
                    s11 = s00,
                    s12 = s00,
                    s13 = s00,
                    s20 = s00,
                    s21 = s00,
                    s22 = s00,
                    s23 = s00,
                    s30 = s00,
                    s31 = s00,
                    s32 = s00,
                    s33 = s00;
            int a1 = a0 + as, a2 = a1 + as, a3 = a2 + as, b1 = b0 + bs, b2 = b1 + bs, b3 = b2 + bs;
            int kv = kc - kc % L, p = 0;
            for (; p < kv; p += L) {
                FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
                FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
                FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
                FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
                FloatVector y = FloatVector.fromArray(S, b, b0 + p);
                s00 = x0.fma(y, s00);
                s10 = x1.fma(y, s10);
                s20 = x2.fma(y, s20);
                s30 = x3.fma(y, s30);
                y = FloatVector.fromArray(S, b, b1 + p);
                s01 = x0.fma(y, s01);
                s11 = x1.fma(y, s11);
                s21 = x2.fma(y, s21);
                s31 = x3.fma(y, s31);
                y = FloatVector.fromArray(S, b, b2 + p);
                s02 = x0.fma(y, s02);
                s12 = x1.fma(y, s12);
                s22 = x2.fma(y, s22);
                s32 = x3.fma(y, s32);
                y = FloatVector.fromArray(S, b, b3 + p);
                s03 = x0.fma(y, s03);
                s13 = x1.fma(y, s13);
                s23 = x2.fma(y, s23);
                s33 = x3.fma(y, s33);
            }
            // all 16 stores first, each to its own L floats, then the 16 in-order sums: faster
            // than one L-float buffer stored and summed 16 times over (docs/BENCHMARKS.md)
            s00.intoArray(lanes, 0);
            s01.intoArray(lanes, L);
            s02.intoArray(lanes, 2 * L);
            s03.intoArray(lanes, 3 * L);
            s10.intoArray(lanes, 4 * L);
            s11.intoArray(lanes, 5 * L);
            s12.intoArray(lanes, 6 * L);
            s13.intoArray(lanes, 7 * L);
            s20.intoArray(lanes, 8 * L);
            s21.intoArray(lanes, 9 * L);
            s22.intoArray(lanes, 10 * L);
            s23.intoArray(lanes, 11 * L);
            s30.intoArray(lanes, 12 * L);
            s31.intoArray(lanes, 13 * L);
            s32.intoArray(lanes, 14 * L);
            s33.intoArray(lanes, 15 * L);
            float t00 = sumLanes(lanes, 0),
                    t01 = sumLanes(lanes, L),
                    t02 = sumLanes(lanes, 2 * L),
                    t03 = sumLanes(lanes, 3 * L);
            float t10 = sumLanes(lanes, 4 * L),
                    t11 = sumLanes(lanes, 5 * L),
                    t12 = sumLanes(lanes, 6 * L),
                    t13 = sumLanes(lanes, 7 * L);
            float t20 = sumLanes(lanes, 8 * L),
                    t21 = sumLanes(lanes, 9 * L),
                    t22 = sumLanes(lanes, 10 * L),
                    t23 = sumLanes(lanes, 11 * L);
            float t30 = sumLanes(lanes, 12 * L),
                    t31 = sumLanes(lanes, 13 * L),
                    t32 = sumLanes(lanes, 14 * L),
                    t33 = sumLanes(lanes, 15 * L);
            for (; p < kc; p++) {
                float x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
                float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
                t00 += x0 * y0;
                t01 += x0 * y1;
                t02 += x0 * y2;
                t03 += x0 * y3;
                t10 += x1 * y0;
                t11 += x1 * y1;
                t12 += x1 * y2;
                t13 += x1 * y3;
                t20 += x2 * y0;
                t21 += x2 * y1;
                t22 += x2 * y2;
                t23 += x2 * y3;
                t30 += x3 * y0;
                t31 += x3 * y1;
                t32 += x3 * y2;
                t33 += x3 * y3;
            }
            put(c, ci, t00, alpha, beta);
            put(c, ci + 1, t01, alpha, beta);
            put(c, ci + 2, t02, alpha, beta);
            put(c, ci + 3, t03, alpha, beta);
            put(c, ci + ldc, t10, alpha, beta);
            put(c, ci + ldc + 1, t11, alpha, beta);
            put(c, ci + ldc + 2, t12, alpha, beta);
            put(c, ci + ldc + 3, t13, alpha, beta);
            put(c, ci + 2 * ldc, t20, alpha, beta);
            put(c, ci + 2 * ldc + 1, t21, alpha, beta);
            put(c, ci + 2 * ldc + 2, t22, alpha, beta);
            put(c, ci + 2 * ldc + 3, t23, alpha, beta);
            put(c, ci + 3 * ldc, t30, alpha, beta);
            put(c, ci + 3 * ldc + 1, t31, alpha, beta);
            put(c, ci + 3 * ldc + 2, t32, alpha, beta);
            put(c, ci + 3 * ldc + 3, t33, alpha, beta);
        }

        /** Rows a0, a0+as of A against rows b0 .. b0+3·bs of B; 8 sums, one lane reduction each. */
        static void dot2x4(
                int kc,
                float[] a,
                int a0,
                int as,
                float[] b,
                int b0,
                int bs,
                float[] c,
                int ci,
                int ldc,
                float alpha,
                float beta,
                float[] lanes) {
            FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
            FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            int a1 = a0 + as, b1 = b0 + bs, b2 = b1 + bs, b3 = b2 + bs;
            int kv = kc - kc % L, p = 0;
            // Two K vectors per trip, each added to the sums in K order; an odd last vector leaves
            // the loop after its first half (so the bits do not depend on the unrolling). Left to
            // itself C2 unrolls a one-vector loop into slower code: 10x784x400 hot, JDK 25, 2-core
            // EPYC: 50-53 vs 44 GFLOP/s (docs/BENCHMARKS.md). One loop, not this loop and a
            // one-vector loop for the odd vector: across the second loop's phis C2 kept the
            // accumulators boxed, 4 vector objects (384 bytes) allocated per call in compiled code.
            for (; p < kv; p += 2 * L) {
                FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
                FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
                FloatVector y = FloatVector.fromArray(S, b, b0 + p);
                s00 = x0.fma(y, s00);
                s10 = x1.fma(y, s10);
                y = FloatVector.fromArray(S, b, b1 + p);
                s01 = x0.fma(y, s01);
                s11 = x1.fma(y, s11);
                y = FloatVector.fromArray(S, b, b2 + p);
                s02 = x0.fma(y, s02);
                s12 = x1.fma(y, s12);
                y = FloatVector.fromArray(S, b, b3 + p);
                s03 = x0.fma(y, s03);
                s13 = x1.fma(y, s13);
                int q = p + L;
                if (q == kv) break; // the odd last vector: its second half is not there
                x0 = FloatVector.fromArray(S, a, a0 + q);
                x1 = FloatVector.fromArray(S, a, a1 + q);
                y = FloatVector.fromArray(S, b, b0 + q);
                s00 = x0.fma(y, s00);
                s10 = x1.fma(y, s10);
                y = FloatVector.fromArray(S, b, b1 + q);
                s01 = x0.fma(y, s01);
                s11 = x1.fma(y, s11);
                y = FloatVector.fromArray(S, b, b2 + q);
                s02 = x0.fma(y, s02);
                s12 = x1.fma(y, s12);
                y = FloatVector.fromArray(S, b, b3 + q);
                s03 = x0.fma(y, s03);
                s13 = x1.fma(y, s13);
            }
            p = kv;
            s00.intoArray(lanes, 0); // all stores first, as in dot4x4
            s01.intoArray(lanes, L);
            s02.intoArray(lanes, 2 * L);
            s03.intoArray(lanes, 3 * L);
            s10.intoArray(lanes, 4 * L);
            s11.intoArray(lanes, 5 * L);
            s12.intoArray(lanes, 6 * L);
            s13.intoArray(lanes, 7 * L);
            float t00 = sumLanes(lanes, 0), t01 = sumLanes(lanes, L);
            float t02 = sumLanes(lanes, 2 * L), t03 = sumLanes(lanes, 3 * L);
            float t10 = sumLanes(lanes, 4 * L), t11 = sumLanes(lanes, 5 * L);
            float t12 = sumLanes(lanes, 6 * L), t13 = sumLanes(lanes, 7 * L);
            for (; p < kc; p++) {
                float x0 = a[a0 + p], x1 = a[a1 + p];
                float y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
                t00 += x0 * y0;
                t01 += x0 * y1;
                t02 += x0 * y2;
                t03 += x0 * y3;
                t10 += x1 * y0;
                t11 += x1 * y1;
                t12 += x1 * y2;
                t13 += x1 * y3;
            }
            put(c, ci, t00, alpha, beta);
            put(c, ci + 1, t01, alpha, beta);
            put(c, ci + 2, t02, alpha, beta);
            put(c, ci + 3, t03, alpha, beta);
            put(c, ci + ldc, t10, alpha, beta);
            put(c, ci + ldc + 1, t11, alpha, beta);
            put(c, ci + ldc + 2, t12, alpha, beta);
            put(c, ci + ldc + 3, t13, alpha, beta);
        }

        static float dot(int kc, float[] a, int a0, float[] b, int b0, float[] lanes) {
            FloatVector s = FloatVector.zero(S);
            int kv = kc - kc % L, p = 0;
            for (; p < kv; p += L) {
                s = FloatVector.fromArray(S, a, a0 + p).fma(FloatVector.fromArray(S, b, b0 + p), s);
            }
            s.intoArray(lanes, 0);
            float t = sumLanes(lanes, 0);
            for (; p < kc; p++) t += a[a0 + p] * b[b0 + p];
            return t;
        }

        private static void put(float[] c, int ci, float s, float alpha, float beta) {
            c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Dot path on a packed, constant B: the same bits through the panel path's 10×2 tile

    /**
     * B [n, k] (the dot path's layout: x·Wᵀ with W as [out, in]) repacked for {@link #dotPacked}.
     * The dot path's C[i, j] is Σ over lanes l (in lane order, from +0) of lane l's in-order FMA
     * chain over the K vectors q: A[i, q·L + l]·B[j, q·L + l]; then the K tail in scalar order. For
     * each lane l those chains are a GEMM of their own with K = Q = ⌊k/L⌋ that the 10×2 panel tile
     * computes element by element in the same order, 2L columns of C at a time, with no lane
     * reduction. Layout: {@code p[((jp·L + l)·Q + q)·2L + jj] = B[jp·2L + jj, q·L + l]} (0 past n),
     * one 10×2 tile's B panel per (jp, l).
     */
    public static final class DotPack {
        // not B itself: a registry may key packings weakly by B (CpuGemm), and the K tail reads
        // B where the call passes it
        final float[] p;
        final int bOff, ldb, n, k, q;

        DotPack(float[] b, int bOff, int ldb, int n, int k, float[] reuse) {
            this.bOff = bOff;
            this.ldb = ldb;
            this.n = n;
            this.k = k;
            this.q = k / L;
            int nr = 2 * L, size = floats(n, k);
            // every element is written below (the padding columns too), so a reused array is fine
            p = reuse != null && reuse.length == size ? reuse : new float[size];
            // panel by panel, one K vector of its rows at a time: the 2L source lines and the L
            // destination runs of 2L floats stay in L1 (row by row over all of K, the writes
            // spread over every line of the panel: ~3x slower)
            int[] rows = new int[L];
            for (int jj = 0; jj < L; jj++) rows[jj] = jj * ldb;
            for (int j0 = 0; j0 < n; j0 += nr) {
                int nw = Math.min(nr, n - j0), pb = (j0 / nr) * L * q * nr;
                if (nw == nr && GATHER_PACK) {
                    for (int qq = 0; qq < q; qq++)
                        for (int h = 0; h < nr; h += L)
                            for (int l = 0; l < L; l++)
                                FloatVector.fromArray(
                                                S, b, bOff + (j0 + h) * ldb + qq * L + l, rows, 0)
                                        .intoArray(p, pb + (l * q + qq) * nr + h);
                    continue;
                }
                for (int qq = 0; qq < q; qq++)
                    for (int jj = 0; jj < nr; jj++) {
                        int src = bOff + (j0 + jj) * ldb + qq * L, dst = pb + qq * nr + jj;
                        if (jj < nw) for (int l = 0; l < L; l++) p[dst + l * q * nr] = b[src + l];
                        else for (int l = 0; l < L; l++) p[dst + l * q * nr] = 0f;
                    }
            }
        }

        /** Floats of the packing of B [n, k]. */
        public static int floats(int n, int k) {
            int nr = 2 * L;
            return (n + nr - 1) / nr * nr * (k / L) * L;
        }

        /** The packed array, for reuse by a later {@link #packDot} of the same size. */
        public float[] array() {
            return p;
        }
    }

    static final boolean GATHER_PACK =
            Boolean.parseBoolean(System.getProperty("arm.gatherPack", "true"));

    /**
     * Whether {@link #dotPacked} can stand in for the dot path on B [n, k] and is worth it: vectors
     * of 16 floats (the 10×2 tile's 20 accumulators need AVX-512's 32 registers), at least one
     * whole 2L-column panel (the 10-column output layer stays on the dot path: a padded panel would
     * be mostly zeros) and one K slice of the dot path.
     */
    public static boolean dotPackable(int n, int k) {
        return L >= 16 && n >= 2 * L && k <= KD;
    }

    /** B [n, k] at bOff (row stride ldb) packed for {@link #dotPacked}. */
    public static DotPack packDot(float[] b, int bOff, int ldb, int n, int k) {
        return packDot(b, bOff, ldb, n, k, null);
    }

    /** The same, into {@code reuse} where it has the packing's length ({@link DotPack#array}). */
    public static DotPack packDot(float[] b, int bOff, int ldb, int n, int k, float[] reuse) {
        if (k > KD) throw new IllegalArgumentException("k = " + k + " beyond one dot-path slice");
        return new DotPack(b, bOff, ldb, n, k, reuse);
    }

    /**
     * C[m, n] = alpha · A·Bᵀ + beta · C with B given packed (and B itself, packed into pk, for the
     * K tail): bit for bit what {@link #sgemm} gives with a transposed B and m below {@link
     * #panelMinRowsTransB} (the dot path). Row blocks of 10 (zero-padded), per 2L-column panel one
     * 10×2 tile call per lane, each added to the running sum in lane order; then the K tail and
     * alpha, beta per element as the dot path does.
     */
    public static void dotPacked(
            DotPack pk,
            int m,
            float alpha,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            float beta,
            float[] c,
            int cOff,
            int ldc) {
        int n = pk.n, k = pk.k, q = pk.q, kv = q * L, nr = 2 * L;
        Work w = WORK.get();
        float[] ap = w.a, t = w.tile, tot = w.tot;
        for (int i0 = 0; i0 < m; i0 += 10) {
            int h = Math.min(10, m - i0);
            // A by lane: ap[(l·Q + q)·10 + r] = A[i0 + r, q·L + l], the 10×2 tile's packed A
            for (int r = 0; r < 10; r++) {
                int src = aOff + (i0 + r) * lda;
                for (int qq = 0; qq < q; qq++)
                    for (int l = 0; l < L; l++)
                        ap[(l * q + qq) * 10 + r] = r < h ? a[src + qq * L + l] : 0f;
            }
            for (int j0 = 0; j0 < n; j0 += nr) {
                int nw = Math.min(nr, n - j0), pb = (j0 / nr) * L * q * nr;
                for (int l = 0; l < L; l++) {
                    kernel10x2(q, ap, l * q * 10, pk.p, pb + l * q * nr, nr, t, 0, nr, false);
                    for (int e = 0; e < 10 * nr; e += L) {
                        FloatVector v = FloatVector.fromArray(S, t, e);
                        FloatVector s =
                                l == 0 ? FloatVector.zero(S) : FloatVector.fromArray(S, tot, e);
                        s.add(v).intoArray(tot, e);
                    }
                }
                for (int r = 0; r < h; r++) {
                    int ar = aOff + (i0 + r) * lda, cr = cOff + (i0 + r) * ldc + j0;
                    for (int jj = 0; jj < nw; jj++) {
                        float s = tot[r * nr + jj];
                        int br = pk.bOff + (j0 + jj) * pk.ldb;
                        for (int p = kv; p < k; p++) s += a[ar + p] * b[br + p];
                        c[cr + jj] = beta == 0f ? alpha * s : alpha * s + beta * c[cr + jj];
                    }
                }
            }
        }
    }

    /**
     * Σ of the lanes in lane order. Not {@code reduceLanes(ADD)}: its order is unspecified, and the
     * compiled and interpreted forms associate differently, so the bits of one seed would depend on
     * when the JIT compiles the loop. A fixed order keeps runs reproducible. The caller stores the
     * vector at lanes[o …] ({@code v.lane(i)} with a loop index is not intrinsified and made the
     * batch-10 MLP forward ~30% slower, measured in one JVM, interleaved, JDK 25, 10x784x400); a
     * tile stores all its sums, each to its own place, before the first sum reads them (10–30%
     * faster on 10×K×400 than one shared buffer, docs/BENCHMARKS.md).
     */
    private static float sumLanes(float[] lanes, int o) {
        float s = 0f;
        for (int i = 0; i < L; i++) s += lanes[o + i];
        return s;
    }
}
