package arm.run;

import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects a recall method's {@link RecallRecord} during one run. Fed by the learner with values it
 * computes anyway (f_old's logits on the final X̂, used for the soft targets), so recording costs a
 * softmax per recall and never an extra forward pass: an extra pass through f_old in train-mode
 * BatchNorm would move its running statistics and change the run.
 */
public final class RecallRecorder {
    /** Image pairs kept per snapshot (distinct initial rows; with M &gt; N there are at most N). */
    static final int MAX_PAIRS = 10;

    /** Snapshots kept at most (MiniImageNet has 19 recall tasks of 84×84×3 images). */
    static final int MAX_SNAPSHOTS = 5;

    private final int[] itemShape;
    private final int k, batchesPerTask;
    private final java.util.Set<Integer> snapshotTasks = new java.util.HashSet<>();
    private final List<Integer> t = new ArrayList<>();
    private final List<double[]> sums = new ArrayList<>();
    private final List<Integer> rounds = new ArrayList<>();
    private final List<RecallRecord.Pair> pairs = new ArrayList<>();

    /**
     * @param tasks number of tasks; images are kept at the end of tasks 1 … tasks−1 (0-based: the
     *     tasks with recall), or of {@link #MAX_SNAPSHOTS} of them evenly spread, the last included
     */
    public RecallRecorder(int[] itemShape, int numClasses, int batchesPerTask, int tasks) {
        this.itemShape = itemShape.clone();
        this.k = numClasses;
        this.batchesPerTask = batchesPerTask;
        int first = 1, last = tasks - 1, n = last - first + 1;
        if (n <= MAX_SNAPSHOTS) for (int j = first; j <= last; j++) snapshotTasks.add(j);
        else
            for (int i = 0; i < MAX_SNAPSHOTS; i++)
                snapshotTasks.add(
                        first + (int) Math.round(i * (n - 1) / (double) (MAX_SNAPSHOTS - 1)));
    }

    /** Images are kept at the last iteration of the snapshot tasks (the end of a recall window). */
    public boolean wantsImages(int iteration) {
        return iteration % batchesPerTask == batchesPerTask - 1
                && snapshotTasks.contains(iteration / batchesPerTask);
    }

    /** One round r of iteration t ended with f_old's logits [M, K] on the final X̂. */
    public void round(int iteration, Tensor oldLogits) {
        float[] z = oldLogits.toArray();
        int m = z.length / k;
        int last = t.size() - 1;
        if (last < 0 || t.get(last) != iteration) {
            t.add(iteration);
            sums.add(new double[k]);
            rounds.add(0);
            last++;
        }
        double[] sum = sums.get(last);
        double[] p = new double[k];
        for (int i = 0; i < m; i++) {
            softmax(z, i * k, p);
            for (int c = 0; c < k; c++) sum[c] += p[c] / m;
        }
        rounds.set(last, rounds.get(last) + 1);
    }

    /**
     * Keeps up to {@link #MAX_PAIRS} (initial, recalled) pairs of iteration t, one per distinct
     * initial row.
     *
     * @param rows the real rows X̂ was copied from (null for noise initialisation)
     * @param labels the real batch's labels
     */
    public void images(
            int iteration,
            Tensor initial,
            Tensor xhat,
            int[] rows,
            int[] labels,
            Tensor oldLogits) {
        float[] x0 = initial.toArray(), x1 = xhat.toArray(), z = oldLogits.toArray();
        int m = xhat.dim(0), d = x1.length / m;
        boolean[] taken = new boolean[labels.length];
        double[] p = new double[k];
        for (int i = 0, kept = 0; i < m && kept < MAX_PAIRS; i++) {
            if (rows != null) {
                if (taken[rows[i]]) continue;
                taken[rows[i]] = true;
            }
            softmax(z, i * k, p);
            int best = 0;
            for (int c = 1; c < k; c++) if (p[c] > p[best]) best = c;
            pairs.add(
                    new RecallRecord.Pair(
                            iteration,
                            rows == null ? -1 : labels[rows[i]],
                            best,
                            (float) p[best],
                            java.util.Arrays.copyOfRange(x0, i * d, (i + 1) * d),
                            java.util.Arrays.copyOfRange(x1, i * d, (i + 1) * d)));
            kept++;
        }
    }

    // ------------------------------------------------------------ checkpoint state

    /**
     * The history as named integer arrays: "recall.t", "recall.rounds", "recall.sums" (the running
     * sums' double bits, K per iteration) and "recall.pairs" (t, originator, target, probability
     * bits, per kept pair), so that a resumed run records exactly what an unbroken one would.
     */
    public Map<String, long[]> stateValues() {
        int n = t.size();
        long[] ts = new long[n],
                rs = new long[n],
                sum = new long[n * k],
                pr = new long[4 * pairs.size()];
        for (int i = 0; i < n; i++) {
            ts[i] = t.get(i);
            rs[i] = rounds.get(i);
            for (int c = 0; c < k; c++) sum[i * k + c] = Double.doubleToRawLongBits(sums.get(i)[c]);
        }
        for (int i = 0; i < pairs.size(); i++) {
            RecallRecord.Pair p = pairs.get(i);
            pr[4 * i] = p.t();
            pr[4 * i + 1] = p.originator();
            pr[4 * i + 2] = p.target();
            pr[4 * i + 3] = Float.floatToRawIntBits(p.probability());
        }
        return Map.of("recall.t", ts, "recall.rounds", rs, "recall.sums", sum, "recall.pairs", pr);
    }

    /** The kept image pairs' pixels: "recall.pair{i}.initial" and ".recalled", live. */
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            out.put(
                    "recall.pair" + i + ".initial",
                    Tensor.of(pairs.get(i).initial(), pairs.get(i).initial().length));
            out.put(
                    "recall.pair" + i + ".recalled",
                    Tensor.of(pairs.get(i).recalled(), pairs.get(i).recalled().length));
        }
        return out;
    }

    /**
     * Puts back what {@link #stateValues} and {@link #stateTensors} saved; the pair images come
     * from {@code tensors} (the checkpoint's, by name).
     *
     * @throws IllegalArgumentException the saved history is inconsistent
     */
    public void restore(Map<String, long[]> values, Map<String, Tensor> tensors) {
        long[] ts = need(values, "recall.t"),
                rs = need(values, "recall.rounds"),
                sum = need(values, "recall.sums"),
                pr = need(values, "recall.pairs");
        int n = ts.length;
        if (rs.length != n || sum.length != (long) n * k || pr.length % 4 != 0)
            throw new IllegalArgumentException(
                    "checkpoint recall history: inconsistent lengths "
                            + n
                            + ", "
                            + rs.length
                            + ", "
                            + sum.length
                            + ", "
                            + pr.length);
        t.clear();
        rounds.clear();
        sums.clear();
        pairs.clear();
        for (int i = 0; i < n; i++) {
            t.add((int) ts[i]);
            rounds.add((int) rs[i]);
            double[] row = new double[k];
            for (int c = 0; c < k; c++) row[c] = Double.longBitsToDouble(sum[i * k + c]);
            sums.add(row);
        }
        for (int i = 0; i < pr.length / 4; i++) {
            Tensor a = tensors.get("recall.pair" + i + ".initial"),
                    b = tensors.get("recall.pair" + i + ".recalled");
            if (a == null || b == null)
                throw new IllegalArgumentException(
                        "checkpoint lacks the images of recall pair " + i);
            pairs.add(
                    new RecallRecord.Pair(
                            (int) pr[4 * i],
                            (int) pr[4 * i + 1],
                            (int) pr[4 * i + 2],
                            Float.intBitsToFloat((int) pr[4 * i + 3]),
                            a.toArray(),
                            b.toArray()));
        }
    }

    private static long[] need(Map<String, long[]> values, String key) {
        long[] v = values.get(key);
        if (v == null)
            throw new IllegalArgumentException(
                    "checkpoint lacks " + key + " (was the run recorded?)");
        return v;
    }

    public RecallRecord result() {
        float[][] mean = new float[t.size()][k];
        for (int i = 0; i < mean.length; i++)
            for (int c = 0; c < k; c++) mean[i][c] = (float) (sums.get(i)[c] / rounds.get(i));
        return new RecallRecord(
                itemShape, k, t.stream().mapToInt(Integer::intValue).toArray(), mean, pairs);
    }

    /** p ← softmax(z[off .. off+k)), in double, max-shifted. */
    public static void softmax(float[] z, int off, double[] p) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < p.length; c++) max = Math.max(max, z[off + c]);
        for (int c = 0; c < p.length; c++) sum += p[c] = Math.exp(z[off + c] - max);
        for (int c = 0; c < p.length; c++) p[c] /= sum;
    }
}
