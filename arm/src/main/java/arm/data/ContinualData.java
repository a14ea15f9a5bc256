package arm.data;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A continual-learning benchmark arranged as the authors' code arranges it (ALGORITHM.md §4).
 *
 * @param train the training pool (order irrelevant: {@code stream} says what is visited)
 * @param stream indices into train for the whole single pass, in visit order, task blocks back to
 *     back (each block already repeated num_iterations times); batches are consecutive runs of
 *     batchSize
 * @param val validation split
 * @param test test split
 * @param numClasses K, outputs of the single head
 * @param classesPerTask task k holds labels k·cpt … k·cpt+cpt−1
 * @param batchSize N
 */
public record ContinualData(
        Dataset train,
        int[] stream,
        Dataset val,
        Dataset test,
        int numClasses,
        int classesPerTask,
        int batchSize) {

    public int numTasks() {
        return numClasses / classesPerTask;
    }

    /** max_t: number of batches in the pass. */
    public int numBatches() {
        return stream.length / batchSize;
    }

    /** T: batches per task (the lag, the recall start and the evaluation interval of the paper). */
    public int batchesPerTask() {
        return numBatches() / numTasks();
    }

    public int taskOf(int label) {
        return label / classesPerTask;
    }

    /** Train indices of batch t. */
    public int[] batch(int t) {
        int[] idx = new int[batchSize];
        System.arraycopy(stream, t * batchSize, idx, 0, batchSize);
        return idx;
    }

    /**
     * The benchmark cut to its first {@code n} tasks (a shortened run): the training stream's
     * entries whose labels are below n·classesPerTask (for the task-block stream, its first n
     * blocks; for the stationary one, its shuffle of those classes, cut to whole batches), the
     * training pool, val and test samples of those classes, and a head of n·classesPerTask outputs.
     */
    public ContinualData firstTasks(int n) {
        if (n < 1 || n > numTasks())
            throw new IllegalArgumentException(
                    "first " + n + " tasks asked of a benchmark of " + numTasks());
        int k = n * classesPerTask;
        int[] keep = below(train, k), newIndex = new int[train.size()];
        Arrays.fill(newIndex, -1);
        for (int i = 0; i < keep.length; i++) newIndex[keep[i]] = i;
        int[] s = Arrays.stream(stream).map(i -> newIndex[i]).filter(i -> i >= 0).toArray();
        s = Arrays.copyOf(s, s.length / batchSize * batchSize);
        return new ContinualData(
                train.subset(train.name(), keep),
                s,
                val.subset(val.name(), below(val, k)),
                test.subset(test.name(), below(test, k)),
                k,
                classesPerTask,
                batchSize);
    }

    /** Indices of the samples whose labels are below {@code k}, in order. */
    private static int[] below(Dataset d, int k) {
        return IntStream.range(0, d.size()).filter(i -> d.labels()[i] < k).toArray();
    }
}
