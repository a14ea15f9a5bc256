package arm.cli;

import arm.metrics.Metrics;
import arm.run.RunResult;

/**
 * One finished run: which method and seed, its raw evaluations and timings, and the metrics of both
 * splits.
 *
 * @param run 0-based run index; the seed is seed0 + run
 * @param wallSeconds wall time of the whole run: building its data split, training, evaluating (a
 *     resumed run: its training and evaluation time over every process that ran it, if larger)
 */
record RunRecord(
        String method,
        int run,
        long seed,
        boolean stationary,
        double wallSeconds,
        RunResult result,
        Metrics test,
        Metrics val) {}
