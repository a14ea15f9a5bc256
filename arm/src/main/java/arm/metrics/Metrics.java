package arm.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * The authors' continual-learning metrics (ALGORITHM.md §6.2, code/util/eval.py) for one split of
 * one run, computed from its evaluation history. Fractions in [0, 1]; NaN where the code computes
 * nothing.
 *
 * <ul>
 *   <li>per-task accuracy of task j at evaluation i = mean of the per-class accuracies of j's
 *       classes (class-balanced, §9 D15); only from the second evaluation on, only for tasks whose
 *       classes have been seen;
 *   <li>average accuracy at i = mean of the per-task accuracies at i (A_T of eq. 10 at max_t);
 *   <li>forgetting at i (from the third evaluation on): with L the task of the last batch, the mean
 *       over tasks j &lt; L of (best_j − acc_j(i)), best_j = the largest acc_j at an earlier
 *       evaluation that has one (never t = 0, never i itself). Not clipped: it can be negative;
 *   <li>stationary runs: pooled accuracy only; no per-task values, no forgetting.
 * </ul>
 *
 * @param t evaluation times
 * @param perTask [evaluation][task]
 * @param accuracy average accuracy per evaluation (stationary: pooled accuracy)
 * @param forgetting forgetting per evaluation
 * @param pooled pooled accuracy per evaluation
 */
public record Metrics(
        int[] t, double[][] perTask, double[] accuracy, double[] forgetting, double[] pooled) {

    public enum Split {
        VAL,
        TEST
    }

    /**
     * Mean and population standard deviation (ddof = 0, numpy's default, as the authors report).
     */
    public record Stat(double mean, double std) {}

    public static Metrics of(
            List<EvalPoint> evals,
            Split split,
            int numClasses,
            int classesPerTask,
            boolean stationary) {
        return of(evals, split, numClasses, classesPerTask, stationary, 1);
    }

    /**
     * As {@link #of(List, Split, int, int, boolean)}, for a history that may hold evaluations
     * between task boundaries (eval_every finer than T, for curves): only the evaluations at t mod
     * {@code boundaryEvery} = 0 (the task boundaries, the paper's evaluation times) supply
     * forgetting's "best". The values at the boundaries, and so the reported numbers at max_t, are
     * then exactly those of a history with boundary evaluations only; {@code boundaryEvery} = 1
     * counts every evaluation, the authors' rule for whatever eval_freq they ran.
     */
    public static Metrics of(
            List<EvalPoint> evals,
            Split split,
            int numClasses,
            int classesPerTask,
            boolean stationary,
            int boundaryEvery) {
        if (boundaryEvery < 1)
            throw new IllegalArgumentException("boundaryEvery " + boundaryEvery + " < 1");
        int n = evals.size(), tasks = numClasses / classesPerTask;
        int[] t = new int[n];
        double[][] perTask = new double[n][tasks];
        double[] accuracy = new double[n], forgetting = new double[n], pooled = new double[n];
        for (int i = 0; i < n; i++) {
            EvalPoint e = evals.get(i);
            t[i] = e.t();
            pooled[i] = split == Split.VAL ? e.valPooled() : e.testPooled();
            Arrays.fill(perTask[i], Double.NaN);
            accuracy[i] = stationary ? pooled[i] : Double.NaN;
            forgetting[i] = Double.NaN;
            if (stationary || i == 0) continue;
            double[] perClass = split == Split.VAL ? e.valPerClass() : e.testPerClass();
            if (perClass.length != numClasses)
                throw new IllegalArgumentException(
                        "evaluation at t="
                                + e.t()
                                + " has "
                                + perClass.length
                                + " per-class accuracies, K = "
                                + numClasses);
            perTask[i] = taskAccuracies(e, perClass, tasks, classesPerTask);
            accuracy[i] = meanIgnoringNaN(perTask[i]);
            if (i >= 2) forgetting[i] = forgetting(perTask, t, boundaryEvery, i, e.lastTask());
        }
        return new Metrics(t, perTask, accuracy, forgetting, pooled);
    }

    /** Value at the last evaluation (the reported number). */
    public double finalAccuracy() {
        return accuracy.length == 0 ? Double.NaN : accuracy[accuracy.length - 1];
    }

    public double finalForgetting() {
        return forgetting.length == 0 ? Double.NaN : forgetting[forgetting.length - 1];
    }

    public static Stat stat(double... values) {
        double mean = 0;
        for (double v : values) mean += v;
        mean /= values.length;
        double var = 0;
        for (double v : values) var += (v - mean) * (v - mean);
        return new Stat(mean, Math.sqrt(var / values.length));
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Class-balanced accuracy of every seen task (a task with at least one seen class); NaN for
     * unseen ones. The authors' code asserts that a seen task has all its classes seen, which holds
     * at task boundaries (the published evaluation times); with finer evaluations a task's first
     * batches may hold one class only, and then we average over all its classes as the formula
     * would, rather than abort a finished run.
     */
    private static double[] taskAccuracies(EvalPoint e, double[] perClass, int tasks, int cpt) {
        boolean[] seen = new boolean[perClass.length];
        for (int c : e.seenClasses()) seen[c] = true;
        double[] out = new double[tasks];
        for (int j = 0; j < tasks; j++) {
            boolean any = false;
            double sum = 0;
            for (int c = j * cpt; c < (j + 1) * cpt; c++) {
                any |= seen[c];
                sum += perClass[c];
            }
            out[j] = any ? sum / cpt : Double.NaN;
        }
        return out;
    }

    private static double forgetting(
            double[][] perTask, int[] t, int boundaryEvery, int i, int lastTask) {
        double sum = 0;
        int count = 0;
        for (int j = 0; j < lastTask; j++) {
            double best = Double.NaN;
            for (int k = 1; k < i; k++) {
                if (t[k] % boundaryEvery != 0) continue;
                double v = perTask[k][j];
                if (!Double.isNaN(v) && (Double.isNaN(best) || v > best)) best = v;
            }
            if (Double.isNaN(best) || Double.isNaN(perTask[i][j])) continue;
            sum += best - perTask[i][j];
            count++;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static double meanIgnoringNaN(double[] v) {
        double sum = 0;
        int count = 0;
        for (double x : v)
            if (!Double.isNaN(x)) {
                sum += x;
                count++;
            }
        return count == 0 ? Double.NaN : sum / count;
    }
}
