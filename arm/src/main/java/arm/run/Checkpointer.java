package arm.run;

/**
 * Where a run keeps its checkpoints. {@link arm.method.ContinualMethod} asks it, at the top of
 * every iteration after any evaluation, whether a checkpoint is due, and saves the {@link RunState}
 * there; at the end it saves the finished state. The CLI implements it with files ({@code
 * arm.io.CheckpointStore}); {@link #NONE} keeps nothing.
 */
public interface Checkpointer {

    Checkpointer NONE =
            new Checkpointer() {
                @Override
                public RunState restore() {
                    return null;
                }

                @Override
                public boolean due(int t, boolean taskEnd) {
                    return false;
                }

                @Override
                public void save(RunState state) {}
            };

    /**
     * The state to continue from, or null to start at t = 0.
     *
     * @throws java.io.UncheckedIOException the checkpoint exists but cannot be used (the message
     *     says why, in one line)
     */
    RunState restore();

    /**
     * Whether to save before training iteration t (t &gt; 0). {@code taskEnd}: batch t−1 was the
     * last batch of a task (t is a multiple of the batches per task).
     */
    boolean due(int t, boolean taskEnd);

    /**
     * Saves {@code state}, replacing the previous checkpoint only once the new one is safely
     * written.
     *
     * @throws java.io.UncheckedIOException it could not be written; the previous one is intact
     */
    void save(RunState state);
}
