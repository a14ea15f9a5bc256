package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.method.ContinualMethod.Batch;
import arm.nn.Mlp;
import arm.nn.Module;
import arm.nn.Parameter;
import arm.nn.Sgd;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What one ARM iteration does and in which order (ALGORITHM.md §1.2, §1.4, §2.1, §9 D12), observed
 * through the learner's trace on a small MLP and synthetic batches.
 */
class RecallOrderTest {
    static final ContinualData DATA = Synthetic.data(5, 4, 2, 20, 16, 4); // 2 tasks × 10 batches

    /** Flat copy of all parameters, a fingerprint of a model's state. */
    static float[] state(Module net) {
        List<float[]> parts = new ArrayList<>();
        int n = 0;
        for (Parameter p : net.namedParameters().values()) {
            parts.add(p.value().toArray());
            n += p.numel();
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }

    record Setup(RecallMethod.RecallLearner learner, Mlp fCur, Sgd opt) {}

    static Setup setup(Map<String, String> options) {
        RecallMethod method = (RecallMethod) Methods.create("ARM", options);
        Mlp fCur = new Mlp(16, 12, 4, new SplittableRandom(3));
        Sgd opt = new Sgd(fCur.parameters(), 0.05f);
        return new Setup(method.learner(fCur, opt, DATA, new SplittableRandom(4)), fCur, opt);
    }

    static Batch batch(int t, boolean[] seen) {
        int[] idx = DATA.batch(t);
        int[] y = DATA.train().labels(idx);
        return new Batch(t, DATA.train().batch(idx), y, ContinualMethod.distinct(y), seen.clone());
    }

    /** Runs iterations 0..count−1 like the loop does (no evaluation). */
    static void drive(Setup s, int count) {
        boolean[] seen = new boolean[DATA.numClasses()];
        for (int t = 0; t < count; t++) {
            Batch b = batch(t, seen);
            s.fCur().train();
            s.learner().train(b);
            for (int c : b.y()) seen[c] = true;
        }
    }

    @Test
    void eventsFollowTheSpecOrderAndFOldIsRefreshedAtMultiplesOfT() {
        Setup s = setup(Map.of("T", "3", "recall_from_t", "3", "S", "2", "mlp_hidden", "12"));
        List<String> events = new ArrayList<>();
        Map<String, float[]> snap = new HashMap<>();
        float[][] beforeStepA = {state(s.fCur())};
        s.learner()
                .trace(
                        (event, t, xhat) -> {
                            events.add(t + ":" + event);
                            float[] cur = state(s.fCur()), old = state(s.learner().fOld);
                            switch (event) {
                                case "refresh" ->
                                        assertThat(old)
                                                .containsExactly(beforeStepA[0]); // θ before step A
                                case "stepA" -> snap.put("afterA", cur);
                                case "refine", "targets" ->
                                        assertThat(cur)
                                                .containsExactly(snap.get("afterA")); // against θ'
                                case "stepB" -> {
                                    assertThat(cur).isNotEqualTo(snap.get("afterA"));
                                    beforeStepA[0] = cur;
                                }
                                default -> throw new AssertionError(event);
                            }
                            if (event.equals("stepA") && t < 3) beforeStepA[0] = cur;
                        });
        drive(s, 7);
        assertThat(events)
                .containsExactly(
                        "0:refresh",
                        "0:stepA",
                        "1:stepA",
                        "2:stepA",
                        "3:refresh",
                        "3:stepA",
                        "3:refine",
                        "3:refine",
                        "3:targets",
                        "3:stepB",
                        "4:stepA",
                        "4:refine",
                        "4:refine",
                        "4:targets",
                        "4:stepB",
                        "5:stepA",
                        "5:refine",
                        "5:refine",
                        "5:targets",
                        "5:stepB",
                        "6:refresh",
                        "6:stepA",
                        "6:refine",
                        "6:refine",
                        "6:targets",
                        "6:stepB");
    }

    @Test
    void unitLagRefreshesBeforeEveryStepA() {
        Setup s = setup(Map.of("lag", "unit", "recall_from_t", "1", "S", "1", "mlp_hidden", "12"));
        List<String> events = new ArrayList<>();
        float[][] last = {state(s.fCur())};
        s.learner()
                .trace(
                        (event, t, xhat) -> {
                            events.add(t + ":" + event);
                            if (event.equals("refresh"))
                                assertThat(state(s.learner().fOld)).containsExactly(last[0]);
                            if (event.equals("stepB") || (event.equals("stepA") && t == 0))
                                last[0] = state(s.fCur());
                        });
        drive(s, 3);
        assertThat(events)
                .containsExactly(
                        "0:refresh",
                        "0:stepA",
                        "1:refresh",
                        "1:stepA",
                        "1:refine",
                        "1:targets",
                        "1:stepB",
                        "2:refresh",
                        "2:stepA",
                        "2:refine",
                        "2:targets",
                        "2:stepB");
    }

    @Test
    void randomLagGapsStayInTheRange() {
        Lag lag = new Lag(Lag.Kind.RANDOM, 0, 2, 4, new SplittableRandom(1));
        List<Integer> at = new ArrayList<>();
        for (int t = 0; t < 200; t++) if (lag.refreshAt(t)) at.add(t);
        assertThat(at.get(0)).isZero();
        java.util.Set<Integer> gaps = new java.util.TreeSet<>();
        for (int i = 1; i < at.size(); i++) gaps.add(at.get(i) - at.get(i - 1));
        assertThat(gaps).containsExactly(2, 3, 4);
        Lag fixed = new Lag(Lag.Kind.FIXED, 100, 1, 1, null);
        List<Integer> f = new ArrayList<>();
        for (int t = 0; t <= 500; t++) if (fixed.refreshAt(t)) f.add(t);
        assertThat(f).containsExactly(0, 100, 200, 300, 400, 500);
    }

    @Test
    void duplicateRecalledRowsStayBitwiseIdenticalThroughRefinement() {
        // M = 12 drawn from N = 4 with replacement: ≤ 4 distinct rows, each several times
        checkDuplicatesSurvive(DATA, 12, 12);
        // MNIST widths and a prime M, so that copies land in different GEMM row tiles
        checkDuplicatesSurvive(Synthetic.data(6, 4, 2, 20, 784, 4), 400, 23);
    }

    private static void checkDuplicatesSurvive(ContinualData data, int hidden, int m) {
        RecallMethod method =
                (RecallMethod)
                        Methods.create(
                                "ARM",
                                Map.of("M", "" + m, "T", "2", "recall_from_t", "2", "S", "10"));
        int d = data.train().itemSize();
        Mlp fCur = new Mlp(d, hidden, 4, new SplittableRandom(3));
        var learner =
                method.learner(
                        fCur, new Sgd(fCur.parameters(), 0.05f), data, new SplittableRandom(4));
        List<float[]> inits = new ArrayList<>(), finals = new ArrayList<>();
        learner.trace(
                (event, t, xhat) -> {
                    if (event.equals("targets")) finals.add(xhat.toArray());
                });
        boolean[] seen = new boolean[4];
        for (int t = 0; t < 3; t++) {
            int[] idx = data.batch(t);
            int[] y = data.train().labels(idx);
            Batch b =
                    new Batch(
                            t,
                            data.train().batch(idx),
                            y,
                            ContinualMethod.distinct(y),
                            seen.clone());
            if (t == 2) inits.add(b.x().toArray());
            fCur.train();
            learner.train(b);
            for (int c : y) seen[c] = true;
        }
        float[] x = finals.get(0), real = inits.get(0);
        // group the final rows by bitwise equality: every copy of a real image must still be one
        // row
        List<float[]> distinct = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            float[] r = Arrays.copyOfRange(x, i * d, (i + 1) * d);
            if (distinct.stream().noneMatch(q -> Arrays.equals(q, r))) distinct.add(r);
        }
        assertThat(distinct.size()).as("distinct recalled rows").isLessThanOrEqualTo(4);
        for (float[] r : distinct) // and refinement did move them away from the real images
        for (int i = 0; i < 4; i++)
                assertThat(r).isNotEqualTo(Arrays.copyOfRange(real, i * d, (i + 1) * d));
    }

    @Test
    void recallDrawIsAPermutationWhenMEqualsNAndWithReplacementOnlyAboveN() {
        SplittableRandom rng = new SplittableRandom(2);
        int[] perm = RecallMethod.draw(rng, 10, 10);
        assertThat(Arrays.stream(perm).sorted().toArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        int[] sub = RecallMethod.draw(rng, 10, 6);
        assertThat(Arrays.stream(sub).distinct().count()).isEqualTo(6);
        int[] many = RecallMethod.draw(rng, 10, 100);
        assertThat(Arrays.stream(many).distinct().count()).isLessThanOrEqualTo(10);
        assertThat(Arrays.stream(many).min().getAsInt()).isGreaterThanOrEqualTo(0);
        assertThat(Arrays.stream(many).max().getAsInt()).isLessThanOrEqualTo(9);
    }

    @Test
    void roundRAppliesTheSumOfTheGradientsOfRoundsZeroToR() {
        // R = 2, continuing from the previous X̂ (ALGORITHM.md §9 D12)
        Setup s =
                setup(
                        Map.of(
                                "R",
                                "2",
                                "T",
                                "2",
                                "recall_from_t",
                                "2",
                                "S",
                                "2",
                                "mlp_hidden",
                                "12"));
        List<float[]> w = new ArrayList<>();
        List<Tensor> xs = new ArrayList<>();
        s.learner()
                .trace(
                        (event, t, xhat) -> {
                            if (t != 2) return;
                            if (event.equals("stepA") || event.equals("stepB"))
                                w.add(state(s.fCur()));
                            if (event.equals("targets"))
                                xs.add(Tensor.of(xhat.toArray(), xhat.shape));
                        });
        drive(s, 3);
        assertThat(w).hasSize(3); // after A, after round 0, after round 1
        // the gradient of round 1's step-B loss at the weights after round 0, computed here
        // directly
        Mlp probe = (Mlp) s.fCur().copy();
        Module fOld = s.learner().fOld;
        Map<String, Parameter> named = probe.namedParameters();
        int o = 0;
        for (Parameter p : named.values()) {
            System.arraycopy(w.get(1), o, p.value().data(), 0, p.numel());
            o += p.numel();
        }
        Tensor xReal = batch(2, new boolean[4]).x();
        Var pHat, pReal;
        try (var ng = Autograd.noGrad()) {
            pHat = F.softmax(fOld.forward(Var.constant(xs.get(1))));
            pReal = F.softmax(fOld.forward(Var.constant(xReal)));
        }
        Var loss =
                F.add(
                        F.softCrossEntropy(probe.forward(Var.constant(xs.get(1))), pHat),
                        F.softCrossEntropy(probe.forward(Var.constant(xReal)), pReal));
        Autograd.backward(loss);
        float[] g1 = new float[w.get(0).length];
        o = 0;
        for (Parameter p : named.values()) {
            System.arraycopy(p.grad().toArray(), 0, g1, o, p.numel());
            o += p.numel();
        }
        // w2 − w1 = (w1 − w0) − η0·g1: round 1 re-applies round 0's gradient
        for (int i = 0; i < g1.length; i++) {
            double expected = (w.get(1)[i] - w.get(0)[i]) - 0.05 * g1[i];
            assertThat((double) (w.get(2)[i] - w.get(1)[i]))
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(2e-6));
        }
    }

    @Test
    void adiRecallsOnlySeenClassesAbsentFromTheBatch() {
        RecallMethod adi =
                (RecallMethod) Methods.create("ADI", Map.of("M", "9", "mlp_hidden", "12"));
        Mlp fCur = new Mlp(16, 12, 4, new SplittableRandom(3));
        var learner =
                adi.learner(fCur, new Sgd(fCur.parameters(), 0.05f), DATA, new SplittableRandom(4));
        boolean[] seen = {true, true, true, false};
        Batch b =
                new Batch(12, batch(12, seen).x(), new int[] {2, 3, 3, 2}, new int[] {2, 3}, seen);
        int[] chosen = learner.chooseClasses(b);
        assertThat(chosen).hasSize(9);
        assertThat(Arrays.stream(chosen).distinct().sorted().toArray())
                .containsExactly(0, 1); // 9 > 2: repeats
        Batch none = new Batch(12, b.x(), b.y(), new int[] {0, 1, 2}, seen);
        assertThat(learner.chooseClasses(none)).isNull(); // nothing to recall: step B is skipped
    }
}
