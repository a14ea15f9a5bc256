package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.fast.PacksAhead;
import arm.kernels.cpu.fast.WeightPacks;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Packs made ahead by a second thread: the served thread gets, in every epoch, the bits its packer
 * makes from the weights of that epoch (changed in place between epochs, as an SGD step does), for
 * packs of the weights and packs of those packs, whoever made each one; arrays that are not roots
 * go through the ordinary cache.
 */
class PacksAheadTest {

    @AfterEach
    void clear() {
        WeightPacks.clear();
    }

    /** out[i] = 2·src[n − 1 − i] + kind: a packing whose every output reads another input. */
    private static WeightPacks.Packer reversed(int kind, AtomicInteger made) {
        return (src, out) -> {
            made.incrementAndGet();
            for (int i = 0; i < out.length; i++) out[i] = 2 * src[out.length - 1 - i] + kind;
        };
    }

    private static float[] expected(float[] src, int kind) {
        float[] out = new float[src.length];
        reversed(kind, new AtomicInteger()).pack(src, out);
        return out;
    }

    /**
     * Five epochs of two roots, each asked for one pack and one pack of that pack, with a partner
     * thread preparing the last epoch's packs while the served thread asks (seeds fixed).
     */
    @Test
    void servedPacksAreThoseOfTheEpochsWeights() throws Exception {
        SplittableRandom rng = new SplittableRandom(11);
        float[] a = new float[37], b = new float[53];
        PacksAhead ahead = new PacksAhead();
        AtomicInteger made = new AtomicInteger();
        for (int epoch = 0; epoch < 5; epoch++) {
            for (float[] w : List.of(a, b))
                for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
            ahead.begin(List.of(a, b));
            Thread partner = new Thread(ahead::prepare);
            partner.start();
            List<float[]> got = new ArrayList<>();
            ahead.serve(
                    () -> {
                        for (float[] w : List.of(a, b)) {
                            float[] p =
                                    WeightPacks.of(
                                            w, w.length, w.length, reversed(1, made), 1, w.length);
                            float[] q =
                                    WeightPacks.of(
                                            p, p.length, p.length, reversed(2, made), 2, p.length);
                            got.add(p);
                            got.add(q);
                        }
                    });
            partner.join();
            assertThat(got.get(0)).containsExactly(expected(a, 1));
            assertThat(got.get(1)).containsExactly(expected(expected(a, 1), 2));
            assertThat(got.get(2)).containsExactly(expected(b, 1));
            assertThat(got.get(3)).containsExactly(expected(expected(b, 1), 2));
        }
        // four packs per epoch, each made once by one of the two threads
        assertThat(made.get()).isEqualTo(20);
    }

    /** After an epoch with a recorded order, prepare alone makes every pack; serving takes them. */
    @Test
    void prepareMakesTheRecordedPacksInOrder() {
        float[] w = {1f, 2f, 3f};
        PacksAhead ahead = new PacksAhead();
        AtomicInteger made = new AtomicInteger();
        ahead.begin(List.of(w));
        ahead.serve(() -> WeightPacks.of(w, 3, 3, reversed(1, made), 1, 3));
        assertThat(made.get()).isEqualTo(1);
        w[0] = 4f; // the step's update
        ahead.begin(List.of(w));
        ahead.prepare();
        assertThat(made.get()).isEqualTo(2);
        float[][] p = new float[1][];
        ahead.serve(() -> p[0] = WeightPacks.of(w, 3, 3, reversed(1, made), 1, 3));
        assertThat(made.get()).isEqualTo(2); // taken ready
        assertThat(p[0]).containsExactly(7f, 5f, 9f);
    }

    /** A root of the last epoch that is no root now is not read by prepare. */
    @Test
    void prepareSkipsArraysThatAreNoLongerRoots() {
        float[] w = {1f, 2f, 3f}, next = {4f, 5f, 6f};
        PacksAhead ahead = new PacksAhead();
        AtomicInteger made = new AtomicInteger();
        ahead.begin(List.of(w));
        ahead.serve(() -> WeightPacks.of(w, 3, 3, reversed(1, made), 1, 3));
        ahead.begin(List.of(next)); // another model's weights from now on
        ahead.prepare();
        assertThat(made.get()).isEqualTo(1);
    }

    /** Arrays that are not roots, and calls outside serve, use the thread's own cache. */
    @Test
    void otherArraysGoThroughTheCache() {
        float[] w = {1f, 2f}, other = {3f, 4f};
        PacksAhead ahead = new PacksAhead();
        AtomicInteger made = new AtomicInteger();
        ahead.begin(List.of(w));
        float[][] p = new float[2][];
        ahead.serve(() -> p[0] = WeightPacks.of(other, 2, 2, reversed(0, made), 1, 2));
        p[1] = WeightPacks.of(other, 2, 2, reversed(0, made), 1, 2);
        assertThat(p[1]).isSameAs(p[0]).containsExactly(8f, 6f);
        assertThat(made.get()).isEqualTo(1);
    }
}
