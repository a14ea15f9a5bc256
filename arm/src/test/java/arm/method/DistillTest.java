package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.data.ContinualData;
import arm.nn.Module;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Distill over whole runs, against an independent float64 replay of the authors' loop
 * (code/scripts/distill.py, {@code main}) written here with plain loops: f_old ← deepcopy(f_cur) at
 * t = 0, T, 2T, … <em>before</em> that iteration's hard-CE step; from t = recall_from_t on, a
 * second SGD step on λ0_real · KL(softmax(f_old(X)) ‖ softmax(f_cur(X))), batch mean, taken on the
 * f_cur that the hard step just updated. Another test checks one step term by term; this pins the
 * schedule around it (which network is the teacher, when it is refreshed, when distillation
 * starts), over three tasks.
 */
class DistillTest {
    // 6 classes, 3 tasks of 2 classes, 20 samples per class, 16 pixels, N = 4: T = 10, max_t = 30
    static final ContinualData DATA = Synthetic.data(21, 6, 2, 20, 16, 4);
    static final int HIDDEN = 8;
    static final double TOL =
            1e-5; // float32 run vs float64 replay after 50 SGD steps: ~1.5e-7 seen

    @Test
    void publishedScheduleMatchesTheAuthorsLoop() {
        check(Map.of(), new Schedule(10, 10, 1.0, false));
    }

    @Test
    void weightRecallStartAndLagOptionsMatchTheAuthorsFlags() {
        // --aux_distill_weight 0.5 --recall_from_t 5 and no --long_window (f_old = θ before this
        // step A)
        check(
                Map.of("lambda0_real", "0.5", "recall_from_t", "5", "lag", "unit"),
                new Schedule(1, 5, 0.5, false));
        // --fixed_window 7: refreshes at 0, 7, 14, … inside tasks
        check(Map.of("T", "7"), new Schedule(7, 10, 1.0, false));
    }

    @Test
    void theReplayTellsTheScheduleApart() {
        // the comparison above would catch a teacher copied after step A, distillation during the
        // first task, a teacher never refreshed after t = 0, or a missing weight: each moves f_cur
        // by more than 100 TOL (3e-3 to 3e-2 seen; f_cur itself moves ~0.1)
        double[][] right = replay(initial(Map.of()), new Schedule(10, 10, 1.0, false));
        for (Schedule wrong :
                List.of(
                        new Schedule(10, 10, 1.0, true),
                        new Schedule(10, 0, 1.0, false),
                        new Schedule(1000, 10, 1.0, false),
                        new Schedule(10, 10, 2.0, false)))
            assertThat(maxDiff(right, replay(initial(Map.of()), wrong)))
                    .as(wrong.toString())
                    .isGreaterThan(100 * TOL);
    }

    /** Runs our Distill through the whole stream and compares f_cur with the replay's. */
    private static void check(Map<String, String> options, Schedule s) {
        Stepper run = Stepper.create(Methods.create("Distill", opts(options)), DATA, 3);
        double[][] want = replay(params(run.model()), s);
        for (int t = 0; t < DATA.numBatches(); t++) run.train(t);
        assertThat(maxDiff(params(run.model()), want)).isLessThan(TOL);
    }

    private static Map<String, String> opts(Map<String, String> options) {
        Map<String, String> m = new HashMap<>(options);
        m.put("mlp_hidden", Integer.toString(HIDDEN));
        return m;
    }

    private static double[][] initial(Map<String, String> options) {
        return params(Stepper.create(Methods.create("Distill", opts(options)), DATA, 3).model());
    }

    /** fc1.weight, fc1.bias, fc2.weight, fc2.bias, fc3.weight, fc3.bias as doubles. */
    private static double[][] params(Module m) {
        return m.namedParameters().values().stream()
                .map(
                        p -> {
                            float[] f = p.value().toArray();
                            double[] d = new double[f.length];
                            for (int i = 0; i < f.length; i++) d[i] = f[i];
                            return d;
                        })
                .toArray(double[][]::new);
    }

    private static double maxDiff(double[][] a, double[][] b) {
        double m = 0;
        for (int l = 0; l < a.length; l++)
            for (int i = 0; i < a[l].length; i++) m = Math.max(m, Math.abs(a[l][i] - b[l][i]));
        return m;
    }

    /**
     * The authors' schedule: refresh every {@code window} iterations from t = 0 (window 1 = unit
     * lag), distill from {@code recallFrom}, KL weight {@code weight}; {@code copyAfterStepA} is a
     * deliberate error the replay must be able to tell apart.
     */
    record Schedule(int window, int recallFrom, double weight, boolean copyAfterStepA) {}

    /** distill.py's loop in float64 on our stream, from initial weights w (not modified). */
    static double[][] replay(double[][] w0, Schedule s) {
        double[][] w = copy(w0), old = null;
        double lr = 0.05;
        int n = DATA.batchSize();
        for (int t = 0; t < DATA.numBatches(); t++) {
            int[] idx = DATA.batch(t);
            double[] x = toDouble(DATA.train().batch(idx).toArray());
            int[] y = DATA.train().labels(idx);
            boolean refresh = t % s.window() == 0;
            if (refresh && !s.copyAfterStepA()) old = copy(w);
            // step A: mean hard CE
            double[] p = softmax(forward(w, x, n)[2], n);
            for (int i = 0; i < n; i++) p[i * 6 + y[i]] -= 1;
            sgd(w, x, n, scale(p, 1.0 / n), lr);
            if (refresh && s.copyAfterStepA()) old = copy(w);
            if (t < s.recallFrom()) continue;
            // KL(softmax(f_old(X)) ‖ softmax(f_cur(X))), batchmean: d/dz = (softmax(z) − target) /
            // N
            double[] q = softmax(forward(old, x, n)[2], n), pc = softmax(forward(w, x, n)[2], n);
            for (int i = 0; i < pc.length; i++) pc[i] = s.weight() * (pc[i] - q[i]) / n;
            sgd(w, x, n, pc, lr);
        }
        return w;
    }

    /** h1, h2, logits of the 16 → H → H → 6 ReLU MLP (weights [out][in] row-major, as Linear). */
    private static double[][] forward(double[][] w, double[] x, int n) {
        double[] h1 = relu(linear(x, w[0], w[1], n, 16, HIDDEN));
        double[] h2 = relu(linear(h1, w[2], w[3], n, HIDDEN, HIDDEN));
        return new double[][] {h1, h2, linear(h2, w[4], w[5], n, HIDDEN, 6)};
    }

    /** One plain SGD step given dLoss/dlogits. */
    private static void sgd(double[][] w, double[] x, int n, double[] dz, double lr) {
        double[][] f = forward(w, x, n);
        double[][] g = new double[6][];
        double[] d2 = backLinear(dz, f[1], w[4], n, HIDDEN, 6, g, 4);
        for (int i = 0; i < d2.length; i++) if (f[1][i] <= 0) d2[i] = 0;
        double[] d1 = backLinear(d2, f[0], w[2], n, HIDDEN, HIDDEN, g, 2);
        for (int i = 0; i < d1.length; i++) if (f[0][i] <= 0) d1[i] = 0;
        backLinear(d1, x, w[0], n, 16, HIDDEN, g, 0);
        for (int l = 0; l < 6; l++) for (int i = 0; i < w[l].length; i++) w[l][i] -= lr * g[l][i];
    }

    private static double[] linear(double[] x, double[] wt, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int k = 0; k < in; k++) s += x[i * in + k] * wt[o * in + k];
                y[i * out + o] = s;
            }
        return y;
    }

    /** Fills g[at] (weight) and g[at+1] (bias); returns dLoss/dx. */
    private static double[] backLinear(
            double[] dy, double[] x, double[] wt, int n, int in, int out, double[][] g, int at) {
        double[] gw = new double[out * in], gb = new double[out], dx = new double[n * in];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) {
                double d = dy[i * out + o];
                gb[o] += d;
                for (int k = 0; k < in; k++) {
                    gw[o * in + k] += d * x[i * in + k];
                    dx[i * in + k] += d * wt[o * in + k];
                }
            }
        g[at] = gw;
        g[at + 1] = gb;
        return dx;
    }

    private static double[] relu(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = Math.max(0, a[i]);
        return r;
    }

    private static double[] softmax(double[] z, int n) {
        return RecallRef.softmax(z, n, z.length / n);
    }

    private static double[] scale(double[] a, double c) {
        double[] r = a.clone();
        for (int i = 0; i < r.length; i++) r[i] *= c;
        return r;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[][] copy(double[][] w) {
        double[][] c = new double[w.length][];
        for (int l = 0; l < w.length; l++) c[l] = w[l].clone();
        return c;
    }
}
