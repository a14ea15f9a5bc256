package arm.run;

import arm.autograd.Var;
import arm.method.RecallLoss;
import arm.method.Stepper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The losses of one logged training iteration, collected where the methods compute them: step A in
 * {@link arm.method.ContinualMethod#realStep}, step B in each learner, the recall loss R and its
 * terms in {@link RecallLoss} and {@link arm.method.RecallMethod}'s refinement. Those are static
 * helpers shared by every method, and a run trains on one thread, so the collector of the iteration
 * being logged is a thread-local: set by {@link Stepper#train} on logged iterations only, null
 * otherwise, when every call here returns at once. Values are read from scalars the step computed
 * anyway (on the CPU a read costs nothing; on a device, one read per value on logged iterations
 * only). Several values in one column within an iteration (the S refinement steps, R rounds, ER's
 * iters) are averaged.
 */
public final class LossLog {
    /**
     * The columns after t, task, lr, seconds: step A (CE on the real batch), step B (Distill's
     * distillation, ADI / ARM's recall step, ER's replay CE), R, and R's terms unweighted: R_D,
     * R_NL on f_old (λ1) and on f_cur (λ2), R_div (λ3), R_sharp (λ4), R_L2 (λ5), R_TV (λ6), ADI's
     * CE toward the chosen classes, the batch-statistics term.
     */
    public static final List<String> COLUMNS =
            List.of(
                    "step_a",
                    "step_b",
                    "recall",
                    "recall_D",
                    "recall_NL_old",
                    "recall_NL_new",
                    "recall_div",
                    "recall_sharp",
                    "recall_L2",
                    "recall_TV",
                    "recall_classes",
                    "recall_bs");

    public static final int STEP_A = 0,
            STEP_B = 1,
            RECALL = 2,
            R_D = 3,
            R_NL_OLD = 4,
            R_NL_NEW = 5,
            R_DIV = 6,
            R_SHARP = 7,
            R_L2 = 8,
            R_TV = 9,
            R_CLASSES = 10,
            R_BS = 11;

    private static final ThreadLocal<LossLog> CURRENT = new ThreadLocal<>();

    private final double[] sum = new double[COLUMNS.size()];
    private final int[] count = new int[COLUMNS.size()];

    /** When not null, every value added as {column, value}, in order (see {@link #keepEvery}). */
    private List<double[]> every;

    /**
     * Also keeps every value added, in order, not only the means: the single refinement steps, for
     * tests that compare them one by one. Returns the live list.
     */
    public List<double[]> keepEvery() {
        every = new ArrayList<>();
        return every;
    }

    /** Collects into this log on the calling thread until {@link #stop}. */
    public void start() {
        Arrays.fill(sum, 0);
        Arrays.fill(count, 0);
        CURRENT.set(this);
    }

    public void stop() {
        CURRENT.remove();
    }

    /** The row's values: per column the mean of what was added, NaN where nothing was. */
    public double[] values() {
        double[] v = new double[sum.length];
        for (int i = 0; i < v.length; i++) v[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
        return v;
    }

    /**
     * Whether the iteration on this thread is logged: its values are read back as they are made, so
     * a step that adds one waits for the device (and cannot be captured as a graph).
     */
    public static boolean logging() {
        return CURRENT.get() != null;
    }

    /** Adds a scalar loss to {@code column} when this iteration is logged. */
    public static void add(int column, Var loss) {
        LossLog l = CURRENT.get();
        if (l != null) l.put(column, loss.value.item());
    }

    /** Adds a value already read to {@code column} when this iteration is logged. */
    public static void add(int column, float value) {
        LossLog l = CURRENT.get();
        if (l != null) l.put(column, value);
    }

    /** {@code term} itself, its value added to {@code column} when this iteration is logged. */
    public static Var term(int column, Var term) {
        add(column, term);
        return term;
    }

    private void put(int column, float v) {
        if (every != null) every.add(new double[] {column, v});
        sum[column] += v;
        count[column]++;
    }
}
