package arm.bench;

import arm.kernels.cpu.CpuConv;
import arm.kernels.cpu.fast.ConvIm2col;
import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.simd.ConvDirectSimd;
import arm.kernels.cpu.simd.ConvNhwcSimd;
import arm.kernels.cpu.simd.ConvProjectionSimd;
import arm.kernels.cpu.simd.ConvStridedGradSimd;
import arm.kernels.cpu.simd.WinogradF4Simd;
import arm.kernels.cpu.simd.WinogradSimd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Thread CPU time per call of each convolution kernel at the ResNet18 (nf = 20) shapes on 100
 * images, the kernels side by side in one process (interleaved rounds, median), so that a shared
 * machine's load hits them alike. A development harness, not JMH; {@link ConvBench} is the JMH
 * version of the production path.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * arm.bench.ConvTiming [rounds] [shape ...]}, shapes as "Ci-HW-Co-k-stride[-N]" (N = 100 images
 * unless given).
 */
public final class ConvTiming {
    private ConvTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    interface Kernel {
        void run(float[] x, float[] w, float[] y, ConvShape g);
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        String[] shapes =
                args.length > 1
                        ? Arrays.copyOfRange(args, 1, args.length)
                        : new String[] {
                            "3-32-20-3-1",
                            "20-32-20-3-1",
                            "20-32-40-3-2",
                            "40-16-40-3-1",
                            "20-32-40-1-2",
                            "40-16-80-3-2",
                            "80-8-80-3-1",
                            "40-16-80-1-2",
                            "80-8-160-3-2",
                            "160-4-160-3-1",
                            "80-8-160-1-2"
                        };
        System.out.println("# " + CpuConv.path());
        for (String sh : shapes) {
            String[] p = sh.split("-");
            int ci = Integer.parseInt(p[0]),
                    hw = Integer.parseInt(p[1]),
                    co = Integer.parseInt(p[2]);
            int k = Integer.parseInt(p[3]), s = Integer.parseInt(p[4]);
            int batch = p.length > 5 ? Integer.parseInt(p[5]) : 100;
            ConvShape g = new ConvShape(batch, ci, hw, hw, co, k, k, s, k / 2);
            double mflop = 2.0 * g.n * co * g.k * g.p / 1e6;
            SplittableRandom r = new SplittableRandom(1);
            float[] x = ConvBench.random(r, g.n * g.xImage()),
                    w = ConvBench.random(r, co * g.k),
                    y = ConvBench.random(r, g.n * g.yImage());
            String[] names = {
                "fwd cpuconv",
                "fwd im2col",
                "fwd direct",
                "fwd nhwc",
                "fwd nhwc-all",
                "fwd winograd",
                "fwd winograd4",
                "fwd projection",
                "bwdIn cpuconv",
                "bwdIn im2col",
                "bwdIn direct",
                "bwdIn nhwc",
                "bwdIn nhwc-all",
                "bwdIn strided",
                "bwdIn winograd",
                "bwdIn winograd4",
                "bwdIn projection",
                "bwdW cpuconv",
                "bwdW im2col",
                "bwdW nhwc",
                "bwdW nhwc-all"
            };
            Kernel[] ks = {
                (a, b, c, gg) ->
                        CpuConv.forward(
                                a, b, c, gg.n, gg.ci, gg.h, gg.w, gg.co, gg.kh, gg.kw, gg.stride,
                                gg.pad),
                (a, b, c, gg) -> ConvIm2col.forward(a, b, c, gg),
                ConvDirectSimd.supports(g)
                        ? (a, b, c, gg) -> ConvDirectSimd.forward(a, b, c, gg, 1)
                        : null,
                (a, b, c, gg) -> ConvNhwcSimd.forward(a, b, c, gg, 1),
                allTaps((a, b, c, gg) -> ConvNhwcSimd.forward(a, b, c, gg, 1)),
                WinogradSimd.supports(g)
                        ? (a, b, c, gg) -> WinogradSimd.forward(a, b, c, gg, 1)
                        : null,
                WinogradF4Simd.supports(g)
                        ? (a, b, c, gg) -> WinogradF4Simd.forward(a, b, c, gg, 1)
                        : null,
                ConvProjectionSimd.supports(g)
                        ? (a, b, c, gg) -> ConvProjectionSimd.forward(a, b, c, gg, 1)
                        : null,
                (a, b, c, gg) ->
                        CpuConv.backwardInput(
                                c, b, a, gg.n, gg.ci, gg.h, gg.w, gg.co, gg.kh, gg.kw, gg.stride,
                                gg.pad),
                (a, b, c, gg) -> ConvIm2col.backwardInput(c, b, a, gg),
                g.stride == 1
                                && ConvDirectSimd.supports(
                                        new ConvShape(
                                                g.n,
                                                g.co,
                                                g.h,
                                                g.w,
                                                g.ci,
                                                g.kh,
                                                g.kw,
                                                1,
                                                g.kh - 1 - g.pad))
                        ? (a, b, c, gg) ->
                                ConvDirectSimd.forward(
                                        c,
                                        ConvIm2col.flipTransposed(b, gg),
                                        a,
                                        new ConvShape(
                                                gg.n,
                                                gg.co,
                                                gg.h,
                                                gg.w,
                                                gg.ci,
                                                gg.kh,
                                                gg.kw,
                                                1,
                                                gg.kh - 1 - gg.pad),
                                        1)
                        : null,
                (a, b, c, gg) -> ConvNhwcSimd.backwardInput(c, b, a, gg, 1),
                allTaps((a, b, c, gg) -> ConvNhwcSimd.backwardInput(c, b, a, gg, 1)),
                ConvStridedGradSimd.supports(g)
                        ? (a, b, c, gg) -> ConvStridedGradSimd.backwardInput(c, b, a, gg, 1)
                        : null,
                g.stride == 1 && WinogradSimd.supports(transposed(g))
                        ? (a, b, c, gg) ->
                                WinogradSimd.forward(
                                        c, ConvIm2col.flipTransposed(b, gg), a, transposed(gg), 1)
                        : null,
                g.stride == 1 && WinogradF4Simd.supports(transposed(g))
                        ? (a, b, c, gg) ->
                                WinogradF4Simd.forward(
                                        c, ConvIm2col.flipTransposed(b, gg), a, transposed(gg), 1)
                        : null,
                ConvProjectionSimd.supports(g)
                        ? (a, b, c, gg) -> ConvProjectionSimd.backwardInput(c, b, a, gg, 1)
                        : null,
                (a, b, c, gg) ->
                        CpuConv.backwardWeight(
                                a, c, b, gg.n, gg.ci, gg.h, gg.w, gg.co, gg.kh, gg.kw, gg.stride,
                                gg.pad),
                (a, b, c, gg) -> ConvIm2col.backwardWeight(a, c, b, gg),
                (a, b, c, gg) -> ConvNhwcSimd.backwardWeight(a, c, b, gg, 1),
                allTaps((a, b, c, gg) -> ConvNhwcSimd.backwardWeight(a, c, b, gg, 1)),
            };
            long[][] ns = new long[ks.length][rounds];
            for (int i = 0; i < ks.length; i++)
                if (ks[i] != null) for (int wu = 0; wu < 2; wu++) ks[i].run(x, w, y, g);
            for (int rd = 0; rd < rounds; rd++)
                for (int i = 0; i < ks.length; i++) {
                    if (ks[i] == null) continue;
                    long t0 = MX.getCurrentThreadCpuTime();
                    ks[i].run(x, w, y, g);
                    ns[i][rd] = MX.getCurrentThreadCpuTime() - t0;
                }
            StringBuilder sb = new StringBuilder(String.format("%-14s %5.0f MFLOP:", sh, mflop));
            for (int i = 0; i < ks.length; i++) {
                if (ks[i] == null) continue;
                Arrays.sort(ns[i]);
                double ms = ns[i][rounds / 2] / 1e6;
                sb.append(String.format("  %s %.1f ms (%.0f GF/s)", names[i], ms, mflop / ms));
            }
            System.out.println(sb);
        }
    }

    /** The kernel with every tap computed, the border's included ({@code -all} in the table). */
    static Kernel allTaps(Kernel k) {
        return (a, b, c, g) -> {
            boolean was = ConvNhwcSimd.skipsPad();
            ConvNhwcSimd.skipPad(false);
            try {
                k.run(a, b, c, g);
            } finally {
                ConvNhwcSimd.skipPad(was);
            }
        };
    }

    /** The stride-1 input gradient as a forward convolution of Co channels (flipped weights). */
    static ConvShape transposed(ConvShape g) {
        return new ConvShape(g.n, g.co, g.h, g.w, g.ci, g.kh, g.kw, 1, g.kh - 1 - g.pad);
    }
}
