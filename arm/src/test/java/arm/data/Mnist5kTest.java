package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The MNIST-5k protocol on small synthetic data (no files needed). Each synthetic image holds its
 * source index in pixels 0–1, so samples can be traced through the splits.
 */
class Mnist5kTest {
    static final int K = 6, CPT = 2, PER_CLASS = 20;
    // per-class counts chosen so that tasks differ in size; task sizes 54, 63, 76
    static final int[] COUNTS = {26, 28, 30, 33, 36, 40};
    static final Mnist5k.Config CFG = new Mnist5k.Config(CPT, 0.95, PER_CLASS, 10, 1, false, false);

    static Dataset synthetic() {
        int n = Arrays.stream(COUNTS).sum();
        int[] labels = new int[n];
        int[] left = COUNTS.clone();
        for (int i = 0; i < n; ) // interleaved, so file order is not class order
        for (int c = 0; c < K; c++) if (left[c]-- > 0) labels[i++] = c;
        byte[] px = new byte[n * 4];
        for (int i = 0; i < n; i++) {
            px[4 * i] = (byte) i;
            px[4 * i + 1] = (byte) (i >> 8);
            px[4 * i + 2] = (byte) labels[i];
        }
        return new Dataset("synthetic", px, labels, new int[] {4});
    }

    static int sourceIndex(Dataset d, int i) {
        return (d.pixels()[4 * i] & 0xFF) | (d.pixels()[4 * i + 1] & 0xFF) << 8;
    }

    static Set<Integer> sources(Dataset d) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < d.size(); i++) s.add(sourceIndex(d, i));
        return s;
    }

    static int expectedVal(int taskSize) {
        return taskSize - (int) Math.floor(taskSize * 0.95);
    }

    final Dataset all = synthetic();
    final Dataset test = all.subset("test", new int[] {0, 1, 2, 3, 4});

    @Test
    void sizesAndClassBalance() {
        ContinualData d = Mnist5k.build(all, test, K, 7, CFG);
        assertThat(d.train().size()).isEqualTo(K * PER_CLASS);
        assertThat(d.stream()).hasSize(K * PER_CLASS);
        int[] perClass = new int[K];
        for (int y : d.train().labels()) perClass[y]++;
        assertThat(perClass).containsOnly(PER_CLASS);
        int valSize = expectedVal(54) + expectedVal(63) + expectedVal(76);
        assertThat(d.val().size()).isEqualTo(valSize);
        assertThat(d.test()).isSameAs(test);
        assertThat(d.numTasks()).isEqualTo(3);
        assertThat(d.numBatches()).isEqualTo(12);
        assertThat(d.batchesPerTask()).isEqualTo(4);
    }

    @Test
    void streamIsTaskBlocksInOrderAndEveryBatchHoldsOneTask() {
        ContinualData d = Mnist5k.build(all, test, K, 7, CFG);
        for (int t = 0; t < d.numBatches(); t++) {
            int[] y = d.train().labels(d.batch(t));
            int task = t / d.batchesPerTask();
            for (int label : y) assertThat(d.taskOf(label)).as("batch %d", t).isEqualTo(task);
        }
        // the within-task order is random, not file order and not class-sorted
        int[] firstBlock = Arrays.copyOf(d.stream(), 2 * PER_CLASS);
        int[] src = Arrays.stream(firstBlock).map(i -> sourceIndex(d.train(), i)).toArray();
        int[] sortedSrc = src.clone();
        Arrays.sort(sortedSrc);
        assertThat(src).isNotEqualTo(sortedSrc);
    }

    @Test
    void valPerTaskSizesAndMembership() {
        ContinualData d = Mnist5k.build(all, test, K, 3, CFG);
        int[] perTask = new int[3];
        for (int y : d.val().labels()) perTask[y / CPT]++;
        assertThat(perTask).containsExactly(expectedVal(54), expectedVal(63), expectedVal(76));
    }

    @Test
    void sharedSplitIsDisjointAndAdvancedSplitIsNot() {
        Mnist5k.Config shared = CFG.withSharedValSplit(true);
        int overlapAdvanced = 0;
        for (long seed = 0; seed < 20; seed++) {
            ContinualData s = Mnist5k.build(all, test, K, seed, shared);
            Set<Integer> tr = sources(s.train());
            for (int v : sources(s.val())) assertThat(tr).doesNotContain(v);
            ContinualData a = Mnist5k.build(all, test, K, seed, CFG);
            // same seed, same training permutation: the training set is identical in both modes
            assertThat(a.train().pixels()).isEqualTo(s.train().pixels());
            Set<Integer> trA = sources(a.train());
            for (int v : sources(a.val())) if (trA.contains(v)) overlapAdvanced++;
        }
        assertThat(overlapAdvanced).isPositive();
    }

    /**
     * The whole recipe spelled out step by step against the same generator: task pool = class 2k
     * then class 2k+1 in file order; 3 training permutations, then 3 val permutations; train =
     * first 20 per class in the permuted train cut, in permuted order; val = tails of the second
     * permutations.
     */
    @Test
    void followsTheRecipeExactly() {
        long seed = 11;
        ContinualData d = Mnist5k.build(all, test, K, seed, CFG);
        SplittableRandom rng = new SplittableRandom(seed ^ Mnist5k.DATA_SALT);
        int[][] pools = new int[3][];
        for (int k = 0; k < 3; k++) {
            List<Integer> pool = new ArrayList<>();
            for (int c = 2 * k; c < 2 * k + 2; c++)
                for (int i = 0; i < all.size(); i++) if (all.labels()[i] == c) pool.add(i);
            pools[k] = pool.stream().mapToInt(Integer::intValue).toArray();
        }
        int[][] trainPerm = new int[3][], valPerm = new int[3][];
        for (int k = 0; k < 3; k++) trainPerm[k] = Mnist5k.permutation(rng, pools[k].length);
        for (int k = 0; k < 3; k++) valPerm[k] = Mnist5k.permutation(rng, pools[k].length);
        List<Integer> expectTrain = new ArrayList<>(), expectVal = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            int n = pools[k].length, cut = (int) Math.floor(n * 0.95);
            int[] kept = new int[K];
            for (int i = 0; i < cut; i++) {
                int src = pools[k][trainPerm[k][i]];
                if (kept[all.labels()[src]]++ < PER_CLASS) expectTrain.add(src);
            }
            for (int i = cut; i < n; i++) expectVal.add(pools[k][valPerm[k][i]]);
        }
        List<Integer> gotTrain = new ArrayList<>(), gotVal = new ArrayList<>();
        for (int i : d.stream()) gotTrain.add(sourceIndex(d.train(), i));
        for (int i = 0; i < d.val().size(); i++) gotVal.add(sourceIndex(d.val(), i));
        assertThat(gotTrain).isEqualTo(expectTrain);
        assertThat(gotVal).isEqualTo(expectVal);
    }

    @Test
    void seededAndDeterministic() {
        ContinualData a = Mnist5k.build(all, test, K, 5, CFG),
                b = Mnist5k.build(all, test, K, 5, CFG);
        ContinualData c = Mnist5k.build(all, test, K, 6, CFG);
        assertThat(a.train().pixels()).isEqualTo(b.train().pixels());
        assertThat(a.val().pixels()).isEqualTo(b.val().pixels());
        assertThat(a.train().pixels()).isNotEqualTo(c.train().pixels());
    }

    @Test
    void stationaryIsOneShuffledPassOverTheSameSamples() {
        ContinualData cont = Mnist5k.build(all, test, K, 9, CFG);
        ContinualData stat = Mnist5k.build(all, test, K, 9, CFG.withStationary(true));
        assertThat(stat.train().pixels()).isEqualTo(cont.train().pixels());
        assertThat(stat.val().pixels()).isEqualTo(cont.val().pixels());
        int[] sorted = stat.stream().clone();
        Arrays.sort(sorted);
        assertThat(sorted).isEqualTo(cont.stream());
        assertThat(stat.stream()).isNotEqualTo(cont.stream());
        // the first batch mixes tasks with overwhelming probability; check over seeds
        boolean mixed = false;
        for (long seed = 0; seed < 5 && !mixed; seed++) {
            ContinualData s = Mnist5k.build(all, test, K, seed, CFG.withStationary(true));
            int[] y = s.train().labels(s.batch(0));
            mixed = Arrays.stream(y).map(l -> l / CPT).distinct().count() > 1;
        }
        assertThat(mixed).isTrue();
    }

    @Test
    void taskRepeatsRepeatEachBlockInTheSameOrder() {
        Mnist5k.Config three = new Mnist5k.Config(CPT, 0.95, PER_CLASS, 10, 3, false, false);
        ContinualData d = Mnist5k.build(all, test, K, 1, three);
        int block = CPT * PER_CLASS;
        assertThat(d.stream()).hasSize(3 * K * PER_CLASS);
        for (int k = 0; k < 3; k++)
            for (int r = 1; r < 3; r++)
                assertThat(
                                Arrays.copyOfRange(
                                        d.stream(), (3 * k + r) * block, (3 * k + r + 1) * block))
                        .isEqualTo(
                                Arrays.copyOfRange(d.stream(), 3 * k * block, (3 * k + 1) * block));
    }

    static int[] block(ContinualData d, int k, int size) {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) out[i] = sourceIndex(d.train(), d.stream()[k * size + i]);
        return out;
    }

    @Test
    void shuffledStreamHasTheArmSamplesInAnotherOrderPerBlock() {
        int size = CPT * PER_CLASS;
        boolean reordered = false;
        for (long seed = 0; seed < 4; seed++) {
            ContinualData arm = Mnist5k.build(all, test, K, seed, CFG);
            ContinualData sh =
                    Mnist5k.build(all, test, K, seed, CFG.withStream(Mnist5k.Stream.SHUFFLED));
            assertThat(sh.val().pixels()).isEqualTo(arm.val().pixels());
            for (int k = 0; k < K / CPT; k++) {
                int[] a = block(arm, k, size), b = block(sh, k, size);
                reordered |= !Arrays.equals(a, b);
                Arrays.sort(a);
                Arrays.sort(b);
                assertThat(b).isEqualTo(a);
            }
        }
        assertThat(reordered).isTrue();
    }

    /**
     * The MIR code's split: per task, one permutation for every run; train pool and val disjoint.
     */
    @Test
    void mirStreamDrawsAFreshSubsetPerRunFromAFixedSplit() {
        Mnist5k.Config mir = CFG.withStream(Mnist5k.Stream.MIR);
        int size = CPT * PER_CLASS + 10; // one batch more than the ARM block, as their loop takes
        assertThat(mir.samplesPerTask()).isEqualTo(size);
        ContinualData a = Mnist5k.build(all, test, K, 1, mir),
                b = Mnist5k.build(all, test, K, 2, mir);
        assertThat(a.stream()).hasSize(3 * size);
        assertThat(a.batchesPerTask()).isEqualTo(size / 10);
        assertThat(a.val().pixels()).isEqualTo(b.val().pixels()); // the same val for every run
        assertThat(a.val().size()).isEqualTo(expectedVal(54) + expectedVal(63) + expectedVal(76));
        assertThat(a.train().pixels()).isNotEqualTo(b.train().pixels());
        Set<Integer> val = sources(a.val());
        for (ContinualData d : List.of(a, b))
            for (int k = 0; k < 3; k++) {
                int[] blk = block(d, k, size);
                assertThat(Arrays.stream(blk).distinct().count()).isEqualTo(size);
                for (int src : blk) {
                    assertThat(all.labels()[src] / CPT).isEqualTo(k);
                    assertThat(val).doesNotContain(src);
                }
            }
    }

    /** Every train-pool sample of a task is drawn with probability size/cut (a uniform subset). */
    @Test
    void mirStreamSubsetIsUniformOverTheTrainPool() {
        Mnist5k.Config mir =
                new Mnist5k.Config(CPT, 0.95, 5, 10, 1, false, false, Mnist5k.Stream.MIR);
        int size = mir.samplesPerTask(),
                runs = 600; // 20 of task 0's train pool of floor(54·0.95) = 51
        int[] hits = new int[all.size()];
        int lastIsClass1 = 0;
        for (long seed = 0; seed < runs; seed++) {
            ContinualData d = Mnist5k.build(all, test, K, seed, mir);
            int[] blk = block(d, 0, size);
            for (int src : blk) hits[src]++;
            lastIsClass1 += all.labels()[blk[size - 1]];
        }
        Set<Integer> val = sources(Mnist5k.build(all, test, K, 0, mir).val());
        double p = size / 51.0, sd = Math.sqrt(runs * p * (1 - p));
        for (int i = 0; i < all.size(); i++) {
            if (all.labels()[i] / CPT != 0) continue;
            if (val.contains(i)) assertThat(hits[i]).isZero();
            else assertThat((double) hits[i]).isCloseTo(runs * p, Offset.offset(5 * sd));
        }
        // the order is uniform too: the block's last sample is class 1 about 28/54 of the time
        assertThat(lastIsClass1 / (double) runs).isBetween(0.35, 0.70);
    }

    @Test
    void rejectsImpossibleConfigurations() {
        Mnist5k.Config tooMany = new Mnist5k.Config(CPT, 0.95, 30, 10, 1, false, false);
        assertThatThrownBy(() -> Mnist5k.build(all, test, K, 0, tooMany))
                .hasMessageContaining("class 0 has only")
                .hasMessageContaining("30 needed");
        Mnist5k.Config ragged = new Mnist5k.Config(CPT, 0.95, 7, 10, 1, false, false);
        assertThatThrownBy(() -> Mnist5k.build(all, test, K, 0, ragged))
                .hasMessageContaining("not a whole number of batches");
        assertThatThrownBy(() -> Mnist5k.build(all, test, 5, 0, CFG))
                .hasMessageContaining("do not split");
        assertThatThrownBy(() -> new Mnist5k.Config(2, 1.0, 1, 1, 1, false, false))
                .hasMessageContaining("trainFraction");
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = Mnist5k.permutation(new SplittableRandom(1), 1000);
        int[] s = p.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length; i++) assertThat(s[i]).isEqualTo(i);
        assertThat(p).isNotEqualTo(s);
    }
}
