package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * GEM's dual program against answers derived by hand: v* from the KKT conditions, g̃ = g + Gᵀv* the
 * projection of g onto the cone {⟨g̃, G_k⟩ ≥ 0} (margin 0, ε 0 unless stated).
 */
class GemProjectionTest {
    private static void assertProjects(
            float[] g, float[][] mem, double margin, double eps, double[] v, float[] expected) {
        assertThat(GemProjection.dual(g, mem, margin, eps)).containsExactly(v, within(1e-6));
        assertThat(GemProjection.project(g, mem, margin, eps))
                .containsExactly(expected, within(1e-6f));
    }

    @Test
    void noViolationLeavesTheGradientAlone() {
        float[] g = {1, 1};
        float[][] mem = {{1, 0}};
        assertThat(GemProjection.violates(g, mem)).isFalse();
        // min ½v² + v, v ≥ 0 → v = 0
        assertProjects(g, mem, 0, 1e-3, new double[] {0}, g);
    }

    @Test
    void oneConstraintIn2d() {
        float[] g = {-1, 1};
        float[][] mem = {{1, 0}};
        assertThat(GemProjection.violates(g, mem)).isTrue();
        // min ½v² − v → v = 1; g̃ = (0, 1), the closest point with g̃₁ ≥ 0
        assertProjects(g, mem, 0, 0, new double[] {1}, new float[] {0, 1});
        // with ε: v = 1 / (1 + ε)
        double v = 1 / 1.001;
        assertProjects(g, mem, 0, 1e-3, new double[] {v}, new float[] {(float) (v - 1), 1});
    }

    @Test
    void marginPushesIntoTheCone() {
        // min ½v² + v s.t. v ≥ 0.5 → v = 0.5 (the bound), g̃ = (1.5, 1)
        assertProjects(
                new float[] {1, 1},
                new float[][] {{1, 0}},
                0.5,
                0,
                new double[] {0.5},
                new float[] {1.5f, 1});
    }

    @Test
    void twoActiveConstraintsIn3d() {
        // G Gᵀ = I, G g = (−1, −1) → v = (1, 1); g̃ = (0, 0, 1): the corner of x ≥ 0, y ≥ 0
        assertProjects(
                new float[] {-1, -1, 1},
                new float[][] {{1, 0, 0}, {0, 1, 0}},
                0,
                0,
                new double[] {1, 1},
                new float[] {0, 0, 1});
    }

    @Test
    void oneOfTwoConstraintsInactive() {
        // G g = (−1, 1): v = (1, 0), g̃ = (0, 1, 0)
        assertProjects(
                new float[] {-1, 1, 0},
                new float[][] {{1, 0, 0}, {0, 1, 0}},
                0,
                0,
                new double[] {1, 0},
                new float[] {0, 1, 0});
    }

    @Test
    void obliqueConstraintsMeetAtTheApex() {
        // cone y ≥ |x|; g = (0, −1): G Gᵀ = 2I, G g = (−1, −1) → v = (½, ½), g̃ = 0
        assertProjects(
                new float[] {0, -1},
                new float[][] {{1, 1}, {-1, 1}},
                0,
                0,
                new double[] {0.5, 0.5},
                new float[] {0, 0});
    }

    @Test
    void coupledConstraintsWhereTheUnconstrainedOptimumIsInfeasible() {
        // G Gᵀ = [[1,1],[1,2]], G g = (−2, −1): the free optimum (3, −1) breaks v₂ ≥ 0; with v₂ =
        // 0, v₁ = 2 and ∂/∂v₂ = 2 − 1 ≥ 0 (KKT holds). g̃ = (0, 1): x ≥ 0 and x + y ≥ 0 both hold.
        assertProjects(
                new float[] {-2, 1},
                new float[][] {{1, 0}, {1, 1}},
                0,
                0,
                new double[] {2, 0},
                new float[] {0, 1});
    }

    /**
     * Random programs of the sizes GEM meets (up to 19 past tasks on MiniImageNet-20), with
     * correlated memory gradients of very different norms: ojAlgo's v* satisfies the KKT conditions
     * of the dual (v ≥ margin, ∇ ≥ 0, (v − margin)·∇ = 0) to 10⁻⁹ of the size of ∇'s terms (without
     * the row scaling in {@link GemProjection#dual} the solver misses this by far).
     */
    @Test
    void solverAnswersSatisfyTheOptimalityConditions() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int p = 300;
        for (int t : new int[] {1, 2, 3, 5, 8, 13, 19})
            for (int trial = 0; trial < 4; trial++) {
                float[] base = new float[p], g = new float[p];
                for (int i = 0; i < p; i++) base[i] = (float) r.nextGaussian();
                float[][] mem = new float[t][p];
                for (int k = 0; k < t; k++) {
                    double scale = Math.pow(10, r.nextDouble(-2, 3)), mix = r.nextDouble();
                    for (int i = 0; i < p; i++)
                        mem[k][i] = (float) (scale * (mix * base[i] + r.nextGaussian()));
                }
                for (int i = 0; i < p; i++) g[i] = (float) (-0.5 * base[i] + r.nextGaussian());
                double margin = trial % 2 == 0 ? 0.5 : 0, eps = 1e-3;
                double[] v = GemProjection.dual(g, mem, margin, eps);
                // ∇_k = ⟨G_k, g + Gᵀv⟩ + ε v_k, judged against the size of its terms
                double gNorm = Math.sqrt(GemProjection.dot(g, g)), sv = 0;
                double[] s = new double[t], grad = new double[t];
                for (int k = 0; k < t; k++) {
                    s[k] = Math.sqrt(GemProjection.dot(mem[k], mem[k]));
                    sv += s[k] * Math.abs(v[k]);
                }
                for (int k = 0; k < t; k++) {
                    grad[k] = GemProjection.dot(mem[k], g) + eps * v[k];
                    for (int j = 0; j < t; j++) grad[k] += GemProjection.dot(mem[k], mem[j]) * v[j];
                    double tol = 1e-9 * s[k] * (gNorm + sv);
                    String what = "t=" + t + " trial " + trial + " k=" + k;
                    assertThat(v[k]).as(what).isGreaterThanOrEqualTo(margin - 1e-9);
                    assertThat(grad[k]).as(what).isGreaterThanOrEqualTo(-tol);
                    assertThat(Math.abs((v[k] - margin) * grad[k]))
                            .as(what)
                            .isLessThanOrEqualTo(tol * Math.max(1, Math.abs(v[k])));
                }
            }
    }
}
