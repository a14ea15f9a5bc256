package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.ops.LogitTerms;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.LogitWeights;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The fused logit terms wD·R_D + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div + λ4·R_sharp: the closed-form
 * backward against central differences of an independent float64 forward, for both inputs, each
 * divergence form, with and without counts, each term alone, on odd shapes; the fake device gives
 * the CPU's values and uploads the mask and counts once (a captured step replays it).
 */
class LogitTermsTest {
    static final int U = 4, K = 5;
    static final int[] PRESENT = {1, 3, 3}; // a set: the repeat counts once
    static final int[] COUNTS = {2, 1, 4, 3};

    static LogitWeights all(int kind) {
        return new LogitWeights(kind, 0.9f, 0.6f, 0.4f, 1.3f, 0.7f);
    }

    /** The loss in double, straight from the definitions (RecallLoss's class comment). */
    static double logits64(
            double[] a, double[] b, int k, int[] present, int[] counts, LogitWeights w) {
        int u = a.length / k;
        boolean[] in = new boolean[k];
        for (int c : present) in[c] = true;
        int cs = 0;
        for (boolean v : in) cs += v ? 1 : 0;
        double m = 0, sD = 0, sNa = 0, sNb = 0, sSh = 0;
        double[] pBar = new double[k];
        for (int r = 0; r < u; r++) {
            double wt = counts == null ? 1 : counts[r];
            m += wt;
            double[] p = softmax(a, r * k, k), q = softmax(b, r * k, k);
            int arg = 0;
            for (int j = 1; j < k; j++) if (a[r * k + j] > a[r * k + arg]) arg = j;
            double d = 0;
            for (int j = 0; j < k; j++) {
                double mix = 0.5 * (p[j] + q[j]);
                d +=
                        switch (w.divergence()) {
                            case LogitWeights.REVERSED_KL ->
                                    mix * (Math.log(mix) - 0.5 * (Math.log(p[j]) + Math.log(q[j])));
                            case LogitWeights.JENSEN_SHANNON ->
                                    0.5
                                            * (p[j] * Math.log(p[j] / mix)
                                                    + q[j] * Math.log(q[j] / mix));
                            default -> p[j] * Math.log(q[j]);
                        };
                if (in[j]) {
                    sNa += wt * Math.log(p[j]);
                    sNb += wt * Math.log(q[j]);
                }
                pBar[j] += wt * p[j];
            }
            sD += wt * d;
            sSh += wt * Math.log(p[arg]);
        }
        double rD = w.divergence() == LogitWeights.CROSS_ENTROPY ? sD / m : 1 - sD / m;
        double div = 0;
        for (double v : pBar) div += Math.max(v / m, 2.220446049250313e-16) * Math.log(v / m);
        return w.wD() * rD
                + w.l1() * sNa / (cs * m)
                + w.l2() * sNb / (cs * m)
                + w.l3() * div
                - w.l4() * sSh / m;
    }

    static double[] softmax(double[] x, int o, int k) {
        double mx = Double.NEGATIVE_INFINITY, s = 0;
        for (int j = 0; j < k; j++) mx = Math.max(mx, x[o + j]);
        double[] p = new double[k];
        for (int j = 0; j < k; j++) s += p[j] = Math.exp(x[o + j] - mx);
        for (int j = 0; j < k; j++) p[j] /= s;
        return p;
    }

    void check(String name, LogitWeights w, int[] counts, int seed) {
        check(name, w, U, K, PRESENT, counts, seed);
    }

    void check(String name, LogitWeights w, int u, int k, int[] present, int[] counts, int seed) {
        GradCheck.check(
                name,
                v -> F.logitTerms(v[0], v[1], present, counts, w),
                x -> new double[] {logits64(x[0], x[1], k, present, counts, w)},
                rand(seed, -2, 2, u, k),
                rand(seed + 100, -2, 2, u, k));
    }

    @Test
    void gradientOfEveryDivergenceFormWithAndWithoutCounts() {
        String[] names = {"reversed KL", "Jensen-Shannon", "cross-entropy"};
        for (int kind = 0; kind < 3; kind++) {
            check("logit terms, " + names[kind], all(kind), null, 41 + kind);
            check("logit terms counted, " + names[kind], all(kind), COUNTS, 44 + kind);
        }
    }

    @Test
    void gradientOfEachTermAlone() {
        float[] one = new float[5];
        String[] names = {"R_D", "R_NL(a)", "R_NL(b)", "R_div", "R_sharp"};
        for (int i = 0; i < 5; i++) {
            java.util.Arrays.fill(one, 0f);
            one[i] = i == 3 ? 2.5f : 1.5f;
            LogitWeights w = new LogitWeights(0, one[0], one[1], one[2], one[3], one[4]);
            check(names[i] + " alone", w, COUNTS, 51 + i);
        }
    }

    @Test
    void gradientOnOddShapes() {
        check("one row", all(0), 1, 7, new int[] {6}, new int[] {5}, 61);
        check("two classes", all(1), 9, 2, new int[] {0, 1}, null, 62);
        check("wide rows", all(2), 3, 23, new int[] {0, 4, 22}, new int[] {1, 1, 7}, 63);
    }

    @Test
    void withoutRdAndLambda2TheSecondLogitsAreNotRead() {
        LogitWeights w = new LogitWeights(0, 0f, 0.6f, 0f, 1.3f, 0.7f);
        Var a = Var.param(rand(71, -2, 2, U, K)), b = Var.param(rand(72, -2, 2, U, K));
        Var y = F.logitTerms(a, b, PRESENT, COUNTS, w);
        Tensor[] g = Autograd.grad(y, a, b);
        assertThat(g[1].toArray()).containsOnly(0f);
        double want =
                logits64(
                        GradCheck.toDouble(a.value.toArray()),
                        GradCheck.toDouble(b.value.toArray()),
                        K,
                        PRESENT,
                        COUNTS,
                        w);
        assertThat((double) y.value.item()).isCloseTo(want, within(1e-5 * Math.abs(want)));
    }

    @Test
    void theTermsAloneAreReturnedBeside() {
        Tensor a = rand(73, -2, 2, U, K), b = rand(74, -2, 2, U, K);
        double[] a64 = GradCheck.toDouble(a.toArray()), b64 = GradCheck.toDouble(b.toArray());
        LogitTerms.Terms t = LogitTerms.terms(Var.param(a), Var.param(b), PRESENT, COUNTS, all(0));
        float[] unit = new float[5];
        for (int i = 0; i < 5; i++) {
            java.util.Arrays.fill(unit, 0f);
            unit[i] = 1f;
            double want =
                    logits64(
                            a64,
                            b64,
                            K,
                            PRESENT,
                            COUNTS,
                            new LogitWeights(0, unit[0], unit[1], unit[2], unit[3], unit[4]));
            assertThat((double) t.terms()[i].value.item())
                    .as("term " + i)
                    .isCloseTo(want, within(1e-5 * (1 + Math.abs(want))));
            assertThat(t.terms()[i].tracked()).isFalse();
        }
    }

    @Test
    void badArgumentsAreOneLine() {
        Var a = Var.param(rand(75, -1, 1, U, K)), b = Var.param(rand(76, -1, 1, U, K + 1));
        assertThatThrownBy(() -> F.logitTerms(a, b, PRESENT, null, all(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logit terms: b");
        Var c = Var.param(rand(77, -1, 1, U, K));
        assertThatThrownBy(() -> F.logitTerms(a, c, PRESENT, new int[] {1, 2}, all(0)))
                .hasMessageContaining("2 counts for 4 rows");
        assertThatThrownBy(() -> F.logitTerms(a, c, new int[0], null, all(0)))
                .hasMessageContaining("R_NL needs at least one class");
        assertThatThrownBy(() -> new LogitWeights(3, 1f, 0f, 0f, 0f, 0f))
                .hasMessageContaining("divergence form 3");
    }

    @Test
    void fakeDeviceEqualsTheCpuAndCapturesWithoutAnUpload() {
        LogitWeights w = all(0);
        Tensor a = rand(78, -2, 2, U, K), b = rand(79, -2, 2, U, K);
        Var ac = Var.param(a), bc = Var.param(b);
        Var yc = F.logitTerms(ac, bc, PRESENT, COUNTS, w);
        Tensor[] want = Autograd.grad(yc, ac, bc);
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            Tensor ad = be.upload(a.toArray(), a.shape), bd = be.upload(b.toArray(), b.shape);
            Tensor y = be.zeros(1), ga = be.zeros(a.shape), gb = be.zeros(b.shape);
            for (int i = 0; i < 3; i++) // eager, captured, replayed
            cs.run(
                        "logits",
                        () -> {
                            Var va = Var.param(ad), vb = Var.param(bd);
                            Var loss = F.logitTerms(va, vb, PRESENT, COUNTS, w);
                            Tensor[] g = Autograd.grad(loss, va, vb);
                            be.copy(loss.value, y);
                            be.copy(g[0], ga);
                            be.copy(g[1], gb);
                        });
            assertThat(cs.fallback()).isNull();
            assertThat(cs.replays()).isEqualTo(1);
            assertThat(be.download(y)).containsExactly(yc.value.item());
            assertThat(be.download(ga)).containsExactly(want[0].toArray());
            assertThat(be.download(gb)).containsExactly(want[1].toArray());
        }
    }
}
