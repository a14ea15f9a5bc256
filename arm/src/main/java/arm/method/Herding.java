package arm.method;

import java.util.Arrays;

/**
 * iCaRL's exemplar selection by herding (Rebuffi et al. 2017, algorithm 4; the GEM code's
 * icarl.py): exemplars are picked one at a time so that the mean of the picked features stays as
 * close as possible to the class mean μ. With s the sum of the k features picked so far, the next
 * one is
 *
 * <pre>
 * argmin over not-yet-picked i of ‖ μ − (φ_i + s) / (k + 1) ‖₂
 * </pre>
 *
 * (ties: the lowest index). The order matters: iCaRL shrinks an exemplar set by keeping its first
 * m.
 */
final class Herding {
    private Herding() {}

    /**
     * @param features φ_i, one row per sample of the class, all of one length
     * @param m how many to pick (fewer if the class has fewer samples)
     * @return the picked rows' indices, in the order picked
     */
    static int[] select(float[][] features, int m) {
        int n = features.length;
        if (n == 0) return new int[0];
        int d = features[0].length;
        double[] mu = new double[d], sum = new double[d];
        for (float[] f : features) for (int j = 0; j < d; j++) mu[j] += f[j];
        for (int j = 0; j < d; j++) mu[j] /= n;
        boolean[] taken = new boolean[n];
        int[] out = new int[Math.min(m, n)];
        for (int k = 0; k < out.length; k++) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (taken[i]) continue;
                double c = 0;
                for (int j = 0; j < d; j++) {
                    double diff = mu[j] - (features[i][j] + sum[j]) / (k + 1);
                    c += diff * diff;
                }
                if (c < bestCost) {
                    bestCost = c;
                    best = i;
                }
            }
            taken[best] = true;
            out[k] = best;
            for (int j = 0; j < d; j++) sum[j] += features[best][j];
        }
        return out;
    }

    /**
     * The nearest-mean-of-exemplars scores: −‖φ(x_r) − μ_c‖₂ for every class c with a mean, and
     * −Float.MAX_VALUE for a class without (never the argmax while some class has one).
     *
     * @param features φ(x_r), [rows × d] row-major
     * @param means μ_c, [classes × d] row-major; ignored where {@code present[c]} is false
     * @return [rows × classes] row-major
     */
    static float[] nearestMean(float[] features, int rows, float[] means, boolean[] present) {
        int classes = present.length, d = means.length / classes;
        float[] out = new float[rows * classes];
        Arrays.fill(out, -Float.MAX_VALUE);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < classes; c++) {
                if (!present[c]) continue;
                double s = 0;
                for (int j = 0; j < d; j++) {
                    double diff = features[r * d + j] - means[c * d + j];
                    s += diff * diff;
                }
                out[r * classes + c] = (float) -Math.sqrt(s);
            }
        return out;
    }
}
