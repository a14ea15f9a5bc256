package arm.method;

import arm.autograd.Autograd;
import arm.autograd.Var;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.tensor.Backends;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ER-MIR, maximally interfered retrieval (ALGORITHM.md §12.4; mir.py mir_replay). The step is ER's;
 * only the choice of the M replayed samples differs. With g = ∇L_in already in the gradients:
 *
 * <pre>
 * candidates: subsample slots of the past-task pool (all of it if smaller)
 * θ_v = θ − η0·g                                  virtual SGD step on the incoming batch only
 * pre_i  = CE(f_θ(x_i), y_i),  post_i = CE(f_θv(x_i), y_i)    no graph, both in train mode
 * score_i = post_i − pre_i                         how much the step would hurt sample i
 * replay the M candidates with the highest scores (negative ones too, if needed)
 * </pre>
 *
 * With {@code old_logits} (the MIR scripts' --compare_to_old_logits, used for MNIST) each slot also
 * remembers logits: old_i = CE(stored logits, y_i) (zeros at first, so ln K), score_i = post_i −
 * min(pre_i, old_i), and after the choice every candidate with pre_i &lt; old_i stores its pre
 * logits. "position" addresses the stored rows as the MIR code does, by the candidate's position in
 * the past-task pool rather than its slot (so rows drift to other samples as the pool changes, and
 * are never cleared); "slot" is the intended form (rows follow slots, cleared on overwrite).
 */
final class ErMir extends ER {
    enum OldLogits {
        OFF,
        POSITION,
        SLOT
    }

    final int subsample;
    final OldLogits oldLogits;

    ErMir(Map<String, String> defaults, Map<String, String> overrides) {
        super("ER-MIR", defaults, overrides);
        subsample = opts.positiveInt("subsample");
        oldLogits =
                OldLogits.valueOf(
                        opts.choice("old_logits", "off", "position", "slot").toUpperCase());
    }

    @Override
    Selector selector(Module fCur, Sgd opt, ReservoirBuffer buffer, SplittableRandom rng) {
        return new Mir(fCur, opt.lr(), buffer, rng);
    }

    /** The per-run state: the virtual model and the stored logits. */
    final class Mir implements Selector {
        private final Module fCur, virtual;
        private final float lr;
        private final ReservoirBuffer buffer;
        private final SplittableRandom rng;
        private float[][] stored; // [capacity][K] once the first logits are seen; null: off

        Mir(Module fCur, float lr, ReservoirBuffer buffer, SplittableRandom rng) {
            this.fCur = fCur;
            this.virtual = fCur.copy();
            this.lr = lr;
            this.buffer = buffer;
            this.rng = rng;
        }

        /**
         * {@link #select(int[], SplittableRandom)} with the generator this selector was made with.
         */
        int[] select(int[] pool) {
            return select(pool, rng);
        }

        @Override
        public int[] select(int[] pool, SplittableRandom rng) {
            int[] pos = ReservoirBuffer.choose(pool.length, subsample, rng);
            int[] cand = slots(pool, pos);
            int[] by = buffer.labels(cand);
            stepVirtual();
            Tensor pre, post;
            try (var ng = Autograd.noGrad()) {
                Var bx = Var.constant(onDevice(buffer.images(cand), device));
                pre = fCur.forward(bx).value;
                post = virtual.forward(bx).value;
            }
            double[] preLoss = perSampleCe(pre, by), postLoss = perSampleCe(post, by);
            double[] score = new double[cand.length];
            for (int i = 0; i < cand.length; i++) score[i] = postLoss[i] - preLoss[i];
            if (oldLogits != OldLogits.OFF)
                compareToOld(
                        pre,
                        preLoss,
                        postLoss,
                        score,
                        oldLogits == OldLogits.SLOT ? cand : pos,
                        by);
            return slots(cand, topK(score, m));
        }

        /**
         * θ_v ← θ − η0·g, g the gradient of L_in now held by f_cur (BN buffers and modes copied
         * too).
         */
        void stepVirtual() {
            virtual.copyFrom(fCur);
            List<Var> src = fCur.parameters(), dst = virtual.parameters();
            for (int i = 0; i < src.size(); i++) {
                Tensor g = src.get(i).grad;
                if (g != null) Backends.of(dst.get(i).value).axpy(-lr, g, dst.get(i).value);
            }
        }

        Module virtual() {
            return virtual;
        }

        /**
         * The stored logits [capacity, K] for a checkpoint, once old_logits scoring has made them.
         */
        Map<String, Tensor> stateTensors() {
            if (stored == null) return Map.of();
            int k = stored[0].length;
            float[] flat = new float[stored.length * k];
            for (int i = 0; i < stored.length; i++) System.arraycopy(stored[i], 0, flat, i * k, k);
            return Map.of("mir.stored", Tensor.of(flat, stored.length, k));
        }

        /** Puts back the stored logits a checkpoint holds (none: not made yet). */
        void restoreState(Map<String, Tensor> tensors) {
            Tensor t = tensors.get("mir.stored");
            if (t == null) {
                stored = null;
                return;
            }
            if (t.rank() != 2 || t.dim(0) != buffer.capacity)
                throw new IllegalArgumentException(
                        "checkpoint mir.stored has shape "
                                + Shape.str(t.shape)
                                + ", expected ["
                                + buffer.capacity
                                + ", K]");
            float[] v = t.toArray();
            int k = t.dim(1);
            stored = new float[buffer.capacity][k];
            for (int i = 0; i < stored.length; i++) System.arraycopy(v, i * k, stored[i], 0, k);
        }

        /** A copy of the stored logits of a row, once old_logits scoring has run; for tests. */
        float[] storedRow(int row) {
            return stored[row].clone();
        }

        /**
         * score ← post − min(pre, old); rows where pre &lt; old take the pre logits (after
         * scoring).
         */
        private void compareToOld(
                Tensor pre,
                double[] preLoss,
                double[] postLoss,
                double[] score,
                int[] rows,
                int[] by) {
            int k = pre.dim(1);
            if (stored == null) stored = new float[buffer.capacity][k];
            double[] old = perSampleCe(rowsOf(stored, rows, k), by);
            float[] p = pre.toArray();
            for (int i = 0; i < rows.length; i++)
                score[i] = postLoss[i] - Math.min(preLoss[i], old[i]);
            for (int i = 0; i < rows.length; i++)
                if (preLoss[i] < old[i]) System.arraycopy(p, i * k, stored[rows[i]], 0, k);
        }

        @Override
        public void stored(int[] slots) {
            if (oldLogits != OldLogits.SLOT || stored == null) return;
            for (int s : slots) if (s >= 0) Arrays.fill(stored[s], 0f);
        }
    }

    private static Tensor rowsOf(float[][] table, int[] rows, int k) {
        float[] out = new float[rows.length * k];
        for (int i = 0; i < rows.length; i++) System.arraycopy(table[rows[i]], 0, out, i * k, k);
        return Tensor.of(out, rows.length, k);
    }

    /** CE_i = logsumexp(z_i) − z_i[y_i] per row of logits [n, K], in double. */
    static double[] perSampleCe(Tensor logits, int[] y) {
        int n = logits.dim(0), k = logits.dim(1);
        float[] z = logits.toArray();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < k; c++) max = Math.max(max, z[i * k + c]);
            for (int c = 0; c < k; c++) sum += Math.exp(z[i * k + c] - max);
            out[i] = max + Math.log(sum) - z[i * k + y[i]];
        }
        return out;
    }

    /** Indices of the min(k, n) largest scores, largest first; ties keep the lower index first. */
    static int[] topK(double[] score, int k) {
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(score[b], score[a]));
        int[] out = new int[Math.min(k, idx.length)];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }
}
