package arm.kernels.cpu;

import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.ref.ConvRef;
import arm.kernels.cpu.ref.ConvTransposeRef;
import arm.kernels.cpu.simd.ConvDirectSimd;
import arm.kernels.cpu.simd.ConvNhwcSimd;
import arm.kernels.cpu.simd.ConvProjectionSimd;
import arm.kernels.cpu.simd.ConvStridedGradSimd;
import arm.kernels.cpu.simd.WinogradF4Simd;
import arm.kernels.cpu.simd.WinogradSimd;

/**
 * Chooses the convolution implementation once, at class load ({@code
 * -Darm.conv=naive|im2col|direct}):
 *
 * <ul>
 *   <li>{@code naive}: the direct loops of {@link ConvRef};
 *   <li>{@code im2col}: im2col + {@link CpuGemm} ({@link ConvIm2col}) for every shape but a kernel
 *       covering the whole unpadded input, which is one GEMM ({@link #fullWindow}, both fast
 *       paths);
 *   <li>{@code direct} (the default when the GEMM runs on the Vector API), per call by shape:
 *       <ul>
 *         <li>{@link WinogradSimd} (Winograd F(2×2, 3×3): 4 multiplies per output and channel pair
 *             instead of 9) for 3×3 stride-1 pad-1 convolutions of even sides with at least 8 input
 *             and 4 output channels and at least 64 tiles (images × H/2 × W/2), forward and input
 *             gradient: ResNet18's stride-1 3×3 layers but the stem, and the 4×4 stage only from 16
 *             images on (on JDKs before 25 only the 8×8 and 4×4 ones, {@link WinogradSimd#pays}).
 *             Its sums differ from the direct kernels' in the last bits; {@code
 *             -Darm.conv.winograd=false} gives those shapes back to the kernels below. Of these,
 *             the calls with at least 32 input and output channels, images of 8×8 or more and 256
 *             tiles of 4×4 run {@link WinogradF4Simd} (F(4×4, 3×3): 2.25 multiplies; ResNet's 16×16
 *             stage from 16 images on, the 8×8 stage from 64; {@link WinogradF4Simd#pays}; {@code
 *             -Darm.conv.winograd4=false} keeps them on F(2×2, 3×3));
 *         <li>{@link ConvNhwcSimd} (channels-last implicit GEMM) where many channels are written
 *             from many (see {@link #channelsLast}): ResNet's 8×8 and 4×4 stages and the stride-2
 *             layers into them, forward and input gradient; and every weight gradient of a 2×2 or
 *             3×3 kernel (5×5 kernels ran 10–500× slower there); {@code
 *             -Darm.conv.channelsLast=false} gives these to the kernels below;
 *         <li>{@link ConvDirectSimd} (implicit GEMM over positions) for the other convolutions with
 *             output rows of 8 or more, strided ones through phase planes, and for stride-1 input
 *             gradients as a forward convolution with the flipped weights;
 *         <li>{@link ConvStridedGradSimd} (the same register tiles, one stride-1 correlation per
 *             phase of dx) for the other strided input gradients of 2×2 and 3×3 kernels with phases
 *             8 or more wide ({@link #stridedGrad}): ResNet's 20 → 40 and 40 → 80 layers;
 *         <li>{@link ConvProjectionSimd} for strided 1×1 kernels without padding (ResNet's
 *             projection shortcuts), forward and input gradient: a subsampling and a small matrix
 *             product per image without im2col's copy and the GEMM's packing (1.3–1.9× at the 32×32
 *             → 16×16 projection, level to 1.9× at the others, docs/BENCHMARKS.md); {@code
 *             -Darm.conv.projection=false} gives them back to im2col; the weight gradient stays on
 *             im2col;
 *         <li>im2col for the rest (rows under 8, the VAE's strided 5×5 input gradients).
 *       </ul>
 * </ul>
 *
 * The choices were measured at the ResNet18 (nf = 20) shapes (docs/BENCHMARKS.md, {@code
 * arm.bench.ConvTiming}). {@link #path()} names the choice and the thread count. The Vector API
 * classes are only touched through {@link Simd}, so a JVM without {@code jdk.incubator.vector}
 * never loads them.
 */
public final class CpuConv {
    private CpuConv() {}

    public enum Path {
        NAIVE,
        IM2COL,
        DIRECT
    }

    private static final Path PATH =
            choose(System.getProperty("arm.conv"), CpuGemm.active() == CpuGemm.Path.SIMD);

    static Path choose(String forced, boolean simd) {
        Path fallback = simd ? Path.DIRECT : Path.IM2COL;
        return PathChoice.choose("arm.conv", forced, Path.class, Path.DIRECT, simd, fallback);
    }

    public static Path active() {
        return PATH;
    }

    /**
     * e.g. "winograd + direct + channels-last + im2col + gemm simd (AVX2, 8 float lanes), 1 thread"
     * ("channels-last" left out under {@code -Darm.conv.channelsLast=false}).
     */
    public static String path() {
        String threads =
                CpuThreads.threads() + (CpuThreads.threads() == 1 ? " thread" : " threads");
        return switch (PATH) {
            case NAIVE -> "naive";
            case IM2COL -> "im2col + gemm " + CpuGemm.path() + ", " + threads;
            case DIRECT ->
                    (Simd.winogradOn() ? "winograd + " : "")
                            + (Simd.channelsLastOn() ? "direct + channels-last" : "direct")
                            + " + im2col + gemm "
                            + CpuGemm.path()
                            + ", "
                            + threads;
        };
    }

    public static void forward(
            float[] x,
            float[] w,
            float[] y,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        if (PATH == Path.NAIVE) {
            ConvRef.forward(x, w, y, n, ci, h, wd, co, kh, kw, stride, pad);
            return;
        }
        if (fullWindow(h, wd, kh, kw, pad)) { // Y[N, Co] = X[N, K] · W[Co, K]ᵀ
            int k = ci * kh * kw;
            CpuGemm.sgemm(false, true, n, co, k, 1f, x, 0, k, w, 0, k, 0f, y, 0, co);
            return;
        }
        ConvShape g = new ConvShape(n, ci, h, wd, co, kh, kw, stride, pad);
        if (PATH == Path.DIRECT && Simd.winograd(g)) Simd.forwardWinograd(x, w, y, g);
        else if (PATH == Path.DIRECT && channelsLast(g.ci, g.co, g))
            Simd.forwardChannelsLast(x, w, y, g);
        else if (PATH == Path.DIRECT && Simd.projection(g)) Simd.forwardProjection(x, w, y, g);
        else if (PATH == Path.DIRECT && Simd.supports(g) && (g.stride == 1 || g.kh * g.kw > 1))
            Simd.forward(x, w, y, g);
        else ConvIm2col.forward(x, w, y, g);
    }

    public static void backwardInput(
            float[] dy,
            float[] w,
            float[] dx,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        if (PATH == Path.NAIVE) {
            ConvRef.backwardInput(dy, w, dx, n, ci, h, wd, co, kh, kw, stride, pad);
            return;
        }
        if (fullWindow(h, wd, kh, kw, pad)) { // dX[N, K] = dY[N, Co] · W[Co, K]
            int k = ci * kh * kw;
            CpuGemm.sgemm(false, false, n, k, co, 1f, dy, 0, co, w, 0, k, 0f, dx, 0, k);
            return;
        }
        ConvShape g = new ConvShape(n, ci, h, wd, co, kh, kw, stride, pad);
        if (PATH == Path.DIRECT && g.stride == 1) {
            // dx = conv(dy, w̃), w̃ the flipped transposed weights (Co input channels)
            ConvShape t = new ConvShape(n, co, g.ho, g.wo, ci, kh, kw, 1, kh - 1 - pad);
            if (t.ho == h && t.wo == wd && Simd.winograd(t)) {
                Simd.forwardWinograd(dy, ConvIm2col.flipTransposed(w, g), dx, t);
                return;
            }
        }
        if (PATH == Path.DIRECT && channelsLast(g.co, g.ci, g)) {
            Simd.backwardInputChannelsLast(dy, w, dx, g);
            return;
        }
        if (PATH == Path.DIRECT && Simd.projection(g)) {
            Simd.backwardInputProjection(dy, w, dx, g);
            return;
        }
        if (PATH == Path.DIRECT && stridedGrad(g)) {
            Simd.backwardInputStrided(dy, w, dx, g);
            return;
        }
        if (PATH == Path.DIRECT && g.stride == 1 && g.kh == g.kw && g.pad <= g.kh - 1) {
            // dx = conv(dy, w̃), w̃ the flipped transposed weights: a forward convolution of Co
            // channels (also for the stem's 3 channels: 3 of the kernel's 5 rows busy still beat
            // col2im 2:1)
            ConvShape t = new ConvShape(n, co, g.ho, g.wo, ci, kh, kw, 1, kh - 1 - pad);
            if (Simd.supports(t) && t.ho == h && t.wo == wd) {
                Simd.forward(dy, ConvIm2col.flipTransposed(w, g), dx, t);
                return;
            }
        }
        ConvIm2col.backwardInput(dy, w, dx, g);
    }

    public static void backwardWeight(
            float[] x,
            float[] dy,
            float[] dw,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        if (PATH == Path.NAIVE) {
            ConvRef.backwardWeight(x, dy, dw, n, ci, h, wd, co, kh, kw, stride, pad);
            return;
        }
        if (fullWindow(h, wd, kh, kw, pad)) { // dW[Co, K] = dY[N, Co]ᵀ · X[N, K]
            int k = ci * kh * kw;
            CpuGemm.sgemm(true, false, co, k, n, 1f, dy, 0, co, x, 0, k, 0f, dw, 0, k);
            return;
        }
        ConvShape g = new ConvShape(n, ci, h, wd, co, kh, kw, stride, pad);
        // channels-last for 2×2 and 3×3 kernels (2–3× faster than im2col's dot products there;
        // 10–40× slower at the VAE's 5×5 kernels)
        if (PATH == Path.DIRECT
                && Simd.channelsLastOn()
                && kh * kw > 1
                && kh <= 3
                && kw <= 3
                && pad < kh
                && pad < kw) Simd.backwardWeightChannelsLast(x, dy, dw, g);
        else ConvIm2col.backwardWeight(x, dy, dw, g);
    }

    /**
     * Whether the kernel covers the whole unpadded input (a 1×1 output at any stride, e.g. the
     * gated-conv VAE's K×K layers on K×K maps and the z×1×1 transposed convolution after them):
     * then the convolution and both gradients are one GEMM each over K = Ci·kh·kw, where the
     * windowed kernels were measured 10–100× slower than the naive loops.
     */
    static boolean fullWindow(int h, int wd, int kh, int kw, int pad) {
        return pad == 0 && kh == h && kw == wd && h * wd > 1;
    }

    /**
     * The transposed convolution x [N, Ci, H, W] * w [Ci, Co, kh, kw] → y [N, Co, Ho, Wo]: the
     * input gradient of the convolution y → x (Co → Ci channels), so every fast path of {@link
     * #backwardInput} serves it; {@code naive} runs {@link ConvTransposeRef}.
     */
    public static void transposeForward(
            float[] x,
            float[] w,
            float[] y,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad,
            int ho,
            int wo) {
        if (PATH == Path.NAIVE)
            ConvTransposeRef.forward(x, w, y, n, ci, h, wd, co, kh, kw, stride, pad, ho, wo);
        else backwardInput(x, w, y, n, co, ho, wo, ci, kh, kw, stride, pad);
    }

    /**
     * Whether {@link ConvNhwcSimd} takes a convolution that reads {@code in} channels and writes
     * {@code out} (forward: Ci → Co; input gradient: Co → Ci). It pads the written channels to its
     * 16-channel block (AVX2), so it wants many of them, and its inner loop runs over kw·in floats;
     * the channels-last copies cost most for 1×1 kernels, which stay on im2col, and kernels wider
     * than 3×3 ran 10–500× slower than the direct path (the VAE's 5×5 layers). Measured at the
     * ResNet18 shapes (docs/BENCHMARKS.md): faster than both other paths on the 8×8 and 4×4 stages
     * and the stride-2 layers into them, slower where Co is 20 or 40.
     */
    static boolean channelsLast(int in, int out, ConvShape g) {
        return Simd.channelsLastOn()
                && out >= 64
                && in >= 32
                && g.kh > 1
                && g.kw > 1
                && g.kh <= 3 // 5×5 kernels (the VAE's) run 10–500× slower there than direct
                && g.kw <= 3
                && g.pad < g.kh
                && g.pad < g.kw;
    }

    /**
     * Whether {@link ConvStridedGradSimd} takes a strided input gradient (one not on the
     * channels-last kernel): 2×2 and 3×3 kernels with phases at least 8 wide. At ResNet's 20 → 40
     * (32×32) and 40 → 80 (16×16) layers it beats col2im 1.8× and 1.3× (docs/BENCHMARKS.md); the
     * strided 1×1 projections have their own kernel, and the VAE's 5×5 kernels were not measured
     * here.
     */
    static boolean stridedGrad(ConvShape g) {
        return g.stride > 1
                && g.kh * g.kw > 1
                && g.kh <= 3
                && g.kw <= 3
                && g.w / g.stride >= 8
                && Simd.supportsStrided(g);
    }

    /**
     * Holder: the only place that names the Vector API kernels; loaded on the first direct call.
     */
    private static final class Simd {
        static boolean supports(ConvShape g) {
            return ConvDirectSimd.supports(g);
        }

        static void forward(float[] x, float[] w, float[] y, ConvShape g) {
            ConvDirectSimd.forward(x, w, y, g, CpuThreads.parts(g.n));
        }

        static boolean winograd(ConvShape g) {
            return WinogradSimd.pays(g);
        }

        static boolean winogradOn() {
            return WinogradSimd.enabled();
        }

        /** F(4×4, 3×3) where it pays ({@link WinogradF4Simd#pays}), else F(2×2, 3×3). */
        static void forwardWinograd(float[] x, float[] w, float[] y, ConvShape g) {
            int parts = CpuThreads.parts(g.n * g.p);
            if (WinogradF4Simd.pays(g)) WinogradF4Simd.forward(x, w, y, g, parts);
            else WinogradSimd.forward(x, w, y, g, parts);
        }

        static boolean channelsLastOn() {
            return ConvNhwcSimd.ON;
        }

        static void forwardChannelsLast(float[] x, float[] w, float[] y, ConvShape g) {
            ConvNhwcSimd.forward(x, w, y, g, CpuThreads.parts(g.n));
        }

        static void backwardWeightChannelsLast(float[] x, float[] dy, float[] dw, ConvShape g) {
            ConvNhwcSimd.backwardWeight(x, dy, dw, g, CpuThreads.parts(g.n));
        }

        /** Strided 1×1 projections ({@link ConvProjectionSimd}), unless switched off. */
        static boolean projection(ConvShape g) {
            return ConvProjectionSimd.ON && ConvProjectionSimd.supports(g);
        }

        static void forwardProjection(float[] x, float[] w, float[] y, ConvShape g) {
            ConvProjectionSimd.forward(x, w, y, g, CpuThreads.parts(g.n));
        }

        static void backwardInputProjection(float[] dy, float[] w, float[] dx, ConvShape g) {
            ConvProjectionSimd.backwardInput(dy, w, dx, g, CpuThreads.parts(g.n));
        }

        static boolean supportsStrided(ConvShape g) {
            return ConvStridedGradSimd.supports(g);
        }

        static void backwardInputStrided(float[] dy, float[] w, float[] dx, ConvShape g) {
            ConvStridedGradSimd.backwardInput(dy, w, dx, g, CpuThreads.parts(g.n));
        }

        static void backwardInputChannelsLast(float[] dy, float[] w, float[] dx, ConvShape g) {
            ConvNhwcSimd.backwardInput(dy, w, dx, g, CpuThreads.parts(g.n));
        }
    }
}
