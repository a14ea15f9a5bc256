package arm.bench;

import arm.kernels.cpu.fast.ConvShape;
import arm.kernels.cpu.simd.ConvNhwcSimd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Thread CPU time per call of the channels-last kernels ({@link ConvNhwcSimd}: forward, input
 * gradient, weight gradient) at a small batch, one thread: the ResNet step's N = 10 calls at the
 * 8×8 and 4×4 stages, which {@link ConvTiming} (100 images, two warm-up calls) does not show. Each
 * round times {@code reps} calls of each kernel in turn; the median round is printed.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * arm.bench.ConvNhwcTiming [n] [rounds] [reps] [shape ...]}, shapes as "Ci-HW-Co-k-stride".
 */
public final class ConvNhwcTiming {
    private ConvNhwcTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        String[] shapes =
                args.length > 3
                        ? Arrays.copyOfRange(args, 3, args.length)
                        : new String[] {
                            "20-32-20-3-1",
                            "40-16-40-3-1",
                            "40-16-80-3-2",
                            "80-8-80-3-1",
                            "80-8-160-3-2",
                            "160-4-160-3-1"
                        };
        for (String sh : shapes) {
            String[] p = sh.split("-");
            int ci = Integer.parseInt(p[0]), hw = Integer.parseInt(p[1]);
            int co = Integer.parseInt(p[2]), k = Integer.parseInt(p[3]);
            int s = Integer.parseInt(p[4]);
            ConvShape g = new ConvShape(n, ci, hw, hw, co, k, k, s, k / 2);
            double mflop = 2.0 * g.n * co * g.k * g.p / 1e6;
            SplittableRandom r = new SplittableRandom(1);
            float[] x = ConvBench.random(r, g.n * g.xImage()),
                    w = ConvBench.random(r, co * g.k),
                    y = ConvBench.random(r, g.n * g.yImage()),
                    dx = new float[x.length],
                    dw = new float[w.length],
                    out = new float[y.length];
            Runnable[] ks = {
                () -> ConvNhwcSimd.forward(x, w, out, g, 1),
                () -> ConvNhwcSimd.backwardInput(y, w, dx, g, 1),
                () -> ConvNhwcSimd.backwardWeight(x, y, dw, g, 1)
            };
            String[] names = {"fwd", "bwdIn", "bwdW"};
            for (Runnable kr : ks) for (int i = 0; i < 300; i++) kr.run();
            long[][] ns = new long[ks.length][rounds];
            for (int rd = 0; rd < rounds; rd++)
                for (int i = 0; i < ks.length; i++) {
                    long t0 = MX.getCurrentThreadCpuTime();
                    for (int j = 0; j < reps; j++) ks[i].run();
                    ns[i][rd] = (MX.getCurrentThreadCpuTime() - t0) / reps;
                }
            StringBuilder sb =
                    new StringBuilder(String.format("N=%d %-14s %5.1f MFLOP:", n, sh, mflop));
            for (int i = 0; i < ks.length; i++) {
                Arrays.sort(ns[i]);
                double ms = ns[i][rounds / 2] / 1e6;
                sb.append(String.format("  %s %.3f ms (%.0f GF/s)", names[i], ms, mflop / ms));
            }
            System.out.println(sb);
        }
    }
}
