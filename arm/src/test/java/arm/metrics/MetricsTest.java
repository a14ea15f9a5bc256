package arm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.metrics.Metrics.Split;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made accuracy histories with answers computed by hand (K = 6, 3 tasks of 2 classes). */
class MetricsTest {
    static final double EPS = 1e-12;

    static EvalPoint point(int t, int[] seen, int lastTask, double[] test, double pooled) {
        double[] val = new double[test.length];
        for (int c = 0; c < val.length; c++) val[c] = 1 - test[c]; // val differs, to catch mix-ups
        return new EvalPoint(t, seen, lastTask, val, test, 1 - pooled, pooled);
    }

    static final int[] NONE = {}, T0 = {0, 1}, T01 = {0, 1, 2, 3}, ALL = {0, 1, 2, 3, 4, 5};

    static List<EvalPoint> history() {
        return List.of(
                // t = 0: nothing seen; high accuracies that must never count as a "best"
                point(0, NONE, -1, new double[] {1, 1, 1, 1, 1, 1}, 0.1),
                // after task 0: task0 = (0.9+0.7)/2 = 0.8
                point(10, T0, 0, new double[] {0.9, 0.7, 0, 0, 0, 0}, 0.3),
                // after task 1: task0 = 0.4, task1 = 0.8; avg 0.6; forgetting = 0.8-0.4 = 0.4
                point(20, T01, 1, new double[] {0.5, 0.3, 0.6, 1.0, 0, 0}, 0.4),
                // after task 2: task0 = 0.6, task1 = 0.3, task2 = 0.9; avg 0.6
                // forgetting: task0 best max(0.8, 0.4) = 0.8 -> 0.2; task1 best 0.8 -> 0.5; mean
                // 0.35
                point(30, ALL, 2, new double[] {0.7, 0.5, 0.2, 0.4, 1.0, 0.8}, 0.5));
    }

    @Test
    void perTaskAverageAndForgetting() {
        Metrics m = Metrics.of(history(), Split.TEST, 6, 2, false);
        assertThat(m.t()).containsExactly(0, 10, 20, 30);
        assertThat(m.perTask()[0]).containsOnly(Double.NaN);
        assertThat(m.perTask()[1][0]).isCloseTo(0.8, within(EPS));
        assertThat(m.perTask()[1][1]).isNaN();
        assertThat(m.perTask()[2])
                .containsExactly(new double[] {0.4, 0.8, Double.NaN}, within(EPS));
        assertThat(m.perTask()[3]).containsExactly(new double[] {0.6, 0.3, 0.9}, within(EPS));
        assertThat(m.accuracy()[0]).isNaN();
        assertThat(m.accuracy()[1]).isCloseTo(0.8, within(EPS));
        assertThat(m.accuracy()[2]).isCloseTo(0.6, within(EPS));
        assertThat(m.accuracy()[3]).isCloseTo(0.6, within(EPS));
        assertThat(m.forgetting()[0]).isNaN();
        assertThat(m.forgetting()[1]).isNaN(); // needs at least 3 evaluations
        assertThat(m.forgetting()[2]).isCloseTo(0.4, within(EPS));
        assertThat(m.forgetting()[3]).isCloseTo(0.35, within(EPS));
        assertThat(m.finalAccuracy()).isCloseTo(0.6, within(EPS));
        assertThat(m.finalForgetting()).isCloseTo(0.35, within(EPS));
        assertThat(m.pooled()).containsExactly(0.1, 0.3, 0.4, 0.5);
    }

    @Test
    void valSplitUsesValNumbers() {
        Metrics m = Metrics.of(history(), Split.VAL, 6, 2, false);
        // val per class = 1 - test: task0 at t=10 = (0.1+0.3)/2 = 0.2; at t=20 = 0.6; at t=30 = 0.4
        // task1 at t=20 = (0.4+0)/2 = 0.2, at t=30 = 0.7; task2 at t=30 = 0.1
        assertThat(m.perTask()[3]).containsExactly(new double[] {0.4, 0.7, 0.1}, within(EPS));
        assertThat(m.accuracy()[3]).isCloseTo(0.4, within(EPS));
        // t=20: task0 best 0.2 -> 0.2 - 0.6 = -0.4 (not clipped)
        assertThat(m.forgetting()[2]).isCloseTo(-0.4, within(EPS));
        // t=30: task0 best max(0.2, 0.6) = 0.6 -> 0.2; task1 best 0.2 -> -0.5; mean -0.15
        assertThat(m.forgetting()[3]).isCloseTo(-0.15, within(EPS));
        assertThat(m.pooled()[3]).isCloseTo(0.5, within(EPS));
    }

    @Test
    void bestExcludesTheCurrentEvaluationAndOnlyCoversTasksBeforeTheLastOne() {
        // lastTask = 1 at the final point although task 2 is "seen": only task 0 counts
        List<EvalPoint> h =
                List.of(
                        point(0, NONE, -1, new double[6], 0),
                        point(5, T0, 0, new double[] {0.5, 0.5, 0, 0, 0, 0}, 0),
                        point(10, ALL, 1, new double[] {0.9, 0.9, 0.2, 0.2, 0.1, 0.1}, 0));
        Metrics m = Metrics.of(h, Split.TEST, 6, 2, false);
        assertThat(m.forgetting()[2]).isCloseTo(0.5 - 0.9, within(EPS));
    }

    @Test
    void stationaryReportsPooledOnly() {
        Metrics m = Metrics.of(history(), Split.TEST, 6, 2, true);
        assertThat(m.accuracy()).containsExactly(0.1, 0.3, 0.4, 0.5);
        assertThat(m.forgetting()).containsOnly(Double.NaN);
        assertThat(m.perTask()[3]).containsOnly(Double.NaN);
        assertThat(m.finalAccuracy()).isEqualTo(0.5);
        assertThat(m.finalForgetting()).isNaN();
    }

    @Test
    void partlySeenTaskCountsAllItsClasses() {
        List<EvalPoint> h =
                List.of(
                        point(0, NONE, -1, new double[6], 0),
                        point(1, new int[] {0}, 0, new double[] {0.8, 0.2, 0.5, 0.5, 0.5, 0.5}, 0));
        Metrics m = Metrics.of(h, Split.TEST, 6, 2, false);
        assertThat(m.perTask()[1][0]).isCloseTo(0.5, within(EPS));
        assertThat(m.perTask()[1][1]).isNaN();
    }

    @Test
    void populationStd() {
        Metrics.Stat s = Metrics.stat(1, 2, 3, 4);
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.std()).isCloseTo(Math.sqrt(1.25), within(EPS));
        assertThat(Metrics.stat(7).std()).isZero();
    }
}
