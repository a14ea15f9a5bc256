package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Herding and the nearest-mean classifier on cases worked out by hand. */
class HerdingTest {
    @Test
    void herdingKeepsTheRunningMeanClosestToTheClassMean() {
        // φ = 0, 1, 2, 10; μ = 3.25.
        // k=0: |3.25 − φ| = 3.25, 2.25, 1.25, 6.75 → 2 (index 2)
        // k=1: |3.25 − (φ + 2)/2| for 0, 1, 10 = 2.25, 1.75, 2.75 → 1 (index 1)
        // k=2: |3.25 − (φ + 3)/3| for 0, 10 = 2.25, 1.0 → 10 (index 3); then 0 (index 0).
        // Nearest-to-the-mean order would be 2, 1, 0, 10: herding differs at the third pick.
        float[][] phi = {{0}, {1}, {2}, {10}};
        assertThat(Herding.select(phi, 4)).containsExactly(2, 1, 3, 0);
        assertThat(Herding.select(phi, 2)).containsExactly(2, 1);
        assertThat(Herding.select(phi, 9)).containsExactly(2, 1, 3, 0); // fewer samples than m
    }

    @Test
    void herdingIn2d() {
        // φ = (0,0), (2,0), (0,2), (2,2), (1,1); μ = (1,1): the centre first.
        // k=1, s = (1,1): ‖(1,1) − (φ + (1,1))/2‖ is √2/2 for every corner → lowest index, (0,0).
        // k=2, s = (1,1): ‖(1,1) − (φ + (1,1))/3‖ → (2,2) gives 0 → index 3.
        float[][] phi = {{0, 0}, {2, 0}, {0, 2}, {2, 2}, {1, 1}};
        assertThat(Herding.select(phi, 3)).containsExactly(4, 0, 3);
    }

    @Test
    void nearestMeanScoresAreMinusTheDistances() {
        // means: class 0 at (0,0), class 1 absent, class 2 at (3,4)
        float[] means = {0, 0, 9, 9, 3, 4};
        boolean[] present = {true, false, true};
        float[] x = {0, 1, 3, 3, 3, 4};
        float[] s = Herding.nearestMean(x, 3, means, present);
        float no = -Float.MAX_VALUE;
        assertThat(s)
                .containsExactly(
                        new float[] {
                            -1,
                            no,
                            -(float) Math.sqrt(18),
                            -(float) Math.sqrt(18),
                            no,
                            -1,
                            -5,
                            no,
                            0
                        },
                        within(1e-6f));
    }
}
