package arm.method;

import static arm.autograd.GradCheck.rand;
import static arm.autograd.GradCheck.toDouble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.GradCheck;
import arm.autograd.Var;
import arm.method.RecallLoss.Divergence;
import arm.method.RecallLoss.Weights;
import arm.nn.Mlp;
import arm.nn.Parameter;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Every recall-loss term: values on tiny hand-computed cases, the closed-form logit gradients of
 * ALGORITHM.md §2.3, finite differences of a float64 reference, and the whole loss differentiated
 * w.r.t. X̂ through an old and a new MLP.
 */
class RecallLossTest {
    static final int M = 4, K = 5;

    static Var v(float[] d, int... shape) {
        return Var.constant(Tensor.of(d, shape));
    }

    static double val(Var x) {
        return x.value.item();
    }

    // ------------------------------------------------------------ values by hand

    @Test
    void reversedKlByHand() {
        // p = (1/2, 1/2), q = (3/4, 1/4), m = (5/8, 3/8)
        Var a = v(new float[] {0f, 0f}, 1, 2), b = v(new float[] {(float) Math.log(3), 0f}, 1, 2);
        double klMp = 0.625 * Math.log(0.625 / 0.5) + 0.375 * Math.log(0.375 / 0.5);
        double klMq = 0.625 * Math.log(0.625 / 0.75) + 0.375 * Math.log(0.375 / 0.25);
        assertThat(val(RecallLoss.reversedKl(a, b)))
                .isCloseTo(1 - 0.5 * (klMp + klMq), within(1e-6));
        double klPm = 0.5 * Math.log(0.5 / 0.625) + 0.5 * Math.log(0.5 / 0.375);
        double klQm = 0.75 * Math.log(0.75 / 0.625) + 0.25 * Math.log(0.25 / 0.375);
        assertThat(val(RecallLoss.jensenShannon(a, b)))
                .isCloseTo(1 - 0.5 * (klPm + klQm), within(1e-6));
        // CE as D: Σ p log q = ½ log ¾ + ½ log ¼
        assertThat(val(RecallLoss.divergence(Divergence.CROSS_ENTROPY, a, b)))
                .isCloseTo(0.5 * Math.log(0.75) + 0.5 * Math.log(0.25), within(1e-6));
        // identical predictions: no divergence, R_D = 1
        assertThat(val(RecallLoss.reversedKl(a, a))).isCloseTo(1, within(1e-7));
    }

    @Test
    void notLocalCountsEachPresentClassOnceAndAveragesOverCAndM() {
        // row 0 uniform over 4 classes, row 1 with log-probs known from logits (ln 1, ln 2, ln 3,
        // ln 2)
        float l2 = (float) Math.log(2), l3 = (float) Math.log(3);
        Var a = v(new float[] {0, 0, 0, 0, 0, l2, l3, l2}, 2, 4);
        double expected =
                (Math.log(0.25) + Math.log(0.25) + Math.log(1 / 8.0) + Math.log(3 / 8.0)) / 2 / 2;
        assertThat(val(RecallLoss.notLocal(F.logSoftmax(a), new int[] {2, 0, 2})))
                .isCloseTo(expected, within(1e-6));
    }

    @Test
    void diversityIsNegativeEntropyOfTheBatchMeanWithTheEpsClamp() {
        assertThat(val(RecallLoss.diversity(v(new float[6], 2, 3))))
                .isCloseTo(-Math.log(3), within(1e-6));
        // class 2 has probability ≈ e^-100 in both rows: its p̄ is clamped to ε
        Var a = v(new float[] {0, 0, -100, 0, (float) Math.log(3), -100}, 2, 3);
        double p0 = (0.5 + 0.25) / 2, p1 = (0.5 + 0.75) / 2, eps = RecallLoss.EPS;
        assertThat(val(RecallLoss.diversity(a)))
                .isCloseTo(
                        p0 * Math.log(p0) + p1 * Math.log(p1) + eps * Math.log(eps), within(1e-6));
    }

    @Test
    void sharpenIsCrossEntropyAgainstTheOwnArgmax() {
        Var a = v(new float[] {1, 3, 2, 0, 0, 5}, 2, 3);
        double[] p = RecallRef.softmax(new double[] {1, 3, 2, 0, 0, 5}, 2, 3);
        double expected = -(Math.log(p[1]) + Math.log(p[5])) / 2;
        assertThat(val(RecallLoss.sharpen(a, F.logSoftmax(a)))).isCloseTo(expected, within(1e-6));
    }

    @Test
    void l2IsTheUnsquaredNormOverMTimesD() {
        Var x = Var.param(Tensor.of(new float[] {3, 4, 0, 0, 0, 0}, 2, 3)); // second image all zero
        Var r = RecallLoss.l2(x);
        assertThat(val(r)).isCloseTo(5.0 / (2 * 3), within(1e-6));
        float[] g = Autograd.grad(r, x)[0].toArray();
        // x / (‖x‖·M·D) for the first image; the zero image gets 0 (PyTorch's norm backward), not
        // NaN
        assertThat(g)
                .containsExactly(new float[] {3f / 30, 4f / 30, 0, 0, 0, 0}, Offset.offset(1e-7f));
    }

    @Test
    void tvIsSquaredAnisotropicWithTheSpecNormalisation() {
        // one 1×2×2 image [[1,2],[4,8]]: Δh² = 9+36, Δw² = 1+16
        Var x = v(new float[] {1, 2, 4, 8}, 1, 4);
        assertThat(val(RecallLoss.totalVariation(x, 1, 2, 2)))
                .isCloseTo(2.0 * (45 / 2.0 + 17 / 2.0), within(1e-5));
        // two channels of 2×3 and M = 2 against the loop reference
        Tensor t = rand(3, 0, 1, 2, 12);
        assertThat(val(RecallLoss.totalVariation(Var.constant(t), 2, 2, 3)))
                .isCloseTo(RecallRef.tv(toDouble(t.toArray()), 2, 2, 2, 3), within(1e-6));
    }

    // ------------------------------------------------------------ closed-form logit gradients
    // (§2.3)

    @Test
    void divergenceLogitGradientMatchesTheClosedForm() {
        Tensor ta = rand(11, -2, 2, M, K), tb = rand(12, -2, 2, M, K);
        Var a = Var.param(ta), b = Var.param(tb);
        Tensor[] g = Autograd.grad(RecallLoss.reversedKl(a, b), a, b);
        double[] p = RecallRef.softmax(toDouble(ta.toArray()), M, K),
                q = RecallRef.softmax(toDouble(tb.toArray()), M, K);
        for (int i = 0; i < M; i++) {
            double[] h = new double[K];
            double ph = 0, qh = 0;
            for (int j = 0; j < K; j++) {
                int x = i * K + j;
                h[j] = 0.5 * Math.log(0.5 * (p[x] + q[x])) - 0.25 * Math.log(p[x] * q[x]);
                ph += p[x] * h[j];
                qh += q[x] * h[j];
            }
            for (int j = 0; j < K; j++) {
                int x = i * K + j;
                double dA = p[x] * (h[j] - ph) + 0.25 * (p[x] - q[x]);
                double dB = q[x] * (h[j] - qh) + 0.25 * (q[x] - p[x]);
                assertThat((double) g[0].data()[x]).isCloseTo(-dA / M, within(2e-6));
                assertThat((double) g[1].data()[x]).isCloseTo(-dB / M, within(2e-6));
            }
        }
    }

    @Test
    void notLocalDiversityAndSharpenLogitGradientsMatchTheClosedForms() {
        Tensor ta = rand(13, -2, 2, M, K);
        Var a = Var.param(ta);
        double[] p = RecallRef.softmax(toDouble(ta.toArray()), M, K);
        int[] present = {1, 3};
        float[] gNl = Autograd.grad(RecallLoss.notLocal(F.logSoftmax(a), present), a)[0].toArray();
        float[] gDiv = Autograd.grad(RecallLoss.diversity(a), a)[0].toArray();
        float[] gSh = Autograd.grad(RecallLoss.sharpen(a, F.logSoftmax(a)), a)[0].toArray();
        int[] top = RecallLoss.argmax(ta);
        double[] logBar = new double[K];
        for (int j = 0; j < K; j++) {
            double s = 0;
            for (int i = 0; i < M; i++) s += p[i * K + j];
            logBar[j] = Math.log(s / M);
        }
        for (int i = 0; i < M; i++) {
            double pl = 0;
            for (int k = 0; k < K; k++) pl += p[i * K + k] * logBar[k];
            for (int j = 0; j < K; j++) {
                int x = i * K + j;
                double inP = (j == 1 || j == 3) ? 1 : 0;
                assertThat((double) gNl[x]).isCloseTo((inP / 2 - p[x]) / M, within(1e-6));
                assertThat((double) gDiv[x]).isCloseTo(p[x] * (logBar[j] - pl) / M, within(1e-6));
                assertThat((double) gSh[x])
                        .isCloseTo((p[x] - (j == top[i] ? 1 : 0)) / M, within(1e-6));
            }
        }
    }

    @Test
    void clampedDiversityEntriesPassNoGradient() {
        // class 4 is ≈ e^-60 everywhere: p̄_4 < ε, so it is constant; the closed form without it
        // holds
        float[] d = rand(14, -1, 1, M, K).toArray();
        for (int i = 0; i < M; i++) d[i * K + 4] = -60f;
        Var a = Var.param(Tensor.of(d, M, K));
        float[] g = Autograd.grad(RecallLoss.diversity(a), a)[0].toArray();
        double[] p = RecallRef.softmax(toDouble(d), M, K);
        double[] logBar = new double[K];
        for (int j = 0; j < K; j++) {
            double s = 0;
            for (int i = 0; i < M; i++) s += p[i * K + j];
            logBar[j] = Math.log(Math.max(s / M, RecallLoss.EPS));
        }
        for (int i = 0; i < M; i++) {
            double pl = 0;
            for (int k = 0; k < 4; k++)
                pl += p[i * K + k] * logBar[k]; // the clamped class is a constant
            for (int j = 0; j < 4; j++)
                assertThat((double) g[i * K + j])
                        .isCloseTo(p[i * K + j] * (logBar[j] - pl) / M, within(1e-6));
        }
        // softmax still couples class 4 to the others, but only through its own tiny probability
        for (int i = 0; i < M; i++) assertThat(Math.abs(g[i * K + 4])).isLessThan(1e-20f);
    }

    // ------------------------------------------------------------ finite differences, term by term

    @Test
    void everyTermMatchesFiniteDifferencesOfTheFloat64Reference() {
        Tensor a = rand(21, -2, 2, M, K), b = rand(22, -2, 2, M, K);
        int[] present = {0, 2};
        GradCheck.check(
                "reversed KL",
                v -> RecallLoss.reversedKl(v[0], v[1]),
                x -> new double[] {RecallRef.reversedKl(x[0], x[1], M, K)},
                a,
                b);
        GradCheck.check(
                "Jensen-Shannon",
                v -> RecallLoss.jensenShannon(v[0], v[1]),
                x -> new double[] {RecallRef.jensenShannon(x[0], x[1], M, K)},
                a,
                b);
        GradCheck.check(
                "CE as D",
                v -> RecallLoss.divergence(Divergence.CROSS_ENTROPY, v[0], v[1]),
                x -> new double[] {RecallRef.crossEntropyAsD(x[0], x[1], M, K)},
                a,
                b);
        GradCheck.check(
                "not-local",
                v -> RecallLoss.notLocal(F.logSoftmax(v[0]), present),
                x -> new double[] {RecallRef.notLocal(x[0], M, K, present)},
                a);
        GradCheck.check(
                "diversity",
                v -> RecallLoss.diversity(v[0]),
                x -> new double[] {RecallRef.diversity(x[0], M, K)},
                a);
        GradCheck.check(
                "sharpen",
                v -> RecallLoss.sharpen(v[0], F.logSoftmax(v[0])),
                x -> new double[] {RecallRef.sharpen(x[0], M, K)},
                a);
        Tensor img = rand(23, 0, 1, 3, 2 * 4 * 5);
        GradCheck.check(
                "L2", v -> RecallLoss.l2(v[0]), x -> new double[] {RecallRef.l2(x[0], 3)}, img);
        GradCheck.check(
                "TV",
                v -> RecallLoss.totalVariation(v[0], 2, 4, 5),
                x -> new double[] {RecallRef.tv(x[0], 3, 2, 4, 5)},
                img);
        int[] chosen = {1, 4, 1, 0};
        GradCheck.check(
                "ADI classes CE",
                v -> F.crossEntropy(v[0], chosen),
                x -> new double[] {RecallRef.ce(x[0], M, K, chosen)},
                a);
    }

    // ------------------------------------------------------------ end to end, through two MLPs

    static final Weights MNIST_LIKE =
            new Weights(
                    Divergence.REVERSED_KL, 1f, 1f, 0.1f, 16f, 0.1f, 1f, 1f, new int[] {1, 7, 7});

    @Test
    void fullRecallLossGradientWrtRecalledInputsThroughOldAndNewMlp() {
        checkEndToEnd(MNIST_LIKE, 49, 1, 7, 7, 4); // 4 × 49 = 196 inputs: every entry checked
    }

    @Test
    void fullRecallLossGradientOnMnistSizedImages() {
        Weights w =
                new Weights(
                        Divergence.REVERSED_KL,
                        1f,
                        1f,
                        0.1f,
                        16f,
                        0.1f,
                        1f,
                        1f,
                        new int[] {1, 28, 28});
        checkEndToEnd(w, 784, 1, 28, 28, 3); // sampled entries + a random direction
    }

    private static void checkEndToEnd(Weights w, int in, int c, int h, int wd, int m) {
        int hidden = 16, k = 10;
        int[] widths = {in, hidden, hidden, k};
        Mlp fOld = new Mlp(in, hidden, k, new SplittableRandom(1));
        Mlp fCur = new Mlp(in, hidden, k, new SplittableRandom(2));
        // scale weights up so that logits are O(1) and every term matters
        for (Mlp net : new Mlp[] {fOld, fCur})
            for (Parameter p : net.namedParameters().values()) {
                float[] d = p.value().data();
                for (int i = 0; i < d.length; i++) d[i] *= 3f;
            }
        double[][] wOld = weights(fOld), wCur = weights(fCur);
        int[] present = {3, 7};
        Tensor x = rand(31, 0.05, 1, m, in);
        GradCheck.check(
                "recall loss d/dX̂ through two MLPs",
                v -> RecallLoss.arm(w, fOld.forward(v[0]), fCur.forward(v[0]), v[0], present),
                xs -> {
                    double[] a = RecallRef.mlp(xs[0], m, widths, wOld),
                            b = RecallRef.mlp(xs[0], m, widths, wCur);
                    return new double[] {RecallRef.armLoss(w, a, b, xs[0], m, k, present)};
                },
                x);
    }

    private static double[][] weights(Mlp net) {
        return net.namedParameters().values().stream()
                .map(p -> toDouble(p.value().toArray()))
                .toArray(double[][]::new);
    }

    @Test
    void armLossSumsTheWeightedTerms() {
        Tensor ta = rand(41, -2, 2, M, 10), tb = rand(42, -2, 2, M, 10), tx = rand(43, 0, 1, M, 49);
        int[] present = {0, 9};
        double ours =
                val(
                        RecallLoss.arm(
                                MNIST_LIKE,
                                Var.constant(ta),
                                Var.constant(tb),
                                Var.constant(tx),
                                present));
        double ref =
                RecallRef.armLoss(
                        MNIST_LIKE,
                        toDouble(ta.toArray()),
                        toDouble(tb.toArray()),
                        toDouble(tx.toArray()),
                        M,
                        10,
                        present);
        assertThat(ours).isCloseTo(ref, within(1e-4));
        // zero weights remove their terms: only w_D remains
        Weights onlyD =
                new Weights(Divergence.REVERSED_KL, 1f, 0, 0, 0, 0, 0, 0, new int[] {1, 7, 7});
        assertThat(
                        val(
                                RecallLoss.arm(
                                        onlyD,
                                        Var.constant(ta),
                                        Var.constant(tb),
                                        Var.constant(tx),
                                        present)))
                .isCloseTo(
                        RecallRef.reversedKl(toDouble(ta.toArray()), toDouble(tb.toArray()), M, 10),
                        within(1e-5));
    }

    @Test
    void adiLossIsClassesCePlusDivergencePlusImagePriors() {
        Tensor ta = rand(51, -2, 2, M, 10), tb = rand(52, -2, 2, M, 10), tx = rand(53, 0, 1, M, 49);
        int[] chosen = {0, 1, 1, 0};
        Weights w =
                new Weights(Divergence.REVERSED_KL, 1f, 0, 0, 0, 0, 1f, 1f, new int[] {1, 7, 7});
        double[] a = toDouble(ta.toArray()), b = toDouble(tb.toArray()), x = toDouble(tx.toArray());
        double ref =
                1.0 * RecallRef.ce(a, M, 10, chosen)
                        + RecallRef.reversedKl(a, b, M, 10)
                        + RecallRef.l2(x, M)
                        + RecallRef.tv(x, M, 1, 7, 7);
        Var ours =
                RecallLoss.adi(
                        w, 1f, Var.constant(ta), Var.constant(tb), Var.constant(tx), chosen, null);
        assertThat(val(ours)).isCloseTo(ref, within(1e-5));
        // the batch-statistics term, when the model has one, is added as given
        Var bs = Var.constant(Tensor.of(new float[] {0.25f}, 1));
        assertThat(
                        val(
                                RecallLoss.adi(
                                        w,
                                        1f,
                                        Var.constant(ta),
                                        Var.constant(tb),
                                        Var.constant(tx),
                                        chosen,
                                        bs)))
                .isCloseTo(ref + 0.25, within(1e-5));
    }
}
