package arm.method;

import arm.metrics.EvalPoint;
import java.util.List;

/**
 * What one run of a {@link Method} returns.
 *
 * @param evals        one evaluation per evaluation time (t = 0, T, …, max_t), in time order
 * @param trainSeconds wall time spent in training iterations (everything except evaluation)
 * @param evalSeconds  wall time spent evaluating on val and test
 */
public record RunResult(List<EvalPoint> evals, double trainSeconds, double evalSeconds) {

  public RunResult {
    evals = List.copyOf(evals);
  }

  public double totalSeconds() {
    return trainSeconds + evalSeconds;
  }
}
