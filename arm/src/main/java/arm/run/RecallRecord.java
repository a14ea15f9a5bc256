package arm.run;

import java.util.List;

/**
 * What a recall method recorded during one run (ALGORITHM.md §8, the data of Figs. 2 and 3).
 *
 * @param itemShape shape of one image ({784} for MNIST, {3, 32, 32}, {3, 84, 84})
 * @param numClasses K
 * @param t the recall iterations, ascending (t ≥ recall_from_t)
 * @param meanProbs [recall iteration][K]: batch mean of softmax(f_old(X̂)) on the final recalled
 *     batch of iteration t, averaged over the R rounds (the authors' aux_y_probs)
 * @param pairs recalled images with the real images they were initialised from
 */
public record RecallRecord(
        int[] itemShape, int numClasses, int[] t, float[][] meanProbs, List<Pair> pairs) {

    public RecallRecord {
        if (t.length != meanProbs.length)
            throw new IllegalArgumentException(
                    t.length + " iterations but " + meanProbs.length + " rows");
        pairs = List.copyOf(pairs);
    }

    /**
     * One recalled image x̂ and the real image it started from.
     *
     * @param t iteration
     * @param originator label of the real image (the paper's "class 1")
     * @param target argmax of f_old(x̂) (the class x̂ is trained toward, "class 2")
     * @param probability softmax(f_old(x̂))[target]
     * @param initial the real image, flat, values as the model saw them
     * @param recalled x̂ after the S refinement steps, flat (not clamped: any range)
     */
    public record Pair(
            int t,
            int originator,
            int target,
            float probability,
            float[] initial,
            float[] recalled) {}
}
