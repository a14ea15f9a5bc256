package arm.method;

import arm.analysis.GradientStudy;
import arm.data.ContinualData;
import arm.data.Dataset;
import arm.run.RecallRecorder;
import arm.tensor.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Feeds {@link GradientStudy} from a finished run of ARM or ADI (ALGORITHM.md §8). Our choices:
 *
 * <ul>
 *   <li>the models are the run's final f_cur and f_old, frozen (deep copies, so the train-mode
 *       BatchNorm passes of recall leave the run's models untouched);
 *   <li>recalled samples come from recall exactly as in the last task's iterations: the last task's
 *       real batches in stream order (cycled if needed), initialisation, S refinement steps with
 *       the run's recall loss, targets from f_old; one sample per distinct initial row (with M &gt;
 *       N duplicates are identical, ALGORITHM.md §2.1), until there are {@code samples};
 *   <li>the real pool is a class-stratified draw of 1,000 training images (⌊1000/K⌋ per class);
 *   <li>gradients are those of the final f_cur, in eval mode, computed on the device the run used
 *       (recall and study alike; only host arrays leave it).
 * </ul>
 */
final class GradientProbe {
    /** Real images the x_1, x_2 are drawn from, as in the paper. */
    static final int REAL_POOL = 1000;

    private GradientProbe() {}

    static GradientStudy.Result run(
            RecallMethod.RecallLearner learner,
            ContinualData data,
            boolean[] seen,
            int samples,
            SplittableRandom rng) {
        RecallMethod.RecallLearner frozen = learner.frozenCopy(rng.split());
        List<GradientStudy.Recalled> recalled = recall(frozen, data, seen, samples);
        Dataset pool = realPool(data.train(), data.numClasses(), rng.split());
        return GradientStudy.run(frozen.fCur, recalled, pool, true, rng.split());
    }

    /**
     * Recalled samples from the last task's batches, as the run's last recall iterations made them.
     */
    static List<GradientStudy.Recalled> recall(
            RecallMethod.RecallLearner frozen, ContinualData data, boolean[] seen, int samples) {
        int maxT = data.numBatches(), T = data.batchesPerTask(), k = data.numClasses();
        List<GradientStudy.Recalled> out = new ArrayList<>();
        int empty = 0;
        for (int i = 0; out.size() < samples && empty < T; i++) {
            int before = out.size();
            try (Scope scope =
                    Scope.open()) { // on a device, the batch and its recall are freed once copied
                ContinualMethod.Batch b =
                        ContinualMethod.batch(
                                data, maxT - T + i % T, maxT + i, seen, frozen.fCur.device());
                RecallMethod.RecallLearner.Recalled r = frozen.recallOnly(b);
                if (r != null) add(out, r, b.y(), k, samples);
            }
            empty = out.size() == before ? empty + 1 : 0;
        }
        return out;
    }

    private static void add(
            List<GradientStudy.Recalled> out,
            RecallMethod.RecallLearner.Recalled r,
            int[] y,
            int k,
            int samples) {
        float[] x = r.xhat().toArray(), z = r.oldLogits().toArray();
        int m = r.xhat().dim(0), d = x.length / m;
        boolean[] taken = new boolean[y.length];
        double[] p = new double[k];
        for (int i = 0; i < m && out.size() < samples; i++) {
            if (r.rows() != null) {
                if (taken[r.rows()[i]]) continue;
                taken[r.rows()[i]] = true;
            }
            RecallRecorder.softmax(z, i * k, p);
            float[] soft = new float[k];
            for (int c = 0; c < k; c++) soft[c] = (float) p[c];
            int originator = r.rows() == null ? -1 : y[r.rows()[i]];
            out.add(
                    new GradientStudy.Recalled(
                            java.util.Arrays.copyOfRange(x, i * d, (i + 1) * d), originator, soft));
        }
    }

    /**
     * ⌊1000/K⌋ (at least 1) random training images of every class, fewer where a class has fewer.
     */
    static Dataset realPool(Dataset train, int k, SplittableRandom rng) {
        int per = Math.max(1, REAL_POOL / k);
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < k; c++) byClass.add(new ArrayList<>());
        for (int i = 0; i < train.size(); i++) byClass.get(train.labels()[i]).add(i);
        List<Integer> idx = new ArrayList<>();
        for (List<Integer> c : byClass) {
            for (int i = c.size() - 1; i > 0; i--)
                java.util.Collections.swap(c, i, rng.nextInt(i + 1));
            idx.addAll(c.subList(0, Math.min(per, c.size())));
        }
        return train.subset(
                "gradient-study real pool", idx.stream().mapToInt(Integer::intValue).toArray());
    }
}
