package arm.kernels.cpu.simd;

import arm.kernels.cpu.ref.BatchNormArrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation (and the fused BN → ReLU pair) per channel of NCHW data on the Java Vector
 * API; the same formulas as {@link arm.kernels.cpu.fast.BatchNormFast} (read there), whose scalar
 * reductions run at one add per cycle (batch norm is then about 15% of a ResNet iteration). The
 * naive twin is {@link arm.kernels.cpu.ref.BatchNormRef}.
 *
 * <p>x, y, dy, dx [N, C, HW]; the rest in {@link BatchNormArrays}; both methods work on channels
 * [c0, c1) (a thread's share). Each (n, c) plane is summed in float in two vector accumulators
 * whose lanes are added in a fixed order (so the bits do not depend on the JIT), planes are
 * combined in double. The backward gathers Σdy and Σdy·(x − μ) in one pass; with {@code y} given,
 * dy is first masked by [y &gt; 0] (the ReLU that followed the batch norm). The elementwise passes
 * use the scalar code's operation order, so they round alike.
 */
public final class BatchNormSimd {
    private BatchNormSimd() {}

    /**
     * 8 float lanes on every machine, so that the sums, and with them a run's bits, are the same
     * with AVX2 and AVX-512; on AVX-512 they are faster than the scalar kernel at every ResNet18
     * shape, the 4×4 planes included (16 lanes are not: a 16-value plane is all tail).
     */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    static final int L = S.length();

    /** Whether the hardware runs 8-lane vectors natively (otherwise they are emulated, slowly). */
    public static boolean nativeWidth() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= S.vectorBitSize();
    }

    /**
     * Whether this kernel pays on this JVM: {@link #nativeWidth}, and on JDKs before 25 only where
     * 8 lanes are also the other kernels' width (AVX2). On JDK 17 with AVX-512 the other kernels
     * run 16 lanes, and one JVM using two vector shapes leaves the Vector API's shared methods with
     * mixed type profiles, after which C2 stops intrinsifying the other kernels' FMAs and stores:
     * the CIFAR ARM iteration ({@code ArmIterationTiming}, dedup on, one thread) took 15.1 s of
     * thread CPU with this kernel and 0.7–1.3 s with the scalar one. JDK 25 compiles both shapes
     * well.
     */
    public static boolean pays() {
        return nativeWidth()
                && (Runtime.version().feature() >= 25
                        || FloatVector.SPECIES_PREFERRED.vectorBitSize() == S.vectorBitSize());
    }

    /**
     * y = BN(x), or max(0, BN(x)) when relu, on channels [c0, c1). Training: the batch statistics
     * into a.mean, a.var (planes weighted by a.counts), the affine pass, then the
     * running-statistics update; eval: the affine pass with a.mean, a.var.
     */
    public static void forward(
            BatchNormArrays a, float[] x, boolean relu, float[] y, int c0, int c1) {
        int n = a.n(), c = a.c(), hw = a.hw();
        double[] planeMean = new double[n], planeM2 = new double[n];
        for (int ch = c0; ch < c1; ch++) {
            if (a.training()) statistics(a, x, ch, planeMean, planeM2);
            float inv = (float) (1.0 / Math.sqrt(a.var()[ch] + (double) a.eps()));
            float g = a.gamma()[ch] * inv, sh = a.beta()[ch] - a.mean()[ch] * g;
            for (int b = 0; b < n; b++) affine(x, y, (b * c + ch) * hw, hw, g, sh, relu);
        }
        a.updateRunning(c0, c1);
    }

    /**
     * Eval mode, channels [c0, c1): y = max(0, (x·g + sh) + r) with g = γ/√(σ²+ε), sh = β − μ·g, r
     * [N, C, HW] the residual; one pass over x, r and y instead of three (BN, the add, the ReLU),
     * each step rounded as the composed ops round it (mul, add, add, max; no FMA).
     */
    public static void forwardAddRelu(
            BatchNormArrays a, float[] x, float[] r, float[] y, int c0, int c1) {
        int n = a.n(), c = a.c(), hw = a.hw();
        for (int ch = c0; ch < c1; ch++) {
            float inv = (float) (1.0 / Math.sqrt(a.var()[ch] + (double) a.eps()));
            float g = a.gamma()[ch] * inv, sh = a.beta()[ch] - a.mean()[ch] * g;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw, i = 0;
                for (; i <= hw - L; i += L)
                    FloatVector.fromArray(S, x, o + i)
                            .mul(g)
                            .add(sh)
                            .add(FloatVector.fromArray(S, r, o + i))
                            .max(0f)
                            .intoArray(y, o + i);
                for (; i < hw; i++) {
                    float v = (x[o + i] * g + sh) + r[o + i];
                    y[o + i] = v > 0f ? v : 0f;
                }
            }
        }
    }

    /**
     * Channel ch's statistics: each plane's sum and squared deviations about its own mean while it
     * sits in L1, then the planes combined (Chan et al.): M2 = Σ_b w_b·(M2_b + hw·(mean_b − μ)²),
     * as stable as two passes over the whole channel, one fewer trip through L2.
     */
    private static void statistics(
            BatchNormArrays a, float[] x, int ch, double[] planeMean, double[] planeM2) {
        int n = a.n(), c = a.c(), hw = a.hw();
        double m = a.values();
        double s = 0;
        for (int b = 0; b < n; b++) {
            int o = (b * c + ch) * hw;
            float sb = sum(x, o, hw), mb = sb / hw;
            s += a.weight(b) * sb;
            planeMean[b] = mb;
            planeM2[b] = sumSquaredDeviation(x, o, hw, mb);
        }
        float mu = (float) (s / m);
        double ss = 0;
        for (int b = 0; b < n; b++) {
            double d = planeMean[b] - mu;
            ss += a.weight(b) * (planeM2[b] + hw * d * d);
        }
        a.mean()[ch] = mu;
        a.var()[ch] = (float) (ss / m);
    }

    /**
     * Backward on channels [c0, c1): dBeta = Σdz, dGamma = inv·Σdz·(x − μ), dx (each may be null),
     * where dz = dy, or dy·[reluOut &gt; 0] when the fused ReLU's output is given. With counts, dβ
     * and dγ stay plain sums (dy already carries the copies) and the two correction terms of dx
     * scale by counts[n].
     */
    public static void backward(
            BatchNormArrays a,
            float[] x,
            float[] reluOut,
            float[] dy,
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            int c0,
            int c1) {
        int n = a.n(), c = a.c(), hw = a.hw();
        float[] y = reluOut;
        double m = a.values();
        double[] sums = new double[2];
        for (int ch = c0; ch < c1; ch++) {
            double inv = 1.0 / Math.sqrt(a.var()[ch] + (double) a.eps());
            float mu = a.mean()[ch];
            sums[0] = sums[1] = 0;
            for (int b = 0; b < n; b++) sums(dy, y, x, (b * c + ch) * hw, hw, mu, sums);
            double sdy = sums[0], sdyc = sums[1];
            if (dBeta != null) dBeta[ch] = (float) sdy;
            if (dGamma != null) dGamma[ch] = (float) (inv * sdyc);
            if (dx == null) continue;
            double g = a.gamma()[ch];
            float ax = (float) (g * inv), bx = (float) (-g * inv * inv * inv * sdyc / m);
            float k0 = (float) (-g * inv * sdy / m - bx * (double) mu);
            for (int b = 0; b < n; b++) {
                float w =
                        (float) a.weight(b); // 1 multiplies exactly: counts = null, the plain bits
                input(dy, y, x, dx, (b * c + ch) * hw, hw, ax, bx * w, k0 * w);
            }
        }
    }

    /** Σ of the lanes in lane order (not reduceLanes, whose order is unspecified). */
    static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    static float sum(float[] v, int o, int len) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        int i = 0;
        for (; i <= len - 2 * L; i += 2 * L) {
            a0 = a0.add(FloatVector.fromArray(S, v, o + i));
            a1 = a1.add(FloatVector.fromArray(S, v, o + i + L));
        }
        float s = sumLanes(a0.add(a1));
        for (; i < len; i++) s += v[o + i];
        return s;
    }

    static float sumSquaredDeviation(float[] v, int o, int len, float mu) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        int i = 0;
        for (; i <= len - 2 * L; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, v, o + i).sub(mu),
                    d1 = FloatVector.fromArray(S, v, o + i + L).sub(mu);
            a0 = d0.fma(d0, a0);
            a1 = d1.fma(d1, a1);
        }
        float s = sumLanes(a0.add(a1));
        for (; i < len; i++) {
            float d = v[o + i] - mu;
            s = Math.fma(d, d, s);
        }
        return s;
    }

    private static void affine(
            float[] x, float[] y, int o, int len, float g, float sh, boolean relu) {
        int i = 0;
        if (relu) {
            for (; i <= len - L; i += L)
                FloatVector.fromArray(S, x, o + i).mul(g).add(sh).max(0f).intoArray(y, o + i);
            for (; i < len; i++) y[o + i] = Math.max(x[o + i] * g + sh, 0f);
        } else {
            for (; i <= len - L; i += L)
                FloatVector.fromArray(S, x, o + i).mul(g).add(sh).intoArray(y, o + i);
            for (; i < len; i++) y[o + i] = x[o + i] * g + sh;
        }
    }

    /** dy masked by [y &gt; 0] when y is given. */
    private static FloatVector dz(float[] dy, float[] y, int at) {
        FloatVector d = FloatVector.fromArray(S, dy, at);
        if (y == null) return d;
        VectorMask<Float> off =
                FloatVector.fromArray(S, y, at).compare(VectorOperators.GT, 0f).not();
        return d.blend(0f, off);
    }

    private static float dz(float dy, float[] y, int at) {
        return y == null || y[at] > 0f ? dy : 0f;
    }

    /** sums[0] += Σ dz, sums[1] += Σ dz·(x − μ) over one plane. */
    private static void sums(
            float[] dy, float[] y, float[] x, int o, int len, float mu, double[] sums) {
        FloatVector s = FloatVector.zero(S), t = s;
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector d = dz(dy, y, o + i);
            s = s.add(d);
            t = d.fma(FloatVector.fromArray(S, x, o + i).sub(mu), t);
        }
        float ss = sumLanes(s), tt = sumLanes(t);
        for (; i < len; i++) {
            float d = dz(dy[o + i], y, o + i);
            ss += d;
            tt = Math.fma(d, x[o + i] - mu, tt);
        }
        sums[0] += ss;
        sums[1] += tt;
    }

    /** dx = a·dz + bx·x + k0 over one plane. */
    private static void input(
            float[] dy,
            float[] y,
            float[] x,
            float[] dx,
            int o,
            int len,
            float a,
            float bx,
            float k0) {
        int i = 0;
        for (; i <= len - L; i += L)
            dz(dy, y, o + i)
                    .mul(a)
                    .add(FloatVector.fromArray(S, x, o + i).mul(bx))
                    .add(k0)
                    .intoArray(dx, o + i);
        for (; i < len; i++) dx[o + i] = a * dz(dy[o + i], y, o + i) + bx * x[o + i] + k0;
    }
}
