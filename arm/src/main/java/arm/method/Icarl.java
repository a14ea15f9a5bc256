package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.Draws;
import arm.run.LossLog;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * iCaRL (Rebuffi et al. 2017) as the GEM code's model/icarl.py runs it, on a shared head
 * (docs/ALGORITHM.md "iCaRL"). f is an {@link ExemplarClassifier}: the network in training, the
 * nearest mean of exemplars in evaluation. Per batch (X, Y) of task k:
 *
 * <pre>
 * remember the batch's samples (all of task k's samples are kept until its end, as in the GEM code)
 * iters times:
 *   L = mean CE(f(X), Y)
 *   for each past task j: one exemplar of each of its classes, drawn uniformly (X_j),
 *                          their logits stored at the end of the last task (Z_j)
 *     L += λ · KL(softmax(Z_j) ‖ softmax(f(X_j)))       (mean over the rows)
 *   zero the gradients, backprop L, one SGD step
 * at the last batch of task k:
 *   m ← mem / (classes with exemplars + classes of task k)
 *   each old class keeps its first m exemplars; each class of task k gets m by herding on the
 *   features of all its samples ({@link Herding}); Z ← the logits of every exemplar
 * </pre>
 *
 * Features and stored logits are the network's outputs in eval mode, without graph. A checkpoint
 * holds the exemplars (buffers of f), Z and the training-set indices of task k's samples so far.
 */
class Icarl extends ContinualMethod {
    final int mem, iters;
    final float lambda;

    Icarl(String name, Map<String, String> defaults, Map<String, String> overrides) {
        super(name, defaults, overrides);
        mem = opts.positiveInt("mem");
        iters = opts.positiveInt("iters");
        lambda = opts.nonNegative("lambda");
    }

    /** The dataset's network inside an {@link ExemplarClassifier} of mem exemplars. */
    @Override
    Module model(ContinualData data, SplittableRandom init, long seed) {
        return new ExemplarClassifier(
                super.model(data, init, seed), mem, data.train().itemShape(), data.numClasses());
    }

    @Override
    Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        return new IcarlLearner((ExemplarClassifier) fCur, opt, data, rng.nextLong());
    }

    final class IcarlLearner implements Learner {
        private final ExemplarClassifier f;
        private final Sgd opt;
        private final ContinualData data;
        private final long base;
        private final LinkedHashSet<Integer> current = new LinkedHashSet<>();
        final Tensor targets; // Z: [mem, K] logits of the exemplars, host

        IcarlLearner(ExemplarClassifier f, Sgd opt, ContinualData data, long base) {
            this.f = f;
            this.opt = opt;
            this.data = data;
            this.base = base;
            this.targets = Tensor.zeros(mem, data.numClasses());
        }

        @Override
        public void train(Batch b) {
            int task = data.taskOf(b.y()[0]);
            int s = b.t() % data.numBatches();
            for (int i : data.batch(s)) current.add(i);
            Map<Integer, List<Integer>> byClass = exemplarSlots(task);
            Var x = Var.constant(b.x());
            for (int it = 0; it < iters; it++) {
                opt.zeroGrad();
                Var loss = F.crossEntropy(f.forward(x), b.y());
                LossLog.add(LossLog.STEP_A, loss);
                SplittableRandom r = Draws.at(base, b.t(), Draws.REPLAY + it);
                for (int j = 0; j < task; j++) {
                    Var kl = distillation(j, byClass, r);
                    if (kl == null) continue;
                    LossLog.add(LossLog.STEP_B, kl);
                    loss = F.add(loss, F.scale(kl, lambda));
                }
                Autograd.backward(loss);
                opt.step();
            }
            if ((s + 1) % data.batchesPerTask() == 0) taskEnd();
        }

        /** Slots of the exemplars of every class of the tasks before {@code task}, by class. */
        private Map<Integer, List<Integer>> exemplarSlots(int task) {
            Map<Integer, List<Integer>> out = new TreeMap<>();
            float[] lab = f.labels();
            for (int i = 0; i < lab.length && lab[i] >= 0; i++)
                if (data.taskOf((int) lab[i]) < task)
                    out.computeIfAbsent((int) lab[i], c -> new ArrayList<>()).add(i);
            return out;
        }

        /**
         * KL(softmax(Z_j) ‖ softmax(f(X_j))), one random exemplar per class of task j; null if
         * none.
         */
        private Var distillation(int j, Map<Integer, List<Integer>> byClass, SplittableRandom r) {
            List<Integer> slots = new ArrayList<>();
            for (int c = j * data.classesPerTask(); c < (j + 1) * data.classesPerTask(); c++) {
                List<Integer> ex = byClass.get(c);
                if (ex != null) slots.add(ex.get(r.nextInt(ex.size())));
            }
            if (slots.isEmpty()) return null;
            int k = data.numClasses(), n = slots.size();
            float[] z = targets.data(), ex = f.exemplars().data(), p = new float[n * k];
            int per = f.exemplars().numel() / f.capacity();
            float[] img = new float[n * per];
            double plogp = 0;
            for (int i = 0; i < n; i++) {
                int sl = slots.get(i);
                System.arraycopy(ex, sl * per, img, i * per, per);
                plogp += softmax(z, sl * k, k, p, i * k);
            }
            int[] shape = f.exemplars().shape.clone();
            shape[0] = n;
            Var logits = f.forward(Var.constant(onDevice(Tensor.of(img, shape), device)));
            Var target = Var.constant(onDevice(Tensor.of(p, n, k), device));
            return F.addScalar(F.softCrossEntropy(logits, target), (float) (plogp / n));
        }

        /** Herding for the task that just ended, the old classes trimmed, Z recomputed. */
        private void taskEnd() {
            int[] idx = current.stream().mapToInt(Integer::intValue).toArray();
            int[] y = data.train().labels(idx);
            Map<Integer, List<Integer>> newClasses = new TreeMap<>();
            for (int i = 0; i < idx.length; i++)
                newClasses.computeIfAbsent(y[i], c -> new ArrayList<>()).add(idx[i]);
            float[] lab = f.labels(), ex = f.exemplars().data();
            int per = f.exemplars().numel() / f.capacity();
            Map<Integer, List<float[]>> chosen = new TreeMap<>(); // class → exemplars, in order
            for (int i = 0; i < lab.length && lab[i] >= 0; i++)
                if (!newClasses.containsKey((int) lab[i]))
                    chosen.computeIfAbsent((int) lab[i], c -> new ArrayList<>());
            int m = mem / (chosen.size() + newClasses.size());
            for (int i = 0; i < lab.length && lab[i] >= 0; i++) {
                List<float[]> l = chosen.get((int) lab[i]);
                if (l != null && l.size() < m)
                    l.add(Arrays.copyOfRange(ex, i * per, (i + 1) * per));
            }
            for (var e : newClasses.entrySet()) {
                int[] ci = e.getValue().stream().mapToInt(Integer::intValue).toArray();
                int[] order = Herding.select(features(ci), m);
                List<float[]> l = new ArrayList<>();
                for (int o : order) l.add(data.train().batch(new int[] {ci[o]}).toArray());
                chosen.put(e.getKey(), l);
            }
            write(chosen, per);
            current.clear();
        }

        /** The exemplar buffers rewritten class by class, then Z ← their logits. */
        private void write(Map<Integer, List<float[]>> chosen, int per) {
            float[] lab = f.labels(), ex = f.exemplars().data();
            Arrays.fill(lab, -1);
            Arrays.fill(ex, 0);
            int n = 0;
            for (var e : chosen.entrySet())
                for (float[] img : e.getValue()) {
                    System.arraycopy(img, 0, ex, n * per, per);
                    lab[n++] = e.getKey();
                }
            f.changed();
            Arrays.fill(targets.data(), 0);
            if (n == 0) return;
            float[] z = outputs(ExemplarClassifier.rows(f.exemplars(), n));
            System.arraycopy(z, 0, targets.data(), 0, z.length);
        }

        /** φ of the given training samples, one row each. */
        private float[][] features(int[] idx) {
            int chunk = 500;
            float[][] out = new float[idx.length][];
            for (int s = 0; s < idx.length; s += chunk) {
                int[] part = Arrays.copyOfRange(idx, s, Math.min(idx.length, s + chunk));
                float[] z = outputs(data.train().batch(part));
                int d = z.length / part.length;
                for (int i = 0; i < part.length; i++)
                    out[s + i] = Arrays.copyOfRange(z, i * d, (i + 1) * d);
            }
            return out;
        }

        /** The network's outputs on a host batch, eval mode, no graph, back on the host. */
        private float[] outputs(Tensor host) {
            f.net.eval();
            try (var ng = Autograd.noGrad();
                    Scope sc = Scope.open()) {
                return f.net.forward(Var.constant(onDevice(host, device))).value.toArray();
            } finally {
                f.net.train();
            }
        }

        @Override
        public Map<String, Tensor> stateTensors() {
            return Map.of("icarl.targets", targets);
        }

        @Override
        public Map<String, long[]> stateValues() {
            Map<String, long[]> out = new LinkedHashMap<>();
            out.put("icarl.current", current.stream().mapToLong(Integer::longValue).toArray());
            return out;
        }

        @Override
        public void restoreState(Map<String, long[]> v, Map<String, Tensor> tensors) {
            long[] c = v.get("icarl.current");
            if (c == null)
                throw new IllegalArgumentException("checkpoint lacks iCaRL's current-task samples");
            current.clear();
            for (long i : c) {
                if (i < 0 || i >= data.train().size())
                    throw new IllegalArgumentException(
                            "checkpoint's iCaRL sample index "
                                    + i
                                    + " is outside the training set");
                current.add((int) i);
            }
        }
    }

    /** p = softmax(z[off, off+k)) into p[to …]; returns Σ p log p. */
    static double softmax(float[] z, int off, int k, float[] p, int to) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < k; i++) max = Math.max(max, z[off + i]);
        double[] e = new double[k];
        for (int i = 0; i < k; i++) sum += e[i] = Math.exp(z[off + i] - max);
        double plogp = 0;
        for (int i = 0; i < k; i++) {
            double pi = e[i] / sum;
            p[to + i] = (float) pi;
            if (pi > 0) plogp += pi * Math.log(pi);
        }
        return plogp;
    }
}
