package arm.run;

import arm.autograd.Var;
import arm.method.RecallLoss;
import arm.method.Stepper;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Scope;
import arm.tensor.Tensor;
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

    private static final java.util.concurrent.atomic.AtomicLong LOGS =
            new java.util.concurrent.atomic.AtomicLong();

    /** This log's number (a captured step that adds to it belongs to it: {@link #captureKey}). */
    private final long serial = LOGS.incrementAndGet();

    private final double[] sum = new double[COLUMNS.size()];
    private final int[] count = new int[COLUMNS.size()];

    /** When not null, every value added as {column, value}, in order (see {@link #keepEvery}). */
    private List<double[]> every;

    /**
     * Per column, a device scalar summing the values of captured steps' runs ({@link
     * CapturedStep}), how many values it holds, and whether it must be zeroed before the next run
     * adds to it.
     */
    private final Tensor[] deferred = new Tensor[COLUMNS.size()];

    private final int[] pending = new int[COLUMNS.size()];
    private final boolean[] unzeroed = new boolean[COLUMNS.size()];

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

    /** Stops collecting; the values of captured steps are read back here, once per column. */
    public void stop() {
        CURRENT.remove();
        for (int c = 0; c < deferred.length; c++) {
            if (pending[c] == 0) continue;
            Backend be = Backends.of(deferred[c]);
            sum[c] += be.download(deferred[c])[0];
            count[c] += pending[c];
            pending[c] = 0;
            be.fill(deferred[c], 0f);
        }
    }

    /** The row's values: per column the mean of what was added, NaN where nothing was. */
    public double[] values() {
        double[] v = new double[sum.length];
        for (int i = 0; i < v.length; i++) v[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
        return v;
    }

    /**
     * Whether a step on this thread that adds values may be captured as a graph: yes unless the log
     * keeps every value ({@link #keepEvery}), which needs each step's own values.
     */
    public static boolean capturable() {
        LossLog l = CURRENT.get();
        return l == null || l.every == null;
    }

    /**
     * What a graph captured on this thread bakes in of the log: "" when no iteration is logged,
     * else this log's own name. A graph captured while logging adds to this log's device scalars
     * and one captured without adds nothing, so a graph reused across iterations is keyed by it.
     */
    public static String captureKey() {
        LossLog l = CURRENT.get();
        return l == null ? "" : " log " + l.serial;
    }

    /**
     * Adds a scalar loss to {@code column} when this iteration is logged. Inside a step being
     * captured the value is not read (a host wait): each run of the step adds it to a device scalar
     * of the column instead, read once when the log stops (so the mean sums those values in float,
     * and they are not in {@link #keepEvery}'s list).
     */
    public static void add(int column, Var loss) {
        LossLog l = CURRENT.get();
        if (l == null) return;
        if (CapturedStep.capturing()) l.defer(column, loss.value);
        else l.put(column, loss.value.item());
    }

    private void defer(int column, Tensor value) {
        Backend be = Backends.of(value);
        if (deferred[column] == null) { // made inside the capture: zeroed before the first run
            deferred[column] = Scope.outside(() -> be.empty(1));
            unzeroed[column] = true;
        }
        Tensor d = deferred[column];
        CapturedStep.everyRun(
                () -> {
                    if (unzeroed[column]) be.fill(d, 0f);
                    unzeroed[column] = false;
                    pending[column]++;
                });
        be.axpy(1f, value, d);
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
