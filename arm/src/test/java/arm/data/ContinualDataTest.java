package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ContinualData#firstTasks}, checked by hand on a benchmark of 3 tasks × 2 classes. */
class ContinualDataTest {

    /** 12 one-byte images, pixel = index, labels 0 … 5 twice. */
    private static final Dataset TRAIN =
            new Dataset(
                    "train",
                    new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                    new int[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5},
                    new int[] {1});

    private static final Dataset TEST =
            new Dataset(
                    "test",
                    new byte[] {20, 21, 22, 23, 24, 25},
                    new int[] {5, 4, 3, 2, 1, 0},
                    new int[] {1});

    /** Task blocks of 4 (batch 2, T = 2): task k holds labels 2k and 2k+1. */
    private static ContinualData blocks() {
        int[] stream = {0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11};
        return new ContinualData(TRAIN, stream, TEST, TEST, 6, 2, 2);
    }

    @Test
    void keepsTheFirstTaskBlocksTheirClassesAndASmallerHead() {
        ContinualData d = blocks().firstTasks(2);
        assertThat(d.numClasses()).isEqualTo(4);
        assertThat(d.numTasks()).isEqualTo(2);
        assertThat(d.stream()).hasSize(8);
        assertThat(d.numBatches()).isEqualTo(4);
        assertThat(d.batchesPerTask()).isEqualTo(2);
        // the same images in the same order: train images 0, 1, 6, 7, 2, 3, 8, 9
        int[] pixels = new int[8];
        for (int i = 0; i < 8; i++) pixels[i] = d.train().pixels()[d.stream()[i]];
        assertThat(pixels).containsExactly(0, 1, 6, 7, 2, 3, 8, 9);
        assertThat(d.train().labels(d.stream())).containsExactly(0, 1, 0, 1, 2, 3, 2, 3);
        assertThat(d.train().size()).isEqualTo(8);
        assertThat(d.train().labels()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
        assertThat(d.test().labels()).containsExactly(3, 2, 1, 0);
        assertThat(d.test().pixels()).containsExactly(22, 23, 24, 25);
        assertThat(d.val().labels()).containsExactly(3, 2, 1, 0);
    }

    @Test
    void allTasksKeepEverything() {
        ContinualData d = blocks().firstTasks(3);
        assertThat(d.stream()).containsExactly(blocks().stream());
        assertThat(d.numClasses()).isEqualTo(6);
        assertThat(d.test().size()).isEqualTo(6);
    }

    @Test
    void aStationaryStreamKeepsItsOrderOfTheKeptClassesInWholeBatches() {
        // one shuffled pass: 7 of its entries hold labels below 4, cut to 3 batches of 2
        int[] stream = {11, 0, 4, 7, 5, 9, 1, 10, 2, 3, 8, 5};
        ContinualData d = new ContinualData(TRAIN, stream, TEST, TEST, 6, 2, 2).firstTasks(2);
        assertThat(d.stream()).hasSize(6);
        int[] pixels = new int[6];
        for (int i = 0; i < 6; i++) pixels[i] = d.train().pixels()[d.stream()[i]];
        assertThat(pixels).containsExactly(0, 7, 9, 1, 2, 3);
    }

    @Test
    void refusesMoreTasksThanTheBenchmarkHas() {
        assertThatThrownBy(() -> blocks().firstTasks(4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first 4 tasks")
                .hasMessageContaining("of 3");
    }
}
