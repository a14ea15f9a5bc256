package arm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.metrics.Metrics.Split;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finer evaluations (eval_every below T, for the per-task curves) must leave the reported numbers
 * exactly as the task-boundary protocol computes them: forgetting's "best" comes from boundary
 * evaluations only.
 */
class MetricsBoundaryTest {

    /** {@link MetricsTest#history()} (T = 10) with a point between each pair of boundaries. */
    static List<EvalPoint> finer() {
        List<EvalPoint> h = new ArrayList<>(MetricsTest.history());
        // mid-task peaks higher than any boundary value: must not become a "best"
        h.add(
                2,
                MetricsTest.point(
                        15, new int[] {0, 1, 2}, 1, new double[] {1, 1, 1, 0, 0, 0}, 0.9));
        h.add(
                4,
                MetricsTest.point(
                        25, new int[] {0, 1, 2, 3, 4}, 2, new double[] {1, 1, 1, 1, 1, 0}, 0.9));
        return h;
    }

    @Test
    void boundaryValuesAreThoseOfTheBoundaryOnlyHistory() {
        Metrics coarse = Metrics.of(MetricsTest.history(), Split.TEST, 6, 2, false);
        Metrics fine = Metrics.of(finer(), Split.TEST, 6, 2, false, 10);
        assertThat(fine.t()).containsExactly(0, 10, 15, 20, 25, 30);
        int[] boundary = {0, 1, 3, 5};
        for (int i = 0; i < boundary.length; i++) {
            // boxed: Double.equals holds for NaN == NaN (undefined at the same points)
            assertThat(Double.valueOf(fine.accuracy()[boundary[i]]))
                    .isEqualTo(Double.valueOf(coarse.accuracy()[i]));
            assertThat(Double.valueOf(fine.forgetting()[boundary[i]]))
                    .isEqualTo(Double.valueOf(coarse.forgetting()[i]));
        }
        assertThat(fine.finalAccuracy()).isCloseTo(0.6, within(1e-12));
        assertThat(fine.finalForgetting()).isCloseTo(0.35, within(1e-12));
        // between boundaries: forgetting against the boundary bests so far (task 0 best 0.8 at t =
        // 10)
        assertThat(fine.forgetting()[2]).isCloseTo(0.8 - 1.0, within(1e-12));
    }

    @Test
    void countingEveryEvaluationIsTheAuthorsRuleForWhateverEvalFreq() {
        Metrics all = Metrics.of(finer(), Split.TEST, 6, 2, false);
        assertThat(all.finalForgetting())
                .isNotCloseTo(0.35, within(1e-3)); // the mid-task peaks count
        assertThat(Metrics.of(finer(), Split.TEST, 6, 2, false, 1).finalForgetting())
                .isEqualTo(all.finalForgetting());
    }
}
