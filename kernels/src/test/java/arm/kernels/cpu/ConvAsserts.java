package arm.kernels.cpu;

import java.util.SplittableRandom;

/** Shared by the convolution kernel tests: random data and the comparison with the naive loops. */
public final class ConvAsserts {
    private ConvAsserts() {}

    /** n values uniform in [−1, 1). */
    public static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /**
     * |ours − ref| ≤ 1e-5·(1 + max|ref|) everywhere; the message names the kernel and the index.
     */
    public static void close(String what, String kernel, float[] ours, float[] ref) {
        double scale = 0;
        for (float v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++)
            if (!(Math.abs(ours[i] - ref[i]) <= 1e-5 * (1 + scale)))
                throw new AssertionError(
                        what + " at " + i + ": " + kernel + " " + ours[i] + ", naive " + ref[i]);
    }
}
