package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.WeightPacks;
import arm.kernels.cpu.ref.ConvRef;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reused weight packs: made once while the weights keep their bits, made again after any change in
 * place (one element, one bit), and the convolutions through them equal the naive loops and, bit
 * for bit, the same calls packing afresh.
 */
class WeightPacksTest {

    @AfterEach
    void restore() {
        WeightPacks.reuse(true);
        WeightPacks.holding(true);
        WeightPacks.clear();
    }

    /**
     * A held array is compared once after the promise, then trusted (a write that breaks the
     * promise goes unseen, which shows no comparison is made), and compared again after release; a
     * pack of it, packed again, is trusted with it.
     */
    @Test
    void heldArraysComparedOnceThenTrusted() {
        float[] w = {1f, 2f, 3f, 4f};
        int[] made = {0};
        WeightPacks.Packer copy =
                (src, out) -> {
                    made[0]++;
                    System.arraycopy(src, 0, out, 0, out.length);
                };
        float[] p = WeightPacks.of(w, 4, 4, copy, 9, 1);
        w[0] = 5f; // changed before the promise: the first call after it sees the change
        WeightPacks.Held h = WeightPacks.hold(w);
        assertThat(WeightPacks.of(w, 4, 4, copy, 9, 1)).isSameAs(p).containsExactly(5f, 2f, 3f, 4f);
        assertThat(made[0]).isEqualTo(2);
        float[] q = WeightPacks.of(p, 4, 4, copy, 9, 2); // a pack of the pack
        assertThat(made[0]).isEqualTo(3);
        w[1] = 6f; // breaks the promise: not seen while held
        p[2] = 7f; // and a write into the pack (callers must not): not seen either
        assertThat(WeightPacks.of(w, 4, 4, copy, 9, 1)).isSameAs(p);
        assertThat(WeightPacks.of(p, 4, 4, copy, 9, 2)).isSameAs(q).containsExactly(5f, 2f, 3f, 4f);
        assertThat(made[0]).isEqualTo(3);
        WeightPacks.release(h); // compared again: both changes seen
        assertThat(WeightPacks.of(p, 4, 4, copy, 9, 2)).containsExactly(5f, 2f, 7f, 4f);
        assertThat(WeightPacks.of(w, 4, 4, copy, 9, 1)).containsExactly(5f, 6f, 3f, 4f);
        assertThat(made[0]).isEqualTo(5);
        WeightPacks.holding(false); // promises off: hold gives nothing, calls compare
        assertThat(WeightPacks.hold(w)).isNull();
    }

    @Test
    void packsOncePerChangeOfBits() {
        float[] w = {1f, 2f, 0f, 4f};
        int[] made = {0};
        WeightPacks.Packer copy =
                (src, out) -> {
                    made[0]++;
                    System.arraycopy(src, 0, out, 0, out.length);
                };
        float[] p = WeightPacks.of(w, 4, 4, copy, 9, 1);
        assertThat(WeightPacks.of(w, 4, 4, copy, 9, 1)).isSameAs(p);
        assertThat(made[0]).isEqualTo(1);
        WeightPacks.of(w, 4, 4, copy, 9, 2); // another key: its own pack
        assertThat(made[0]).isEqualTo(2);
        w[2] = -0f; // one bit
        assertThat(WeightPacks.of(w, 4, 4, copy, 9, 1)).containsExactly(1f, 2f, -0f, 4f);
        assertThat(made[0]).isEqualTo(3);
        float[] other = w.clone(); // equal values, another array: its own copy
        WeightPacks.of(other, 4, 4, copy, 9, 1);
        assertThat(made[0]).isEqualTo(4);
    }

    /** Shapes that take the channels-last, the direct and the flipped-weights paths. */
    private static final int[][] SHAPES = { // n, ci, h, co, k, stride, pad
        {3, 32, 8, 64, 3, 1, 1}, // channels-last forward and input gradient
        {3, 32, 9, 64, 3, 2, 1}, // channels-last, strided (four phases)
        {2, 20, 16, 20, 3, 1, 1}, // direct; input gradient through the flipped weights
        {2, 20, 17, 40, 3, 2, 1} // direct, strided
    };

    @Test
    void convolutionsSeeWeightsChangedInPlace() {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] s : SHAPES) {
            int n = s[0], ci = s[1], h = s[2], co = s[3], k = s[4], st = s[5], pad = s[6];
            int ho = (h + 2 * pad - k) / st + 1;
            float[] x = ConvAsserts.rand(r, n * ci * h * h),
                    w = ConvAsserts.rand(r, co * ci * k * k),
                    dy = ConvAsserts.rand(r, n * co * ho * ho);
            for (int change = 0; change < 6; change++) {
                if (change % 3 == 1) w[w.length / 2] += 0.5f; // one weight
                if (change % 3 == 2) for (int i = 0; i < w.length; i++) w[i] *= -0.75f; // all
                // changes 3–5 under a promise made after the change (as ARM's f_cur after step A)
                WeightPacks.Held held = change >= 3 ? WeightPacks.hold(w) : null;
                for (int rep = 0; rep < 2; rep++) { // the second call reuses the packs
                    String what =
                            "n ci h co k s p " + java.util.Arrays.toString(s) + " change " + change;
                    float[] y = new float[n * co * ho * ho], yRef = y.clone();
                    CpuConv.forward(x, w, y, n, ci, h, h, co, k, k, st, pad);
                    ConvRef.forward(x, w, yRef, n, ci, h, h, co, k, k, st, pad);
                    ConvAsserts.close(what + " forward", "reused packs", y, yRef);
                    float[] dx = new float[x.length], dxRef = dx.clone();
                    CpuConv.backwardInput(dy, w, dx, n, ci, h, h, co, k, k, st, pad);
                    ConvRef.backwardInput(dy, w, dxRef, n, ci, h, h, co, k, k, st, pad);
                    ConvAsserts.close(what + " input gradient", "reused packs", dx, dxRef);
                    WeightPacks.reuse(false);
                    float[] yFresh = new float[y.length], dxFresh = new float[dx.length];
                    CpuConv.forward(x, w, yFresh, n, ci, h, h, co, k, k, st, pad);
                    CpuConv.backwardInput(dy, w, dxFresh, n, ci, h, h, co, k, k, st, pad);
                    WeightPacks.reuse(true);
                    assertThat(y).as(what).isEqualTo(yFresh);
                    assertThat(dx).as(what).isEqualTo(dxFresh);
                }
                WeightPacks.release(held);
            }
        }
    }
}
