package arm.run;

import arm.method.Method;

/** Receives progress from a running {@link Method}; called from the run's own thread. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (t, maxT) -> {};

    /**
     * Iteration {@code t} (0-based) of {@code maxT} has finished training. Called once per training
     * iteration; the CLI turns it into a progress bar with an ETA.
     */
    void iterationDone(int t, int maxT);
}
