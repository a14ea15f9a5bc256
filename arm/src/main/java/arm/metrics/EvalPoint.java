package arm.metrics;

/**
 * One evaluation of f_cur (ALGORITHM.md §6), taken at the top of iteration t before training on
 * batch t.
 *
 * @param t iteration
 * @param seenClasses labels of batches 0 … t−1 (sorted)
 * @param lastTask task of batch t−1 (−1 at t = 0)
 * @param valPerClass correct / max(1, count) per class on val
 * @param testPerClass the same on test
 * @param valPooled pooled accuracy on val
 * @param testPooled pooled accuracy on test
 */
public record EvalPoint(
        int t,
        int[] seenClasses,
        int lastTask,
        double[] valPerClass,
        double[] testPerClass,
        double valPooled,
        double testPooled) {}
