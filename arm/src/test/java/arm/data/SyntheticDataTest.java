package arm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The synthetic streams have the benchmarks' shapes: classes, tasks, image size, batches. */
class SyntheticDataTest {
    @Test
    void shapedLikeEachBenchmark() {
        check(SyntheticData.shapedLike("mnist", 1), 10, 5, new int[] {784}, 4);
        check(SyntheticData.shapedLike("cifar10", 1), 10, 5, new int[] {3, 32, 32}, 8);
        check(SyntheticData.shapedLike("miniimagenet", 1), 100, 20, new int[] {3, 84, 84}, 2);
    }

    @Test
    void unknownBenchmarkIsNamed() {
        var e =
                assertThrows(
                        IllegalArgumentException.class, () -> SyntheticData.shapedLike("svhn", 1));
        assertEquals(
                "no synthetic stream shaped like svhn (mnist, cifar10 or miniimagenet)",
                e.getMessage());
    }

    private static void check(ContinualData d, int classes, int tasks, int[] item, int perTask) {
        assertEquals(classes, d.numClasses());
        assertEquals(tasks, d.numTasks());
        assertArrayEquals(item, d.train().itemShape());
        assertEquals(perTask, d.batchesPerTask());
        assertEquals(tasks * perTask, d.numBatches());
    }
}
