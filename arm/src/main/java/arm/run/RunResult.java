package arm.run;

import arm.analysis.GradientStudy;
import arm.method.Method;
import arm.metrics.EvalPoint;
import java.util.List;

/**
 * What one run of a {@link Method} returns.
 *
 * @param evals one evaluation per evaluation time (t = 0, T, …, max_t, plus every eval_every when
 *     that is finer), in time order
 * @param trainSeconds wall time spent in training iterations (everything except evaluation)
 * @param evalSeconds time spent evaluating on val and test, summed over the evaluations; CPU runs
 *     may evaluate beside the training ({@link EvalQueue}), so train + eval can exceed the run's
 *     wall time
 * @param recall recall history and image pairs (Figs. 2–3) when the run recorded them, else null
 *     ({@link Recording#recall})
 * @param gradients the gradient study on the final model (Fig. 7) when the run did it, else null
 * @param studySeconds wall time of that gradient study (an analysis after training: not part of the
 *     run's time, reported apart)
 * @param generated GEN's and GEN-MIR's samples at every task end when the run recorded figures,
 *     else null
 */
public record RunResult(
        List<EvalPoint> evals,
        double trainSeconds,
        double evalSeconds,
        RecallRecord recall,
        GradientStudy.Result gradients,
        double studySeconds,
        GeneratedSamples generated) {

    public RunResult {
        evals = List.copyOf(evals);
    }

    /** A run without generated samples. */
    public RunResult(
            List<EvalPoint> evals,
            double trainSeconds,
            double evalSeconds,
            RecallRecord recall,
            GradientStudy.Result gradients,
            double studySeconds) {
        this(evals, trainSeconds, evalSeconds, recall, gradients, studySeconds, null);
    }

    /** A run that recorded nothing beyond its evaluations. */
    public RunResult(List<EvalPoint> evals, double trainSeconds, double evalSeconds) {
        this(evals, trainSeconds, evalSeconds, null, null, 0, null);
    }
}
