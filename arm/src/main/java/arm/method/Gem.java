package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.LossLog;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GEM, gradient episodic memory (Lopez-Paz and Ranzato 2017; the GEM code's model/gem.py on its
 * shared-head path; docs/ALGORITHM.md "GEM"). Each task k has an episodic memory of n = mem / tasks
 * samples. Per batch (X, Y) of task k:
 *
 * <pre>
 * write (X, Y) into the memory of task k      (a ring of n slots, the GEM code's rule, below)
 * iters times:
 *   for each past task j (tasks seen before k, in order):
 *     zero the gradients; backprop mean CE(f(X_j), Y_j) over all of task j's memory; G_j ← ∇
 *   zero the gradients; backprop mean CE(f(X), Y); g ← ∇
 *   if some ⟨g, G_j⟩ &lt; 0: g ← {@link GemProjection#project}(g, G, margin, ε)
 *   one SGD step along g
 * </pre>
 *
 * The ring: one write cursor c shared by all tasks (the GEM code never resets it): the first min(N,
 * n − c) samples of the batch go to slots c … of task k's memory, c advances and wraps to 0 at n. A
 * past task's memory is its filled slots (all n unless the task had fewer samples).
 *
 * <p>The memory holds indices into the training set (the images are read from it when needed); its
 * size in images is what the memory column counts. A checkpoint holds the indices, the fill counts,
 * the cursor and the tasks seen.
 */
class Gem extends ContinualMethod {
    final int mem, iters;
    final float margin, eps;

    Gem(String name, Map<String, String> defaults, Map<String, String> overrides) {
        super(name, defaults, overrides);
        mem = opts.positiveInt("mem");
        iters = opts.positiveInt("iters");
        margin = opts.nonNegative("margin");
        eps = opts.nonNegative("eps");
    }

    /** n: memory slots per task. */
    int perTask(ContinualData data) {
        int n = mem / data.numTasks();
        if (n < 1)
            throw opts.bad("mem", "at least one image per task (" + data.numTasks() + " tasks)");
        return n;
    }

    @Override
    Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        return new GemLearner(fCur, opt, data);
    }

    final class GemLearner implements Learner {
        private final Module fCur;
        private final Sgd opt;
        private final ContinualData data;
        private final int n;
        final int[][] slots; // per task: training-set indices
        final int[] filled;
        private int cursor;
        private final List<Integer> observed = new ArrayList<>();

        GemLearner(Module fCur, Sgd opt, ContinualData data) {
            this.fCur = fCur;
            this.opt = opt;
            this.data = data;
            this.n = perTask(data);
            this.slots = new int[data.numTasks()][n];
            this.filled = new int[data.numTasks()];
        }

        @Override
        public void train(Batch b) {
            int task = data.taskOf(b.y()[0]);
            if (observed.isEmpty() || observed.get(observed.size() - 1) != task) observed.add(task);
            remember(task, data.batch(b.t() % data.numBatches()));
            List<Var> params = fCur.parameters();
            List<Integer> past = observed.subList(0, observed.size() - 1);
            Var x = Var.constant(b.x());
            for (int it = 0; it < iters; it++) {
                float[][] g = new float[past.size()][];
                for (int j = 0; j < past.size(); j++) {
                    opt.zeroGrad();
                    int[] idx = Arrays.copyOf(slots[past.get(j)], filled[past.get(j)]);
                    Tensor xm = onDevice(data.train().batch(idx), device);
                    Var loss =
                            F.crossEntropy(
                                    fCur.forward(Var.constant(xm)), data.train().labels(idx));
                    LossLog.add(LossLog.STEP_B, loss);
                    Autograd.backward(loss);
                    g[j] = flatGrad(params);
                }
                opt.zeroGrad();
                Var loss = F.crossEntropy(fCur.forward(x), b.y());
                LossLog.add(LossLog.STEP_A, loss);
                Autograd.backward(loss);
                if (g.length > 0) {
                    float[] cur = flatGrad(params);
                    if (GemProjection.violates(cur, g))
                        setGrad(params, GemProjection.project(cur, g, margin, eps));
                }
                opt.step();
            }
        }

        /** The GEM code's ring write of one batch into task k's memory. */
        private void remember(int task, int[] idx) {
            int end = Math.min(cursor + idx.length, n), eff = end - cursor;
            System.arraycopy(idx, 0, slots[task], cursor, eff);
            filled[task] = Math.max(filled[task], end);
            cursor = end == n ? 0 : end;
        }

        /** "gem.slots" (task-major), "gem.filled", "gem.cursor", "gem.observed". */
        @Override
        public Map<String, long[]> stateValues() {
            Map<String, long[]> out = new LinkedHashMap<>();
            out.put(
                    "gem.slots",
                    Arrays.stream(slots).flatMapToInt(Arrays::stream).asLongStream().toArray());
            out.put("gem.filled", Arrays.stream(filled).asLongStream().toArray());
            out.put("gem.cursor", new long[] {cursor});
            out.put("gem.observed", observed.stream().mapToLong(Integer::longValue).toArray());
            return out;
        }

        @Override
        public void restoreState(Map<String, long[]> v, Map<String, Tensor> tensors) {
            long[] s = v.get("gem.slots"),
                    f = v.get("gem.filled"),
                    c = v.get("gem.cursor"),
                    o = v.get("gem.observed");
            int tasks = slots.length;
            if (s == null
                    || f == null
                    || c == null
                    || o == null
                    || s.length != tasks * n
                    || f.length != tasks
                    || c.length != 1
                    || c[0] < 0
                    || c[0] >= n)
                throw new IllegalArgumentException(
                        "checkpoint lacks GEM's episodic memory of "
                                + tasks
                                + " × "
                                + n
                                + " slots");
            for (int k = 0; k < tasks; k++) {
                filled[k] = (int) f[k];
                for (int i = 0; i < n; i++) slots[k][i] = (int) s[k * n + i];
            }
            cursor = (int) c[0];
            observed.clear();
            for (long t : o) observed.add((int) t);
        }
    }

    /** Every parameter's gradient, concatenated in parameter order (zeros where there is none). */
    static float[] flatGrad(List<Var> params) {
        int total = 0;
        for (Var p : params) total += p.value.numel();
        float[] out = new float[total];
        int off = 0;
        for (Var p : params) {
            int k = p.value.numel();
            if (p.grad != null) System.arraycopy(p.grad.toArray(), 0, out, off, k);
            off += k;
        }
        return out;
    }

    /**
     * Overwrites every parameter's gradient with its part of {@code g} (the GEM code's
     * overwrite_grad).
     */
    static void setGrad(List<Var> params, float[] g) {
        int off = 0;
        for (Var p : params) {
            int k = p.value.numel();
            if (p.grad != null) {
                Backend be = Backends.of(p.grad);
                float[] part = Arrays.copyOfRange(g, off, off + k);
                try (Scope s = Scope.open()) { // frees the uploaded copy (nothing on the CPU)
                    be.copy(be.upload(part, p.grad.shape), p.grad);
                }
            }
            off += k;
        }
    }
}
