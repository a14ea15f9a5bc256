package arm.method;

import java.util.Set;
import java.util.TreeSet;

/**
 * An independent float64 reference of the recall losses and the MLP, written straight from the
 * formulas of ALGORITHM.md §2.3 with plain loops (no autograd, no shared code with RecallLoss).
 * Arrays are row-major: logits [M·K], images [M·D].
 */
final class RecallRef {
    private RecallRef() {}

    static double[] softmax(double[] z, int m, int k) {
        double[] p = new double[m * k];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, z[i * k + j]);
            for (int j = 0; j < k; j++) s += Math.exp(z[i * k + j] - max);
            for (int j = 0; j < k; j++) p[i * k + j] = Math.exp(z[i * k + j] - max) / s;
        }
        return p;
    }

    /** 1 − (1/M) Σ_i ½[KL(m‖p) + KL(m‖q)]. */
    static double reversedKl(double[] a, double[] b, int m, int k) {
        double[] p = softmax(a, m, k), q = softmax(b, m, k);
        double d = 0;
        for (int x = 0; x < m * k; x++) {
            double mix = 0.5 * (p[x] + q[x]);
            d += 0.5 * (mix * Math.log(mix / p[x]) + mix * Math.log(mix / q[x]));
        }
        return 1 - d / m;
    }

    /** 1 − (1/M) Σ_i ½[KL(p‖m) + KL(q‖m)]. */
    static double jensenShannon(double[] a, double[] b, int m, int k) {
        double[] p = softmax(a, m, k), q = softmax(b, m, k);
        double d = 0;
        for (int x = 0; x < m * k; x++) {
            double mix = 0.5 * (p[x] + q[x]);
            d += 0.5 * (p[x] * Math.log(p[x] / mix) + q[x] * Math.log(q[x] / mix));
        }
        return 1 - d / m;
    }

    /** −(1/M) Σ_i softCE(b_i, p_i) = (1/M) Σ_i Σ_k p_ik log q_ik. */
    static double crossEntropyAsD(double[] a, double[] b, int m, int k) {
        double[] p = softmax(a, m, k), q = softmax(b, m, k);
        double s = 0;
        for (int x = 0; x < m * k; x++) s += p[x] * Math.log(q[x]);
        return s / m;
    }

    static double notLocal(double[] z, int m, int k, int[] present) {
        double[] p = softmax(z, m, k);
        Set<Integer> set = new TreeSet<>();
        for (int c : present) set.add(c);
        double s = 0;
        for (int i = 0; i < m; i++) for (int c : set) s += Math.log(p[i * k + c]);
        return s / set.size() / m;
    }

    static double diversity(double[] a, int m, int k) {
        double[] p = softmax(a, m, k);
        double s = 0;
        for (int j = 0; j < k; j++) {
            double bar = 0;
            for (int i = 0; i < m; i++) bar += p[i * k + j];
            bar /= m;
            if (bar < 2.220446049250313e-16) bar = 2.220446049250313e-16;
            s += bar * Math.log(bar);
        }
        return s;
    }

    static double sharpen(double[] a, int m, int k) {
        double[] p = softmax(a, m, k);
        double s = 0;
        for (int i = 0; i < m; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (a[i * k + j] > a[i * k + best]) best = j;
            s -= Math.log(p[i * k + best]);
        }
        return s / m;
    }

    static double l2(double[] x, int m) {
        int d = x.length / m;
        double s = 0;
        for (int i = 0; i < m; i++) {
            double sq = 0;
            for (int j = 0; j < d; j++) sq += x[i * d + j] * x[i * d + j];
            s += Math.sqrt(sq);
        }
        return s / ((double) m * d);
    }

    static double tv(double[] x, int m, int c, int h, int w) {
        double sh = 0, sw = 0;
        for (int img = 0; img < m * c; img++)
            for (int r = 0; r < h; r++)
                for (int col = 0; col < w; col++) {
                    double v = x[(img * h + r) * w + col];
                    if (r + 1 < h) sh += Math.pow(x[(img * h + r + 1) * w + col] - v, 2);
                    if (col + 1 < w) sw += Math.pow(x[(img * h + r) * w + col + 1] - v, 2);
                }
        return 2.0 / m * (sh / (c * (h - 1.0) * w) + sw / (c * h * (w - 1.0)));
    }

    static double ce(double[] a, int m, int k, int[] labels) {
        double[] p = softmax(a, m, k);
        double s = 0;
        for (int i = 0; i < m; i++) s -= Math.log(p[i * k + labels[i]]);
        return s / m;
    }

    /** The ARM recall loss with the code's reversed-KL divergence. */
    static double armLoss(
            RecallLoss.Weights w, double[] a, double[] b, double[] x, int m, int k, int[] present) {
        int[] s = w.imageShape();
        return w.wD() * reversedKl(a, b, m, k)
                + w.lambda1() * notLocal(a, m, k, present)
                + w.lambda2() * notLocal(b, m, k, present)
                + w.lambda3() * diversity(a, m, k)
                + w.lambda4() * sharpen(a, m, k)
                + w.lambda5() * l2(x, m)
                + w.lambda6() * tv(x, m, s[0], s[1], s[2]);
    }

    /** Linear layers y = x·Wᵀ + b with ReLU between them; weights given as {W1, b1, W2, b2, …}. */
    static double[] mlp(double[] x, int m, int[] widths, double[][] wb) {
        double[] h = x;
        for (int l = 0; l + 1 < widths.length; l++) {
            int in = widths[l], out = widths[l + 1];
            double[] w = wb[2 * l], bias = wb[2 * l + 1], y = new double[m * out];
            for (int i = 0; i < m; i++)
                for (int o = 0; o < out; o++) {
                    double s = bias[o];
                    for (int j = 0; j < in; j++) s += h[i * in + j] * w[o * in + j];
                    y[i * out + o] = (l + 2 < widths.length) ? Math.max(0, s) : s;
                }
            h = y;
        }
        return h;
    }
}
