package arm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.method.ContinualMethod;
import arm.method.Synthetic;
import org.junit.jupiter.api.Test;

/**
 * rng = authors: the order in which ARM and ADI take numpy's draws (ARM.py L270–276, ADI.py
 * L258–282), replayed here by hand on a synthetic stream: after the val and test objects' shuffles,
 * each iteration t ≥ recall_from_t draws ADI's classes (when some past class is absent from the
 * batch) and then the rows of round 0 (every round with from_scratch).
 */
class NumpyDrawsTest {
    static final ContinualData DATA =
            Synthetic.data(3, 6, 2, 10, 12, 5); // 3 tasks of 4 batches of 5

    @Test
    void armTakesOneRowChoicePerRecallIteration() {
        NumpyDraws d = NumpyDraws.of(DATA, 4, 7, 2, false, false, true);
        NumpyRandom np = start();
        for (int t = 4; t < DATA.numBatches(); t++)
            assertThat(d.rows(t, 0)).as("t %d", t).containsExactly(np.choice(5, 7));
    }

    @Test
    void fromScratchDrawsEveryRound() {
        NumpyDraws d = NumpyDraws.of(DATA, 4, 5, 2, true, false, true);
        NumpyRandom np = start();
        for (int t = 4; t < DATA.numBatches(); t++)
            for (int r = 0; r < 2; r++) assertThat(d.rows(t, r)).containsExactly(np.choice(5, 5));
    }

    @Test
    void adiDrawsClassesFirstAndSkipsBatchesWithoutPastClasses() {
        NumpyDraws d = NumpyDraws.of(DATA, 2, 5, 1, false, true, true);
        NumpyRandom np = start();
        boolean[] seen = new boolean[DATA.numClasses()];
        int recalled = 0;
        for (int t = 0; t < DATA.numBatches(); t++) {
            int[] y = DATA.train().labels(DATA.batch(t));
            boolean[] cand = seen.clone();
            for (int c : y) cand[c] = false;
            int n = ContinualMethod.indices(cand).length;
            if (t >= 2 && n > 0) {
                assertThat(d.classes(t)).containsExactly(np.choice(n, 5));
                assertThat(d.rows(t, 0)).containsExactly(np.choice(5, 5));
                recalled++;
            }
            for (int c : y) seen[c] = true;
        }
        assertThat(recalled)
                .isGreaterThanOrEqualTo(DATA.numBatches() - 4); // every batch after task 0
    }

    @Test
    void noiseStartsDrawNoRows() {
        NumpyDraws d = NumpyDraws.of(DATA, 4, 5, 1, false, false, false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.rows(5, 0))
                .hasMessageContaining("t = 5");
    }

    private static NumpyRandom start() {
        NumpyRandom np = new NumpyRandom(0);
        np.permutation(DATA.val().size());
        np.permutation(DATA.test().size());
        return np;
    }
}
