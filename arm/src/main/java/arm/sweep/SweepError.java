package arm.sweep;

/** Bad input to a sweep (an experiment file, a run id, a results folder): one line for the user. */
public final class SweepError extends IllegalArgumentException {
    public SweepError(String message) {
        super(message);
    }
}
