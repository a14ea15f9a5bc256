package arm.run;

import arm.metrics.EvalPoint;
import arm.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Everything a run needs to continue bit-identically from the top of iteration t (after the
 * evaluation at t, if one is due, and before training on batch t). What is not here is rebuilt from
 * the seed: the data split, the model's architecture, the optimiser (plain SGD has no state;
 * gradients are zeroed before every use), and the random draws, which come from streams derived
 * from (seed, t) ({@link Draws}) and so need no saved generator state.
 *
 * @param t the next iteration to train; {@code evals} holds every evaluation at times ≤ t
 * @param complete the run has finished (t = max_t and the final evaluation is in {@code evals})
 * @param tensors f_cur's parameters and buffers ("f_cur.fc1.weight", …) and the learner's (f_old:
 *     "f_old.fc1.weight", …), by name, in module order. In a state handed to {@link
 *     Checkpointer#save} these are the live tensors: read them there (encode, copy), do not keep
 *     them
 * @param values the learner's small state (e.g. "lag.next"), by name
 * @param seenClasses labels of batches 0 … t−1, ascending
 * @param lastTask task of batch t−1 (−1 at t = 0)
 * @param evals evaluations so far, in time order
 * @param trainSeconds training wall time so far, over every process that ran it
 * @param evalSeconds evaluation wall time so far
 */
public record RunState(
        int t,
        boolean complete,
        Map<String, Tensor> tensors,
        Map<String, long[]> values,
        int[] seenClasses,
        int lastTask,
        List<EvalPoint> evals,
        double trainSeconds,
        double evalSeconds) {

    public RunState {
        // insertion order kept (Map.copyOf's order changes from JVM to JVM), so files are
        // reproducible
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        values = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(values));
        evals = List.copyOf(evals);
    }
}
