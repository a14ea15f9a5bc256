package arm.run;

/**
 * Where a run writes its training log, one row per logged iteration ({@link LossLog} holds the
 * columns). {@link arm.method.ContinualMethod} calls {@link #restart} once before training (with
 * the checkpoint's t when it resumes, else 0), {@link #row} after every K-th iteration, {@link
 * #flush} before every checkpoint and at the end. The CLI writes runs/&lt;run&gt;/train-log.csv
 * (arm.report.TrainLogFile); {@link #NONE} logs nothing.
 */
public interface TrainLog {

    TrainLog NONE =
            new TrainLog() {
                @Override
                public int every() {
                    return 0;
                }

                @Override
                public void restart(int t) {}

                @Override
                public void row(int t, int task, float lr, double seconds, double[] values) {}

                @Override
                public void flush() {}
            };

    /** K: iterations t with t mod K = 0 are logged; 0 = none. */
    int every();

    /** Drops every row at t or later: the run (re)starts at iteration {@code t}. */
    void restart(int t);

    /**
     * One row: iteration t, its task, the learning rate, training seconds so far, and {@link
     * LossLog#COLUMNS}' values (NaN where the iteration has none).
     */
    void row(int t, int task, float lr, double seconds, double[] values);

    /** Puts the rows written so far on disk (before a checkpoint: a resume never loses one). */
    void flush();
}
