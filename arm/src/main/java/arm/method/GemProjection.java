package arm.method;

import org.ojalgo.matrix.store.R064Store;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.convex.ConvexSolver;

/**
 * GEM's gradient projection (docs/ALGORITHM.md "GEM"; the GEM code's project2cone2). Given the
 * proposed gradient g (p values) and the gradients G_1 … G_t of the past tasks' memories, GEM
 * solves the dual of "the g̃ closest to g with ⟨g̃, G_k⟩ ≥ 0 for every k":
 *
 * <pre>
 * v* = argmin_v ½ vᵀ (G Gᵀ + ε I) v + (G g)ᵀ v   subject to v ≥ margin   (t variables)
 * g̃  = Gᵀ v* + g
 * </pre>
 *
 * ε keeps G Gᵀ positive definite when two memories' gradients are parallel; a positive margin (the
 * GEM code's memory_strength) pushes g̃ further into the cone. The t × t program is solved by
 * ojAlgo's convex (active-set) solver, rows scaled to unit norm ({@link #dual}); the p-dimensional
 * products are ours, in double precision.
 */
final class GemProjection {
    private GemProjection() {}

    /**
     * True if ⟨g, G_k⟩ &lt; 0 for some past task k: the step would, to first order, raise its loss.
     */
    static boolean violates(float[] g, float[][] mem) {
        for (float[] gk : mem) if (dot(gk, g) < 0) return true;
        return false;
    }

    /**
     * g̃ = Gᵀ v* + g with v* the dual solution above.
     *
     * @param g the proposed gradient
     * @param mem the past tasks' gradients, one row each, as long as g
     * @throws IllegalStateException the solver found no optimum (one line)
     */
    static float[] project(float[] g, float[][] mem, double margin, double eps) {
        double[] v = dual(g, mem, margin, eps);
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) out[i] = g[i];
        for (int k = 0; k < mem.length; k++)
            for (int i = 0; i < g.length; i++) out[i] += v[k] * mem[k][i];
        float[] f = new float[g.length];
        for (int i = 0; i < g.length; i++) f[i] = (float) out[i];
        return f;
    }

    /**
     * v*, the solution of the t-variable dual program. The solver sees it in w_k = s_k·v_k with s_k
     * = ‖G_k‖ (1 for a zero row), so that every row of its matrix has unit scale: the memories'
     * gradient norms can differ by orders of magnitude, and on such programs the active-set solver
     * otherwise settles on wrong active sets (GemProjectionTest's random programs).
     */
    static double[] dual(float[] g, float[][] mem, double margin, double eps) {
        int t = mem.length;
        double[] s = new double[t];
        for (int k = 0; k < t; k++) {
            if (mem[k].length != g.length)
                throw new IllegalArgumentException(
                        "memory gradient "
                                + k
                                + " has "
                                + mem[k].length
                                + " values, g "
                                + g.length);
            double n = Math.sqrt(dot(mem[k], mem[k]));
            s[k] = n > 0 ? n : 1;
        }
        R064Store q = R064Store.FACTORY.make(t, t), c = R064Store.FACTORY.make(t, 1);
        R064Store ai = R064Store.FACTORY.make(t, t), bi = R064Store.FACTORY.make(t, 1);
        for (int k = 0; k < t; k++) {
            for (int j = 0; j <= k; j++) {
                double p = dot(mem[k], mem[j]) / (s[k] * s[j]);
                q.set(k, j, p);
                q.set(j, k, p);
            }
            q.add(k, k, eps / (s[k] * s[k]));
            c.set(k, 0, -dot(mem[k], g) / s[k]); // ojAlgo minimises ½xᵀQx − Cᵀx
            ai.set(k, k, -1); // −w ≤ −margin·s
            bi.set(k, 0, -margin * s[k]);
        }
        Optimisation.Result r =
                ConvexSolver.newBuilder().objective(q, c).inequalities(ai, bi).build().solve();
        if (!r.getState().isOptimal())
            throw new IllegalStateException(
                    "GEM's dual program over " + t + " memories: solver state " + r.getState());
        double[] v = new double[t];
        for (int k = 0; k < t; k++) v[k] = r.doubleValue(k) / s[k];
        return v;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }
}
