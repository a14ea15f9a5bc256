package arm.method;

import arm.data.ContinualData;
import arm.run.Checkpointer;
import arm.run.ProgressListener;
import arm.run.Recording;
import arm.run.RunResult;
import arm.run.TrainLog;
import java.util.Map;

/**
 * One continual-learning method (Naive, Stationary, Distill, ADI, ARM, …) as the CLI sees it: a
 * configured object that trains a fresh model on one pass of a stream and reports its evaluations.
 *
 * <p>Contract (the CLI and the metrics rely on it):
 *
 * <ul>
 *   <li>An instance holds only its hyperparameters, already validated by {@link Methods#create};
 *       {@link #run} builds a fresh model and may be called for several seeds, possibly from
 *       several threads at once (one run per thread; a run itself is single-threaded).
 *   <li>{@code run} trains on {@code data.stream()} in batches of {@code data.batchSize()} and
 *       evaluates f_cur on val and test at t = 0, T, 2T, …, max_t (ALGORITHM.md §6.1), returning
 *       one {@link arm.metrics.EvalPoint} per evaluation in time order. {@link
 *       arm.metrics.Evaluator} computes the per-class and pooled accuracies.
 *   <li>Everything random in the run (weight init, recall draws, noise) comes from {@code seed}.
 *       The data (within-task order, val split) is already fixed in {@code data}.
 *   <li>Bad hyperparameters are rejected in {@link Methods#create} with an {@link
 *       IllegalArgumentException} whose message is one line naming the option and the value.
 * </ul>
 */
public interface Method {

    /** The name used on the command line and in results, e.g. "ARM". */
    String name();

    /**
     * True if the method wants the stationary stream (one shuffled pass over the same training
     * samples) and is scored by pooled accuracy only (ALGORITHM.md §3.1, §6.2).
     */
    default boolean stationary() {
        return false;
    }

    /** The resolved hyperparameters (defaults plus overrides), for echoing and for results.json. */
    Map<String, String> options();

    /**
     * Trains one fresh model on one pass of {@code data} and evaluates it.
     *
     * @param data the stream, val and test splits (not modified)
     * @param seed seeds everything random inside the run
     * @param progress told after every training iteration; never null (use {@link
     *     ProgressListener#NONE})
     */
    RunResult run(ContinualData data, long seed, ProgressListener progress);

    /**
     * {@link #run(ContinualData, long, ProgressListener)} that also records what {@code recording}
     * asks for, where the method has it (recall history and images, the gradient study). Recording
     * never changes the run's training or evaluations. The default records nothing.
     */
    default RunResult run(
            ContinualData data, long seed, ProgressListener progress, Recording recording) {
        return run(data, seed, progress);
    }

    /**
     * {@link #run(ContinualData, long, ProgressListener, Recording)} with checkpoints: continues
     * from {@code checkpoints.restore()} when it returns a state, saves when {@code
     * checkpoints.due} says so and at the end. The result equals, bit for bit except timings, that
     * of a run that never stopped (recordings included). Methods without checkpoint support ignore
     * {@code checkpoints} and always start afresh.
     */
    default RunResult run(
            ContinualData data,
            long seed,
            ProgressListener progress,
            Recording recording,
            Checkpointer checkpoints) {
        return run(data, seed, progress, recording);
    }

    /**
     * {@link #run(ContinualData, long, ProgressListener, Recording, Checkpointer)} that also writes
     * the training log ({@link TrainLog}): losses, learning rate and time of every K-th iteration.
     * The log never changes the run. The default logs nothing.
     */
    default RunResult run(
            ContinualData data,
            long seed,
            ProgressListener progress,
            Recording recording,
            Checkpointer checkpoints,
            TrainLog log) {
        return run(data, seed, progress, recording, checkpoints);
    }

    /**
     * {@link #run(ContinualData, long, ProgressListener, Recording, Checkpointer)} recording
     * nothing.
     */
    default RunResult run(
            ContinualData data, long seed, ProgressListener progress, Checkpointer checkpoints) {
        return run(data, seed, progress, Recording.NONE, checkpoints);
    }

    /** The method a decorator wraps (tests hook runs this way), or this method itself. */
    default Method unwrap() {
        return this;
    }
}
