package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.nn.Mlp;
import arm.nn.Parameter;
import arm.nn.Sgd;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ER-MIR's choice (ALGORITHM.md §12.4): the virtual step, the scores and the top-k, checked against
 * a float64 reference that shares no code with ErMir (finite-difference gradient, plain loops for
 * the MLP and the cross-entropy).
 */
class ErMirTest {
    static final int D = 6, H = 5, K = 3;
    static final float LR = 0.5f;

    @Test
    void topKOfHandMadeScores() {
        double[] s = {0.1, -2, 3.5, 0.7, 3.5, -0.2, 1.0};
        assertThat(ErMir.topK(s, 3)).containsExactly(2, 4, 6);
        assertThat(ErMir.topK(s, 10)).containsExactly(2, 4, 6, 3, 0, 5, 1); // all, negatives too
        assertThat(ErMir.topK(new double[] {-3, -1, -2}, 2)).containsExactly(1, 2);
    }

    @Test
    void perSampleCrossEntropyByHand() {
        Tensor z = Tensor.of(new float[] {0, 0, 0, 1, 2, 3}, 2, 3);
        double[] ce = ErMir.perSampleCe(z, new int[] {1, 0});
        assertThat(ce[0]).isCloseTo(Math.log(3), within(1e-12));
        assertThat(ce[1])
                .isCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1, within(1e-6));
    }

    /**
     * A buffer of 12 task-0 candidates, a task-1 batch, and f_cur with ∇L_in already accumulated.
     */
    record Case(ErMir.Mir mir, Mlp fCur, ReservoirBuffer buffer, Tensor x, int[] y) {}

    static Case setup(Map<String, String> options, long seed) {
        ErMir method = (ErMir) Methods.create("ER-MIR", options);
        SplittableRandom rng = new SplittableRandom(seed);
        Mlp fCur = new Mlp(D, H, K, rng);
        ReservoirBuffer buffer = new ReservoirBuffer(12, new int[] {D}, ReservoirBuffer.Rule.EXACT);
        buffer.add(randomImages(12, rng), new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, 0, rng);
        Tensor x = randomImages(4, rng);
        int[] y = {2, 1, 1, 0};
        Sgd opt = new Sgd(fCur.parameters(), LR);
        opt.zeroGrad();
        Autograd.backward(F.crossEntropy(fCur.forward(Var.constant(x)), y));
        ErMir.Mir mir = (ErMir.Mir) method.selector(fCur, opt, buffer, rng);
        return new Case(mir, fCur, buffer, x, y);
    }

    static Tensor randomImages(int n, SplittableRandom rng) {
        float[] v = new float[n * D];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(256) / 255f;
        return Tensor.of(v, n, D);
    }

    // ------------------------------------------------------------------ float64 reference

    static double[][] weights(Mlp net) {
        return net.namedParameters().values().stream()
                .map(p -> toDouble(p.value().toArray()))
                .toArray(double[][]::new);
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static double meanCe(double[] x, int n, int[] y, double[][] wb) {
        double[] z = RecallRef.mlp(x, n, new int[] {D, H, H, K}, wb);
        return RecallRef.ce(z, n, K, y);
    }

    static double[] perSampleCe(double[] x, int n, int[] y, double[][] wb) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++)
            out[i] = meanCe(Arrays.copyOfRange(x, i * D, (i + 1) * D), 1, new int[] {y[i]}, wb);
        return out;
    }

    /** θ − lr·∇ mean CE(x, y) with the gradient from central differences. */
    static double[][] virtualByFiniteDifferences(double[][] wb, double[] x, int n, int[] y) {
        double[][] out = new double[wb.length][];
        double h = 1e-6;
        for (int l = 0; l < wb.length; l++) {
            out[l] = wb[l].clone();
            for (int j = 0; j < wb[l].length; j++) {
                double keep = wb[l][j];
                wb[l][j] = keep + h;
                double up = meanCe(x, n, y, wb);
                wb[l][j] = keep - h;
                double down = meanCe(x, n, y, wb);
                wb[l][j] = keep;
                out[l][j] = keep - LR * (up - down) / (2 * h);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void virtualParametersAreThetaMinusLrTimesTheIncomingGradient() {
        Case c = setup(Map.of("old_logits", "off"), 1);
        double[][] before = weights(c.fCur());
        c.mir().stepVirtual();
        double[][] want =
                virtualByFiniteDifferences(weights(c.fCur()), toDouble(c.x().toArray()), 4, c.y());
        List<Parameter> got = List.copyOf(((Mlp) c.mir().virtual()).namedParameters().values());
        for (int l = 0; l < want.length; l++) {
            float[] g = got.get(l).value().toArray();
            for (int j = 0; j < g.length; j++)
                assertThat((double) g[j])
                        .as("%s[%d]", got.get(l).name, j)
                        .isCloseTo(want[l][j], within(2e-5));
        }
        // f_cur itself is untouched: the virtual step works on a copy
        assertThat(weights(c.fCur())).isDeepEqualTo(before);
    }

    @Test
    void picksTheTrueTopMOfPostMinusPreLoss() {
        for (long seed = 1; seed <= 5; seed++) {
            Case c = setup(Map.of("old_logits", "off", "M", "4", "subsample", "50"), seed);
            double[][] theta = weights(c.fCur());
            double[][] virtual =
                    virtualByFiniteDifferences(
                            weights(c.fCur()), toDouble(c.x().toArray()), 4, c.y());
            int[] pool =
                    c.buffer().pastSlots(1); // all 12, in slot order, all scored (subsample ≥ pool)
            double[] bx = toDouble(c.buffer().images(pool).toArray());
            int[] by = c.buffer().labels(pool);
            double[] pre = perSampleCe(bx, pool.length, by, theta),
                    post = perSampleCe(bx, pool.length, by, virtual);
            Integer[] order = new Integer[pool.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(post[b] - pre[b], post[a] - pre[a]));
            double gap = (post[order[3]] - pre[order[3]]) - (post[order[4]] - pre[order[4]]);
            assertThat(gap)
                    .as("seed %d: the reference's 4th and 5th are apart", seed)
                    .isGreaterThan(1e-4);
            int[] want = new int[4];
            for (int i = 0; i < 4; i++) want[i] = pool[order[i]];
            assertThat(c.mir().select(pool)).as("seed %d", seed).containsExactly(want);
        }
    }

    @Test
    void oldLogitsAreStoredAtPoolPositionsLikeTheMirCodeOrAtSlots() {
        for (String mode : new String[] {"position", "slot"}) {
            ErMir method = (ErMir) Methods.create("ER-MIR", Map.of("old_logits", mode, "M", "2"));
            SplittableRandom rng = new SplittableRandom(2);
            Mlp fCur = new Mlp(D, H, K, rng);
            ReservoirBuffer buffer =
                    new ReservoirBuffer(6, new int[] {D}, ReservoirBuffer.Rule.EXACT);
            // slots 0, 2, 4 hold task 1, slots 1, 3, 5 task 0: the pool for task 1 is {1, 3, 5}
            for (int s = 0; s < 6; s++)
                buffer.add(randomImages(1, rng), new int[] {s % 3}, s % 2 == 0 ? 1 : 0, rng);
            Sgd opt = new Sgd(fCur.parameters(), LR);
            opt.zeroGrad();
            Autograd.backward(
                    F.crossEntropy(
                            fCur.forward(Var.constant(randomImages(2, rng))), new int[] {2, 2}));
            ErMir.Mir mir = (ErMir.Mir) method.selector(fCur, opt, buffer, rng);
            int[] pool = buffer.pastSlots(1);
            assertThat(pool).containsExactly(1, 3, 5);
            Tensor pre;
            try (var ng = Autograd.noGrad()) {
                pre = fCur.forward(Var.constant(buffer.images(pool))).value;
            }
            double[] preLoss = ErMir.perSampleCe(pre, buffer.labels(pool));
            assertThat(Arrays.stream(preLoss).filter(l -> l < Math.log(K)).count())
                    .as("some rows get written")
                    .isBetween(1L, 2L);
            mir.select(pool);
            int[] rows = mode.equals("position") ? new int[] {0, 1, 2} : pool;
            float[] p = pre.toArray();
            for (int i = 0; i < 3; i++) {
                float[] stored = mir.storedRow(rows[i]);
                if (preLoss[i] < Math.log(K)) // the zero logits' CE is ln K
                assertThat(stored)
                            .as("%s row %d", mode, rows[i])
                            .containsExactly(Arrays.copyOfRange(p, i * K, (i + 1) * K));
                else assertThat(stored).as("%s row %d", mode, rows[i]).containsOnly(0f);
            }
            // slot mode forgets a slot's logits when the slot is overwritten
            mir.stored(new int[] {rows[0], -1});
            if (mode.equals("slot")) assertThat(mir.storedRow(rows[0])).containsOnly(0f);
        }
    }
}
