package arm.data;

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
}
