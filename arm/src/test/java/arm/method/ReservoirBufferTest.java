package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The reservoir buffer of ER / ER-MIR (ALGORITHM.md §12.1). */
class ReservoirBufferTest {

    /** A batch of n two-pixel images whose pixels encode the sample id (id % 256, id / 256). */
    static Tensor images(int first, int n) {
        float[] v = new float[2 * n];
        for (int i = 0; i < n; i++) {
            v[2 * i] = ((first + i) % 256) / 255f;
            v[2 * i + 1] = ((first + i) / 256) / 255f;
        }
        return Tensor.of(v, n, 2);
    }

    static int[] labels(int n, int label) {
        int[] y = new int[n];
        Arrays.fill(y, label);
        return y;
    }

    /** Sample ids in the buffer after a stream of n samples in batches of 10, by slot. */
    static int[] stream(ReservoirBuffer b, int n, SplittableRandom rng) {
        int[] occupant = new int[b.capacity];
        for (int first = 0; first < n; first += 10) {
            int[] slots = b.add(images(first, 10), labels(10, 0), 0, rng);
            for (int i = 0; i < 10; i++) if (slots[i] >= 0) occupant[slots[i]] = first + i;
        }
        return occupant;
    }

    @Test
    void fillsFreeSlotsInOrderThenReplaces() {
        ReservoirBuffer b = new ReservoirBuffer(25, new int[] {2}, ReservoirBuffer.Rule.EXACT);
        SplittableRandom rng = new SplittableRandom(1);
        assertThat(b.add(images(0, 10), labels(10, 3), 0, rng))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(b.add(images(10, 10), labels(10, 4), 1, rng))
                .containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        // stored images come back exactly, with their labels and tasks
        float[] expect = new float[6];
        System.arraycopy(images(0, 1).toArray(), 0, expect, 0, 2);
        System.arraycopy(images(9, 1).toArray(), 0, expect, 2, 2);
        System.arraycopy(images(17, 1).toArray(), 0, expect, 4, 2);
        assertThat(b.images(new int[] {0, 9, 17}).toArray()).containsExactly(expect);
        assertThat(b.labels(new int[] {0, 9, 17})).containsExactly(3, 3, 4);
        assertThat(b.task(9)).isZero();
        assertThat(b.task(17)).isEqualTo(1);
        // the third batch fills the last 5 slots, then its other 5 samples replace at random or go
        int[] third = b.add(images(20, 10), labels(10, 4), 1, rng);
        for (int i = 0; i < 5; i++)
            assertThat(third[i]).isIn(20 + i, -1); // −1: a later sample took it
        for (int i = 5; i < 10; i++) assertThat(third[i]).isBetween(-1, 24);
        assertThat(b.size()).isEqualTo(25);
        assertThat(b.seen()).isEqualTo(30);
    }

    /**
     * Two samples of one batch that draw the same slot: the later one holds it, the earlier reports
     * −1.
     */
    @Test
    void laterSampleOfABatchWinsASharedSlot() {
        for (long seed = 0; seed < 200; seed++) {
            ReservoirBuffer b = new ReservoirBuffer(2, new int[] {2}, ReservoirBuffer.Rule.EXACT);
            SplittableRandom rng = new SplittableRandom(seed);
            b.add(images(0, 2), labels(2, 0), 0, rng);
            int[] slots = b.add(images(2, 10), labels(10, 1), 0, rng);
            Set<Integer> used = new HashSet<>();
            for (int i = 9; i >= 0; i--) if (slots[i] >= 0) assertThat(used.add(slots[i])).isTrue();
            for (int s : used) {
                int holder = -1;
                for (int i = 0; i < 10; i++) if (slots[i] == s) holder = i;
                assertThat(b.images(new int[] {s}).toArray())
                        .containsExactly(images(2 + holder, 1).toArray());
            }
        }
    }

    @Test
    void keepsEachSeenSampleWithProbabilityCapacityOverN() {
        int capacity = 50, n = 1000, trials = 4000;
        SplittableRandom rng = new SplittableRandom(20240611);
        int[] kept = new int[n];
        for (int r = 0; r < trials; r++)
            for (int id :
                    stream(
                            new ReservoirBuffer(
                                    capacity, new int[] {2}, ReservoirBuffer.Rule.EXACT),
                            n,
                            rng)) kept[id]++;
        double p = (double) capacity / n, sd = Math.sqrt(p * (1 - p) / trials);
        for (int i = 0; i < n; i++)
            assertThat(kept[i] / (double) trials)
                    .as("sample %d", i)
                    .isCloseTo(p, Offset.offset(5 * sd));
        // the buffer's first fill, the samples just after it, and the last ones: same rate
        // (tighter)
        for (int from : new int[] {0, 50, 950}) {
            double mean = Arrays.stream(kept, from, from + 50).sum() / (50.0 * trials);
            assertThat(mean)
                    .as("samples %d..%d", from, from + 49)
                    .isCloseTo(p, Offset.offset(4 * sd / Math.sqrt(50)));
        }
    }

    /**
     * The MIR code's rule draws every remaining sample of a batch against the count before it. Its
     * inclusion probability, derived by hand: sample i (past the first fill, batch remainder
     * starting at s_i) enters with probability capacity/s_i and survives each later sample k with
     * probability 1 − 1/s_k.
     */
    @Test
    void mirRuleKeepsSamplesWithItsOwnProbabilities() {
        int capacity = 20, n = 200, trials = 20000;
        double[] expect = new double[n];
        for (int i = 0; i < n; i++) {
            double p = i < capacity ? 1 : (double) capacity / start(i, capacity);
            for (int k = Math.max(i + 1, capacity); k < n; k++) p *= 1 - 1.0 / start(k, capacity);
            expect[i] = p;
        }
        assertThat(expect[capacity] / expect[n - 1]).isLessThan(0.9); // differs from capacity/n
        SplittableRandom rng = new SplittableRandom(7);
        int[] kept = new int[n];
        for (int r = 0; r < trials; r++)
            for (int id :
                    stream(
                            new ReservoirBuffer(capacity, new int[] {2}, ReservoirBuffer.Rule.MIR),
                            n,
                            rng)) kept[id]++;
        for (int i = 0; i < n; i++) {
            double sd = Math.sqrt(expect[i] * (1 - expect[i]) / trials) + 1e-12;
            assertThat(kept[i] / (double) trials)
                    .as("sample %d", i)
                    .isCloseTo(expect[i], Offset.offset(5 * sd));
        }
    }

    /**
     * n_seen the MIR rule draws against for sample k: the start of its batch, or capacity if the
     * batch filled the buffer.
     */
    private static int start(int k, int capacity) {
        return Math.max(k / 10 * 10, capacity);
    }

    @Test
    void replayPoolIsPastTasksOnlyAndChoiceIsDistinct() {
        ReservoirBuffer b = new ReservoirBuffer(12, new int[] {2}, ReservoirBuffer.Rule.EXACT);
        SplittableRandom rng = new SplittableRandom(3);
        b.add(images(0, 4), labels(4, 0), 0, rng);
        b.add(images(4, 4), labels(4, 2), 1, rng);
        b.add(images(8, 4), labels(4, 4), 2, rng);
        assertThat(b.pastSlots(1)).containsExactly(0, 1, 2, 3, 8, 9, 10, 11);
        assertThat(b.pastSlots(2)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(b.pastSlots(3)).hasSize(12);
        // a pool no larger than the request comes back whole, in order
        assertThat(ReservoirBuffer.choose(5, 10, rng)).containsExactly(0, 1, 2, 3, 4);
        assertThat(ReservoirBuffer.choose(0, 10, rng)).isEmpty();
        // otherwise k distinct positions, every position equally likely
        int[] hits = new int[8];
        for (int r = 0; r < 20000; r++) {
            int[] c = ReservoirBuffer.choose(8, 3, rng);
            Set<Integer> distinct = new HashSet<>();
            for (int x : c) {
                assertThat(distinct.add(x)).isTrue();
                hits[x]++;
            }
        }
        for (int h : hits) assertThat(h / 60000.0).isCloseTo(1 / 8.0, Offset.offset(0.01));
        // replayed slots hold past tasks only
        for (int slot : ER.slots(b.pastSlots(1), ReservoirBuffer.choose(8, 3, rng)))
            assertThat(b.task(slot)).isNotEqualTo(1);
    }

    @Test
    void rejectsImagesThatAreNotUint8() {
        ReservoirBuffer b = new ReservoirBuffer(4, new int[] {2}, ReservoirBuffer.Rule.EXACT);
        assertThatThrownBy(
                        () ->
                                b.add(
                                        Tensor.of(new float[] {0.5f, 0.1234f}, 1, 2),
                                        new int[] {0},
                                        0,
                                        new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k/255");
        assertThatThrownBy(
                        () ->
                                b.add(
                                        Tensor.of(new float[3], 1, 3),
                                        new int[] {0},
                                        0,
                                        new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 values");
        assertThatThrownBy(() -> new ReservoirBuffer(0, new int[] {2}, ReservoirBuffer.Rule.EXACT))
                .hasMessageContaining("positive");
    }
}
