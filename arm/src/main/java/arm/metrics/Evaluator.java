package arm.metrics;

import arm.data.Dataset;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.function.Function;

/**
 * Accuracy of a classifier on a dataset (ALGORITHM.md §6.2): prediction = argmax over all K logits
 * (the single head), per-class accuracy = correct_c / max(1, count_c), pooled accuracy = correct /
 * n.
 *
 * <p>The model is any function images [B, ...itemShape] → logits [B, K]; the caller puts it in eval
 * mode and disables gradients. Batches are large (default 1000): in eval mode a sample's logits do
 * not depend on its batch-mates, so the batch size changes only the speed.
 */
public final class Evaluator {

    /** Default evaluation batch size. */
    public static final int BATCH = 1000;

    /**
     * @param perClass correct_c / max(1, count_c) for c in 0..K−1
     * @param pooled correct / n over all samples (0 for an empty set)
     */
    public record Accuracy(double[] perClass, double pooled) {}

    private Evaluator() {}

    public static Accuracy evaluate(Function<Tensor, Tensor> model, Dataset data, int numClasses) {
        return evaluate(model, data, numClasses, BATCH);
    }

    public static Accuracy evaluate(
            Function<Tensor, Tensor> model, Dataset data, int numClasses, int batchSize) {
        return evaluateRows(rows(model, numClasses), data, numClasses, batchSize);
    }

    /**
     * A tensor model as a {@link RowLogits}: items [start, start + b) as one batch tensor, and its
     * logits checked to be b × K.
     */
    public static RowLogits rows(Function<Tensor, Tensor> model, int numClasses) {
        return (d, start, b) -> {
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) idx[i] = start + i;
            Tensor logits = model.apply(d.batch(idx));
            if (logits.rank() != 2 || logits.dim(0) != b || logits.dim(1) != numClasses)
                throw new IllegalStateException(
                        d.name()
                                + ": model returned logits "
                                + Shape.str(logits.shape)
                                + " for a batch of "
                                + b
                                + " with K = "
                                + numClasses);
            return logits.toArray();
        };
    }

    /**
     * A model that computes the logits of items [start, start + b) of a dataset itself (e.g. from
     * the dataset's bytes, without a batch tensor): b·K floats, row-major, read before the next
     * call (so they may live in an array the model reuses).
     */
    public interface RowLogits {
        float[] logits(Dataset data, int start, int b);
    }

    /** {@link #evaluate} for a {@link RowLogits} model. */
    public static Accuracy evaluateRows(
            RowLogits model, Dataset data, int numClasses, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size " + batchSize);
        int n = data.size();
        int[] predicted = new int[n];
        for (int start = 0; start < n; start += batchSize) {
            int b = Math.min(batchSize, n - start);
            float[] z = model.logits(data, start, b);
            for (int i = 0; i < b; i++)
                predicted[start + i] = argmax(z, i * numClasses, numClasses);
        }
        return accuracy(data, predicted, numClasses);
    }

    /** Per-class and pooled accuracy of the predicted classes of every item of data. */
    static Accuracy accuracy(Dataset data, int[] predicted, int numClasses) {
        long[] correct = new long[numClasses], count = new long[numClasses];
        int n = data.size();
        for (int i = 0; i < n; i++) {
            int y = data.labels()[i];
            if (y < 0 || y >= numClasses)
                throw new IllegalArgumentException(
                        data.name()
                                + ": label "
                                + y
                                + " of item "
                                + i
                                + " outside 0.."
                                + (numClasses - 1));
            count[y]++;
            if (predicted[i] == y) correct[y]++;
        }
        double[] perClass = new double[numClasses];
        long total = 0;
        for (int c = 0; c < numClasses; c++) {
            perClass[c] = (double) correct[c] / Math.max(1, count[c]);
            total += correct[c];
        }
        return new Accuracy(perClass, n == 0 ? 0 : (double) total / n);
    }

    /** Index of the largest of z[off .. off+k); the first one on ties; NaN never wins. */
    static int argmax(float[] z, int off, int k) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            if (z[off + j] > bestValue) {
                bestValue = z[off + j];
                best = j;
            }
        }
        return best;
    }

    /** An {@link EvalPoint} from the val and test accuracies taken at iteration t. */
    public static EvalPoint point(
            int t, int[] seenClasses, int lastTask, Accuracy val, Accuracy test) {
        return new EvalPoint(
                t,
                seenClasses.clone(),
                lastTask,
                val.perClass(),
                test.perClass(),
                val.pooled(),
                test.pooled());
    }
}
