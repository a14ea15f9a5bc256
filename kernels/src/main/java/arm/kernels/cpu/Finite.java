package arm.kernels.cpu;

import arm.kernels.cpu.simd.FiniteSimd;

/**
 * Whether a stretch of a host array holds no NaN and no ±Inf: the numerical guard's scan of every
 * gradient before an optimiser step (~1 M floats per ARM iteration in the MNIST setting). Shapes:
 * d[from, to).
 *
 * <p>With the Vector API ({@link CpuGemm}'s SIMD path active) {@link FiniteSimd} runs: x·0 is ±0
 * for a finite x and NaN for NaN and ±Inf, so a lane-wise sum of x·0 is ±0 exactly when every
 * element is finite, whatever the order (~0.06 ns per float against ~0.3 ns). {@link #scalar} is
 * its naive twin and the path without the Vector API: an OR over the exponent bits, which C2 does
 * not vectorise.
 */
public final class Finite {
    private Finite() {}

    /** True when d[from, to) holds no NaN and no ±Inf. */
    public static boolean all(float[] d, int from, int to) {
        return CpuGemm.active() == CpuGemm.Path.SIMD ? Simd.all(d, from, to) : scalar(d, from, to);
    }

    /**
     * The naive twin. NaN and ±Inf are the values whose exponent bits are all ones; adding one to
     * the exponent field carries into the sign bit exactly for them.
     */
    public static boolean scalar(float[] d, int from, int to) {
        int acc = 0;
        for (int i = from; i < to; i++)
            acc |= (Float.floatToRawIntBits(d[i]) & 0x7f800000) + 0x00800000;
        return acc >= 0;
    }

    /** Holder: the only place that names FiniteSimd; loaded on the first SIMD call. */
    private static final class Simd {
        static boolean all(float[] d, int from, int to) {
            return FiniteSimd.all(d, from, to);
        }
    }
}
