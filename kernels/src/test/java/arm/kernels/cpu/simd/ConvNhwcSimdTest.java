package arm.kernels.cpu.simd;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ConvAsserts;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The channels-last implicit-GEMM convolution against the naive loops on odd shapes: channel counts
 * off the 5-point tile and the NR-channel block (1, 3, 7, 17, 20), strides 1, 2 and 3, 1×1, 3×3,
 * 5×5 and non-square kernels, pads 0 … k−1, images of 1 … 13 pixels a side (non-square), split over
 * 1 or 2 parts.
 */
class ConvNhwcSimdTest {

    static float[] rand(SplittableRandom r, int n) {
        return ConvAsserts.rand(r, n);
    }

    static void close(String what, float[] ours, float[] ref) {
        ConvAsserts.close(what, "channels-last", ours, ref);
    }

    @Test
    void forwardAndBothGradientsMatchNaive() {
        SplittableRandom r = new SplittableRandom(7);
        int cases = 0;
        for (int n : new int[] {1, 3})
            for (int ci : new int[] {1, 3, 17})
                for (int co : new int[] {1, 7, 20})
                    for (int[] hw : new int[][] {{1, 1}, {4, 4}, {11, 9}, {7, 13}})
                        for (int[] k : new int[][] {{1, 1}, {3, 3}, {5, 5}, {2, 3}})
                            for (int s : new int[] {1, 2, 3})
                                for (int pad = 0; pad < Math.min(k[0], k[1]); pad++) {
                                    ConvShape g =
                                            new ConvShape(
                                                    n, ci, hw[0], hw[1], co, k[0], k[1], s, pad);
                                    if (hw[0] + 2 * pad < k[0] || hw[1] + 2 * pad < k[1])
                                        continue; // no output
                                    check(r, g, cases++ % 2 + 1);
                                }
        assertThat(cases).isGreaterThan(500);
    }

    static void check(SplittableRandom r, ConvShape g, int threads) {
        float[] x = rand(r, g.n * g.xImage()),
                w = rand(r, g.co * g.k),
                dy = rand(r, g.n * g.yImage());
        float[] y = new float[dy.length], yRef = new float[dy.length];
        Arrays.fill(y, Float.NaN);
        ConvNhwcSimd.forward(x, w, y, g, threads);
        ConvRef.forward(x, w, yRef, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
        close(g + " forward", y, yRef);
        float[] dx = new float[x.length], dxRef = new float[x.length];
        Arrays.fill(dx, Float.NaN);
        ConvNhwcSimd.backwardInput(dy, w, dx, g, threads);
        ConvRef.backwardInput(dy, w, dxRef, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
        close(g + " input gradient", dx, dxRef);
        float[] dw = new float[w.length], dwRef = new float[w.length];
        Arrays.fill(dw, Float.NaN);
        ConvNhwcSimd.backwardWeight(x, dy, dw, g, threads);
        ConvRef.backwardWeight(
                x, dy, dwRef, g.n, g.ci, g.h, g.w, g.co, g.kh, g.kw, g.stride, g.pad);
        close(g + " weight gradient", dw, dwRef);
    }

    @Test
    void resnetShapes() {
        SplittableRandom r = new SplittableRandom(8);
        for (int[] s :
                new int[][] {
                    {20, 32, 40, 3, 2},
                    {20, 32, 40, 1, 2},
                    {40, 16, 80, 3, 2},
                    {80, 8, 80, 3, 1},
                    {80, 8, 160, 3, 2},
                    {160, 4, 160, 3, 1},
                    {80, 8, 160, 1, 2}
                })
            check(r, new ConvShape(3, s[0], s[1], s[1], s[2], s[3], s[3], s[4], s[3] / 2), 2);
    }

    /**
     * Batches that fit one channels-last group (N = 10 at the 8×8 and 4×4 stages) are still split
     * by images: against the naive loops, and the same bits from one thread and from two parts.
     */
    @Test
    void smallBatchesSplitByImages() {
        SplittableRandom r = new SplittableRandom(9);
        for (int n : new int[] {1, 5, 10, 11})
            for (int[] s : new int[][] {{80, 8, 80, 1}, {160, 4, 160, 1}, {80, 8, 160, 2}}) {
                ConvShape g = new ConvShape(n, s[0], s[1], s[1], s[2], 3, 3, s[3], 1);
                check(new SplittableRandom(n), g, 2);
                float[] x = rand(r, n * g.xImage()), w = rand(r, g.co * g.k);
                float[] dy = rand(r, n * g.yImage());
                for (int pass = 0; pass < 3; pass++) {
                    float[] one = run(pass, x, w, dy, g, 1), two = run(pass, x, w, dy, g, 2);
                    assertThat(two).as(g + " pass " + pass).containsExactly(one);
                }
            }
    }

    /**
     * Shapes near the ResNet stages' at small batches, odd: output channels that are an odd number
     * of vectors (16, 48, 80), long kernel-row runs (70 channels × 3), output channels off the
     * 5-channel tile (37, 50), and groups of images several to a part (9 images of 13×13×70), each
     * with 1 and 2 parts.
     */
    @Test
    void wideTilesSegmentsAndSeveralGroupsPerPart() {
        SplittableRandom r = new SplittableRandom(10);
        for (int[] s :
                new int[][] {
                    {9, 70, 13, 16, 3, 1, 1},
                    {9, 70, 13, 48, 3, 1, 1},
                    {5, 33, 6, 80, 3, 1, 1},
                    {3, 80, 5, 37, 3, 2, 1},
                    {4, 160, 4, 160, 3, 1, 1},
                    {7, 66, 9, 50, 2, 1, 0}
                }) {
            ConvShape g = new ConvShape(s[0], s[1], s[2], s[2], s[3], s[4], s[4], s[5], s[6]);
            check(r, g, 1);
            check(r, g, 2);
        }
    }

    /**
     * The weight gradient's wide tile (2·NR columns, the group's images in one loop) gives the bits
     * of the narrow one (NR columns, the same points in the same order): runs of 1, 2, 3 and 15 NR
     * blocks (odd, so the last block of a run is narrow), 1 to 11 images, several groups per part,
     * 1 and 2 parts.
     */
    @Test
    void wideWeightTilesGiveTheNarrowOnesBits() {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shapes = {
            // n, ci, hw, co, k, stride, pad
            {10, 20, 32, 20, 3, 1, 1},
            {10, 160, 4, 160, 3, 1, 1},
            {10, 80, 8, 160, 3, 2, 1},
            {3, 40, 16, 80, 3, 2, 1},
            {11, 33, 6, 37, 3, 1, 1},
            {1, 70, 5, 12, 3, 1, 0},
            {9, 70, 13, 16, 3, 1, 1},
            {4, 21, 7, 8, 1, 1, 0}
        };
        try {
            for (int[] s : shapes) {
                ConvShape g = new ConvShape(s[0], s[1], s[2], s[2], s[3], s[4], s[4], s[5], s[6]);
                float[] x = rand(r, g.n * g.xImage()), dy = rand(r, g.n * g.yImage());
                for (int parts = 1; parts <= 2; parts++) {
                    float[] wide = new float[g.co * g.k], narrow = new float[g.co * g.k];
                    ConvNhwcSimd.wideWeightTiles = true;
                    ConvNhwcSimd.backwardWeight(x, dy, wide, g, parts);
                    ConvNhwcSimd.wideWeightTiles = false;
                    ConvNhwcSimd.backwardWeight(x, dy, narrow, g, parts);
                    assertThat(Arrays.equals(wide, narrow))
                            .as(g + ", " + parts + " parts")
                            .isTrue();
                }
            }
        } finally {
            ConvNhwcSimd.wideWeightTiles = true;
        }
    }

    /** Forward (0), input gradient (1) or weight gradient (2) with this many parts. */
    private static float[] run(int pass, float[] x, float[] w, float[] dy, ConvShape g, int parts) {
        float[] out = new float[pass == 0 ? dy.length : pass == 1 ? x.length : w.length];
        if (pass == 0) ConvNhwcSimd.forward(x, w, out, g, parts);
        else if (pass == 1) ConvNhwcSimd.backwardInput(dy, w, out, g, parts);
        else ConvNhwcSimd.backwardWeight(x, dy, out, g, parts);
        return out;
    }

    /**
     * The packed weights and partial sums are reused from call to call: whatever an earlier call
     * (here NaN) left in them, the padding columns are zeroed and the results match the naive
     * loops.
     */
    @Test
    void reusedPacksHoldingGarbageGiveTheSameResults() {
        SplittableRandom r = new SplittableRandom(9);
        for (int[] s : new int[][] {{7, 9, 13, 3, 2}, {17, 6, 3, 3, 1}, {3, 11, 20, 1, 2}}) {
            for (int slot = 0; slot < 10; slot++)
                Arrays.fill(ConvNhwcSimd.pack(slot, 1 << 15), Float.NaN);
            check(r, new ConvShape(2, s[0], s[1], s[1], s[2], s[3], s[3], s[4], s[3] / 2), 1);
        }
    }

    /**
     * The blocked weight packings (forward, and every phase of the input gradient) write the same
     * floats as their channel-at-a-time twins, padding included, into packs holding garbage: odd
     * channel counts off the NR block (1, 5, 17, NR + 3, 2·NR + 1), 1×1, 2×3, 3×3 and 5×5 kernels,
     * strides 1 to 3.
     */
    @Test
    void blockedPacksMatchTheirTwins() {
        SplittableRandom r = new SplittableRandom(11);
        int nr = ConvNhwcSimd.NR, cases = 0;
        for (int ci : new int[] {1, 5, 17, nr + 3, 2 * nr + 1})
            for (int co : new int[] {1, 7, nr + 3, 2 * nr + 1})
                for (int[] k : new int[][] {{1, 1}, {2, 3}, {3, 3}, {5, 5}})
                    for (int s = 1; s <= 3; s++) {
                        int pad = Math.min(k[0], k[1]) - 1;
                        ConvShape g = new ConvShape(2, ci, 9, 11, co, k[0], k[1], s, pad);
                        float[] w = rand(r, g.co * g.k);
                        int kk = g.k, cout = ConvNhwcSimd.padTo(g.co, nr);
                        float[] ours = rand(r, cout * kk), twin = rand(r, cout * kk);
                        ConvNhwcSimd.packForward(w, g, ours);
                        ConvNhwcSimd.packForwardNaive(w, g, twin);
                        assertThat(ours).as(g + " forward pack").isEqualTo(twin);
                        int cin = ConvNhwcSimd.padTo(g.ci, nr);
                        for (int a = 0; a < s; a++)
                            for (int b = 0; b < s; b++) {
                                int[] us = ConvNhwcSimd.Phase.taps(a, pad, g.kh, s),
                                        vs = ConvNhwcSimd.Phase.taps(b, pad, g.kw, s);
                                int runs = vs.length == 0 ? 0 : us.length,
                                        k2 = runs * vs.length * g.co;
                                float[] p = rand(r, cin * Math.max(1, k2)), q = p.clone();
                                ConvNhwcSimd.Phase.pack(w, g, us, vs, runs, k2, cin, p);
                                ConvNhwcSimd.Phase.packNaive(w, g, us, vs, runs, k2, cin, q);
                                assertThat(p).as(g + " phase " + a + "," + b).isEqualTo(q);
                                cases++;
                            }
                    }
        assertThat(cases).isGreaterThan(500);
    }

    /**
     * The GEMM with a narrow last column block (one vector of the NR-wide block used: ResNet's 80-
     * and 40-channel outputs on AVX-512) writes the same bits into the used columns as the
     * full-width twin: used counts on and off the vector width, point counts off the 5- and
     * 10-point tiles, 1 and 3 runs of 1 to 3 taps of odd channel counts, random windows of taps
     * (empty ones included), random non-zero data (the padding columns of the weights zero, as the
     * packs make them).
     */
    @Test
    void narrowLastBlockSameBitsAsFullWidth() {
        SplittableRandom r = new SplittableRandom(13);
        int nr = ConvNhwcSimd.NR, l = ConvNhwcSimd.L, narrow = 0;
        for (int used : new int[] {1, 3, l - 1, l, l + 1, nr + 5, nr + l, 2 * nr + l, 80, 40})
            for (int nq : new int[] {1, 4, 5, 7, 10, 13, 20, 23, 64})
                for (int[] rtc : new int[][] {{1, 1, 1}, {1, 3, 7}, {3, 1, 5}, {3, 3, 3}}) {
                    int runs = rtc[0], taps = rtc[1], chan = rtc[2], len = taps * chan;
                    int cout = ConvNhwcSimd.padTo(used, nr), kk = runs * len;
                    int[] run = new int[runs];
                    for (int i = 0; i < runs; i++) run[i] = 3 * i + 1;
                    int q = ConvNhwcSimd.padTo(nq, ConvNhwcSimd.MR);
                    int[] base = new int[q], win = new int[q];
                    for (int i = 0; i < q; i++) {
                        base[i] = r.nextInt(40);
                        // one window per 10 points: the narrow block's 10-point tiles and the
                        // twin's 5-point tiles compute the same taps (the products outside a
                        // window are not zero here, as the border's are)
                        win[i] = i % 10 == 0 ? randomWindow(r, runs, taps) : win[i - 1];
                    }
                    float[] src = rand(r, 40 + 3 * runs + len), wp = rand(r, cout * kk);
                    ConvNhwcSimd.zeroPadding(wp, used, cout, kk);
                    float[] ours = new float[q * cout], twin = new float[q * cout];
                    Arrays.fill(ours, Float.NaN);
                    Arrays.fill(twin, Float.NaN);
                    ConvNhwcSimd.gemm(src, base, win, nq, run, chan, len, kk, wp, cout, used, ours);
                    ConvNhwcSimd.gemm(src, base, win, nq, run, chan, len, kk, wp, cout, twin);
                    for (int i = 0; i < nq; i++)
                        for (int o = 0; o < used; o++)
                            if (Float.floatToRawIntBits(ours[i * cout + o])
                                    != Float.floatToRawIntBits(twin[i * cout + o]))
                                throw new AssertionError(
                                        "used "
                                                + used
                                                + " nq "
                                                + nq
                                                + " runs "
                                                + runs
                                                + " at point "
                                                + i
                                                + " column "
                                                + o
                                                + ": "
                                                + ours[i * cout + o]
                                                + " vs "
                                                + twin[i * cout + o]);
                    if (used - (cout / nr - 1) * nr <= l) narrow++;
                }
        assertThat(narrow).isGreaterThan(50);
    }

    /** A window of runs and taps, empty one time in eight. */
    static int randomWindow(SplittableRandom r, int runs, int taps) {
        if (r.nextInt(8) == 0) return ConvNhwcSimd.EMPTY;
        int r0 = r.nextInt(runs), r1 = r0 + r.nextInt(runs - r0);
        int t0 = r.nextInt(taps), t1 = t0 + r.nextInt(taps - t0);
        return r0 | r1 << 8 | t0 << 16 | t1 << 24;
    }

    /**
     * Leaving out the taps in the zero border gives every bit of computing them: forward, input and
     * weight gradients on random non-zero data, strides 1–3, pads 0 … k−1, 1×1 to 5×5 and
     * non-square kernels, images of 1 to 11 pixels a side (the 4×4 and 8×8 stages among them),
     * channel counts on and off the tiles, batches of 1, 3 and 10, one and two parts; and the
     * results match the naive loops either way.
     */
    @Test
    void skippingTheBorderKeepsEveryBit() {
        SplittableRandom r = new SplittableRandom(23);
        int cases = 0;
        boolean was = ConvNhwcSimd.skipsPad();
        try {
            for (int[] s :
                    new int[][] {
                        // n, ci, h, w, co, kh, kw
                        {10, 160, 4, 4, 160, 3, 3},
                        {10, 80, 8, 8, 80, 3, 3},
                        {3, 17, 11, 9, 37, 3, 3},
                        {3, 7, 5, 7, 20, 5, 5},
                        {1, 33, 6, 5, 48, 2, 3},
                        {3, 9, 1, 1, 11, 3, 3},
                        {1, 5, 4, 4, 3, 1, 1}
                    })
                for (int st = 1; st <= 3; st++)
                    for (int pad = 0; pad < Math.min(s[5], s[6]); pad++) {
                        ConvShape g =
                                new ConvShape(s[0], s[1], s[2], s[3], s[4], s[5], s[6], st, pad);
                        if (s[2] + 2 * pad < s[5] || s[3] + 2 * pad < s[6]) continue; // no output
                        float[] x = rand(r, g.n * g.xImage()), w = rand(r, g.co * g.k);
                        float[] dy = rand(r, g.n * g.yImage());
                        for (int parts = 1; parts <= 2; parts++)
                            for (int pass = 0; pass < 3; pass++) {
                                ConvNhwcSimd.skipPad(true);
                                float[] skip = run(pass, x, w, dy, g, parts);
                                ConvNhwcSimd.skipPad(false);
                                float[] all = run(pass, x, w, dy, g, parts);
                                assertThat(GemmSimdBitsTest.bits(skip))
                                        .as(g + " pass " + pass + ", " + parts + " parts")
                                        .isEqualTo(GemmSimdBitsTest.bits(all));
                                cases++;
                            }
                        if (pad > 0) check(r, g, 2); // against the naive loops, border skipped
                    }
        } finally {
            ConvNhwcSimd.skipPad(was);
        }
        assertThat(cases).isGreaterThan(150);
    }

    /**
     * A point's window: the runs and taps that read inside the source, by hand at the 4×4 stage
     * (3×3 kernel, pad 1): a corner reads 2 × 2 taps, an edge 2 × 3 or 3 × 2, the middle all 9.
     */
    @Test
    void windowsOfTheFourByFourStage() {
        assertThat(ConvNhwcSimd.window(-1, 3, 4, -1, 3, 4))
                .isEqualTo(1 | 2 << 8 | 1 << 16 | 2 << 24);
        assertThat(ConvNhwcSimd.window(2, 3, 4, 0, 3, 4)).isEqualTo(0 | 1 << 8 | 0 << 16 | 2 << 24);
        assertThat(ConvNhwcSimd.window(0, 3, 4, 1, 3, 4)).isEqualTo(ConvNhwcSimd.full(3, 3));
        assertThat(ConvNhwcSimd.window(4, 3, 4, 0, 3, 4)).isEqualTo(ConvNhwcSimd.EMPTY);
        assertThat(ConvNhwcSimd.union(ConvNhwcSimd.EMPTY, ConvNhwcSimd.window(-1, 3, 4, 2, 3, 4)))
                .isEqualTo(ConvNhwcSimd.window(-1, 3, 4, 2, 3, 4));
    }

    /**
     * The channels-last copy pixel by pixel equals its channel-at-a-time twin: odd channel counts,
     * rows and borders (asymmetric, as the input gradient's), several images from an offset, over a
     * buffer holding garbage.
     */
    @Test
    void channelsLastCopyMatchesItsTwin() {
        SplittableRandom r = new SplittableRandom(21);
        int cases = 0;
        for (int ch : new int[] {1, 3, 17, 80})
            for (int[] hw : new int[][] {{1, 1}, {5, 7}, {8, 8}, {4, 13}})
                for (int[] border : new int[][] {{0, 0}, {1, 1}, {2, 1}, {1, 2}}) {
                    int n = 4, n0 = 1, nb = 3, h = hw[0], w = hw[1];
                    int hs = h + border[0] + 1, ws = w + border[1] + 2;
                    float[] x = rand(r, n * ch * h * w);
                    float[] a = rand(r, nb * hs * ws * ch), b = a.clone();
                    ConvNhwcSimd.toChannelsLastByPixel(
                            x, n0, nb, ch, h, w, border[0], border[1], hs, ws, a);
                    ConvNhwcSimd.toChannelsLastNaive(
                            x, n0, nb, ch, h, w, border[0], border[1], hs, ws, b);
                    assertThat(a).as(ch + " " + h + "x" + w).isEqualTo(b);
                    cases++;
                }
        assertThat(cases).isEqualTo(64);
    }

    /**
     * The copy goes a channel at a time where a pixel's channel rows would crowd L1's sets: 32×32
     * images (rows 4 KiB apart: one set) from 9 channels, 16×16 (1 KiB: 4 sets) from 33, and under
     * 4 channels; pixel by pixel at ResNet's 8×8 and 4×4 stages and at 28×28.
     */
    @Test
    void channelsLastCopyOrderByL1Sets() {
        assertThat(ConvNhwcSimd.channelAtATime(20, 32 * 32)).isTrue();
        assertThat(ConvNhwcSimd.channelAtATime(8, 32 * 32)).isFalse();
        assertThat(ConvNhwcSimd.channelAtATime(3, 32 * 32)).isTrue();
        assertThat(ConvNhwcSimd.channelAtATime(40, 16 * 16)).isTrue();
        assertThat(ConvNhwcSimd.channelAtATime(32, 16 * 16)).isFalse();
        assertThat(ConvNhwcSimd.channelAtATime(80, 8 * 8)).isFalse();
        assertThat(ConvNhwcSimd.channelAtATime(160, 4 * 4)).isFalse();
        assertThat(ConvNhwcSimd.channelAtATime(160, 28 * 28)).isFalse();
    }
}
