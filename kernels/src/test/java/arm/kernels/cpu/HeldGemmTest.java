package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.Backend;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Weights held constant ({@link Backend#holdConstant}, {@link CpuGemm#hold}): a layer's x·Wᵀ gives
 * the same bits held or not, for the MLP's shapes and odd ones; a released hold is no longer used
 * (W changed afterwards gives the new result); the output layer's 10 columns are not held; nothing
 * stays registered after release.
 */
class HeldGemmTest {
    final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void restore() {
        CpuGemm.holding(true);
    }

    static final int[][] SHAPES = { // M, K, N
        {10, 784, 400}, {10, 400, 400}, {10, 400, 10}, {1, 33, 32}, {13, 100, 70}, {47, 50, 90},
    };

    @Test
    void heldGivesTheSameBitsAndReleaseEndsIt() {
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            SplittableRandom r = new SplittableRandom(m * 1000L + k + n);
            Tensor x = cpu.upload(random(r, m * k), m, k), w = cpu.upload(random(r, n * k), n, k);
            Tensor plain = cpu.zeros(m, n), held = cpu.zeros(m, n);
            cpu.gemm(false, true, 1f, x, w, 0f, plain);
            try (Backend.Held h = cpu.holdConstant(w)) {
                cpu.gemm(false, true, 1f, x, w, 0f, held);
            }
            assertThat(bits(cpu.download(held)))
                    .as("%dx%dx%d", m, k, n)
                    .isEqualTo(bits(cpu.download(plain)));
            assertThat(CpuGemm.isHeld(w.data())).isFalse();
            // after release a change to W shows (the packing is not used any more)
            float[] wv = cpu.download(w);
            wv[0] += 1f;
            Tensor w2 = cpu.upload(wv, n, k), want = cpu.zeros(m, n);
            cpu.copy(w2, w);
            cpu.gemm(false, true, 1f, x, w2, 0f, want);
            cpu.gemm(false, true, 1f, x, w, 0f, held);
            assertThat(bits(cpu.download(held))).isEqualTo(bits(cpu.download(want)));
        }
    }

    @Test
    void whatIsHeld() {
        Tensor w400 = cpu.zeros(400, 784), w10 = cpu.zeros(10, 400), bias = cpu.zeros(400);
        try (Backend.Held h = cpu.holdConstant(w400, w10, bias)) {
            // the 10-column output layer and a bias are not worth a packing; AVX2 packs nothing
            boolean wide = arm.kernels.cpu.simd.GemmSimd.lanes() >= 16;
            assertThat(CpuGemm.isHeld(w400.data())).isEqualTo(wide);
            assertThat(CpuGemm.isHeld(w10.data())).isFalse();
            assertThat(CpuGemm.isHeld(bias.data())).isFalse();
        }
        assertThat(CpuGemm.isHeld(w400.data())).isFalse();
        CpuGemm.holding(false);
        try (Backend.Held h = cpu.holdConstant(w400)) {
            assertThat(CpuGemm.isHeld(w400.data())).isFalse();
        }
    }

    @Test
    void aHoldNeverReleasedGoesWithItsWeights() throws InterruptedException {
        float[][] w = {new float[64 * 40]};
        CpuGemm.hold(w[0], 64, 40); // never released
        java.lang.ref.WeakReference<float[]> ref = new java.lang.ref.WeakReference<>(w[0]);
        w[0] = null;
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ref.get() == null, "no collection");
        int before = CpuGemm.heldCount();
        Tensor other = cpu.zeros(64, 40);
        try (Backend.Held h = cpu.holdConstant(other)) {
            // the next hold purges the collected one
            boolean wide = arm.kernels.cpu.simd.GemmSimd.lanes() >= 16;
            if (wide) assertThat(CpuGemm.heldCount()).isLessThanOrEqualTo(before);
        }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) (r.nextDouble() * 2 - 1);
            x[i] = v == 0f ? 0.25f : v;
        }
        return x;
    }

    static int[] bits(float[] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Float.floatToRawIntBits(x[i]);
        return out;
    }
}
