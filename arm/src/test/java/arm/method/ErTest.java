package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.method.ContinualMethod.Batch;
import arm.metrics.EvalPoint;
import arm.nn.Mlp;
import arm.nn.Module;
import arm.run.ProgressListener;
import arm.run.RunResult;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ER's step (ALGORITHM.md §12.3), the row names, the options and the memory columns. */
class ErTest {
    static final ContinualData DATA =
            Synthetic.data(5, 4, 2, 20, 16, 4); // 2 tasks × 10 batches, N = 4

    static Batch batch(int t) {
        int[] idx = DATA.batch(t);
        int[] y = DATA.train().labels(idx);
        return new Batch(
                t, DATA.train().batch(idx), y, ContinualMethod.distinct(y), new boolean[4]);
    }

    /** θ − η·(Σ ∇ mean CE over each (x, y) pair, each from its own forward), on a copy of net. */
    static float[] expectedStep(Module net, float lr, List<Tensor> xs, List<int[]> ys) {
        Module copy = net.copy();
        List<Var> ps = copy.parameters();
        float[] theta = RecallOrderTest.state(copy), out = theta.clone();
        for (int k = 0; k < xs.size(); k++) {
            Tensor[] g =
                    Autograd.grad(
                            F.crossEntropy(copy.forward(Var.constant(xs.get(k))), ys.get(k)),
                            ps.toArray(Var[]::new));
            int o = 0;
            for (Tensor gi : g) {
                float[] a = gi.toArray();
                for (float v : a) out[o++] -= lr * v;
            }
        }
        return out;
    }

    @Test
    void stepIsRealPlusReplayGradientFromSeparateForwardsAndReplayStartsAtTaskOne() {
        // mem 6 < 40 task-0 samples; M = 6 ≥ pool, so the replayed batch is the whole pool in slot
        // order
        ER er = (ER) Methods.create("ER", Map.of("mem", "6", "M", "6"));
        Mlp fCur = new Mlp(16, 12, 4, new SplittableRandom(3));
        arm.nn.Sgd opt = new arm.nn.Sgd(fCur.parameters(), 0.05f);
        ER.ErLearner learner = er.learner(fCur, opt, DATA, new SplittableRandom(4));
        for (int t = 0; t < 12; t++) {
            Batch b = batch(t);
            List<Tensor> xs = new ArrayList<>(List.of(b.x()));
            List<int[]> ys = new ArrayList<>(List.of(b.y()));
            int[] pool = learner.buffer.pastSlots(DATA.taskOf(b.y()[0]));
            if (t < 10) assertThat(pool).as("t=%d: task 0 replays nothing", t).isEmpty();
            else {
                // at t = 10 all 6 slots hold task 0; task 1's first batch may then replace some of
                // them
                if (t == 10) assertThat(pool).containsExactly(0, 1, 2, 3, 4, 5);
                int[] task0 =
                        java.util.stream.IntStream.range(0, 6)
                                .filter(q -> learner.buffer.task(q) == 0)
                                .toArray();
                assertThat(pool).isNotEmpty().containsExactly(task0);
                xs.add(learner.buffer.images(pool));
                ys.add(learner.buffer.labels(pool));
            }
            float[] expect = expectedStep(fCur, 0.05f, xs, ys);
            learner.train(b);
            float[] got = RecallOrderTest.state(fCur);
            for (int i = 0; i < got.length; i++)
                assertThat(got[i]).as("t=%d param %d", t, i).isCloseTo(expect[i], within(1e-6f));
            // the buffer is updated after the step: it now counts this batch
            assertThat(learner.buffer.seen()).isEqualTo(4L * (t + 1));
        }
    }

    @Test
    void itersRepeatsTheUpdate() {
        ER er = (ER) Methods.create("ER", Map.of("mem", "6", "iters", "3"));
        Mlp fCur = new Mlp(16, 12, 4, new SplittableRandom(3));
        arm.nn.Sgd opt = new arm.nn.Sgd(fCur.parameters(), 0.05f);
        ER.ErLearner learner = er.learner(fCur, opt, DATA, new SplittableRandom(4));
        Batch b = batch(0);
        Module ref = fCur.copy();
        for (int i = 0; i < 3; i++) {
            float[] e = expectedStep(ref, 0.05f, List.of(b.x()), List.of(b.y()));
            int o = 0;
            for (Var p : ref.parameters()) {
                float[] v = p.value.data();
                for (int j = 0; j < v.length; j++) v[j] = e[o++];
            }
        }
        learner.train(b);
        float[] got = RecallOrderTest.state(fCur), want = RecallOrderTest.state(ref);
        for (int i = 0; i < got.length; i++) assertThat(got[i]).isCloseTo(want[i], within(1e-6f));
        assertThat(learner.buffer.seen()).isEqualTo(4); // offered once per batch, not per update
    }

    @Test
    void bothMethodsRunTheLoopAndNameTheirRowsByBufferSize() {
        for (String name : new String[] {"ER", "ER-MIR", "er-25", "ER-MIR-7"}) {
            Method m = Methods.create(name, Map.of("mlp_hidden", "16"));
            RunResult r = m.run(DATA, 1, ProgressListener.NONE);
            assertThat(r.evals()).extracting(EvalPoint::t).containsExactly(0, 10, 20);
            // replay keeps some of task 0: better than forgetting it completely
            double[] last = r.evals().get(2).testPerClass();
            assertThat(last[0] + last[1]).as(name).isPositive();
        }
        assertThat(Methods.create("ER", Map.of()).name()).isEqualTo("ER-50");
        assertThat(Methods.create("ER-MIR", Map.of("mem", "25")).name()).isEqualTo("ER-MIR-25");
        assertThat(Methods.create("er-mir-25", Map.of()).name()).isEqualTo("ER-MIR-25");
        assertThat(Methods.create("ER", "cifar10", Map.of()).name()).isEqualTo("ER-200");
        assertThat(Methods.create("ER-MIR", "miniimagenet", Map.of()).options())
                .containsEntry("mem", "500")
                .containsEntry("subsample", "25")
                .containsEntry("lr", "0.1")
                .containsEntry("old_logits", "off");
        assertThat(Methods.create("ER-MIR", Map.of()).options())
                .containsEntry("lr", "0.05")
                .containsEntry("M", "10")
                .containsEntry("subsample", "50")
                .containsEntry("old_logits", "position")
                .containsEntry("iters", "1")
                .containsEntry("reservoir", "exact");
    }

    @Test
    void rowNamesParseAndExpand() {
        assertThat(Methods.canonical("er-mir-050")).isEqualTo("ER-MIR-50");
        assertThat(Methods.canonical("ER-MIR")).isEqualTo("ER-MIR");
        assertThat(Methods.base("ER-MIR-25")).isEqualTo("ER-MIR");
        assertThat(Methods.base("ER-50")).isEqualTo("ER");
        assertThat(Methods.base("ARM")).isEqualTo("ARM");
        assertThat(
                        Methods.tableRows(
                                List.of("Naive", "er", "ER-MIR", "ER-MIR-7", "bogus"), "mnist"))
                .containsExactly(
                        "Naive", "ER-50", "ER-25", "ER-MIR-50", "ER-MIR-25", "ER-MIR-7", "bogus");
        assertThat(Methods.tableRows(List.of("ER"), "cifar10")).containsExactly("ER-200", "ER-100");
        assertThatThrownBy(() -> Methods.canonical("ER-0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> Methods.canonical("ER-x")).hasMessageContaining("unknown method");
    }

    @Test
    void badOptionsAreRejectedWithOneLine() {
        String[][] bad = {
            {"ER", "mem", "0"},
            {"ER", "M", "0"},
            {"ER", "iters", "0"},
            {"ER", "reservoir", "random"},
            {"ER", "lr", "-1"},
            {"ER-MIR", "subsample", "0"},
            {"ER-MIR", "old_logits", "maybe"},
            {"ER", "subsample", "50"},
            {"ER", "T", "3"},
        };
        for (String[] b : bad)
            assertThatThrownBy(() -> Methods.create(b[0], Map.of(b[1], b[2])))
                    .as(String.join(" ", b))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(b[1])
                    .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Methods.create("ER-50", Map.of("mem", "25")))
                .hasMessageContaining("ER-50")
                .hasMessageContaining("mem");
        assertThat(Methods.create("ER-50", Map.of("mem", "50")).name()).isEqualTo("ER-50");
    }

    /**
     * The memory columns of the paper's Table 6 (MNIST), derived from the paper, not from our code.
     */
    @Test
    void memoryColumnsMatchThepapersTableSix() {
        ContinualData mnist =
                new ContinualData(
                        new arm.data.Dataset(
                                "fake", new byte[784 * 10], new int[10], new int[] {784}),
                        new int[10],
                        null,
                        null,
                        10,
                        2,
                        10);
        MemoryCost er = MemoryCost.of(Methods.create("ER-50", Map.of()), mnist);
        assertThat(er).isEqualTo(new MemoryCost(50, 50 * 784, 0, 0, 10));
        assertThat(MemoryCost.megabytes(er.sampleBytes())).isCloseTo(0.04, within(0.005));
        MemoryCost mir = MemoryCost.of(Methods.create("ER-MIR-25", Map.of()), mnist);
        assertThat(mir.sampleImages()).isEqualTo(25);
        assertThat(MemoryCost.megabytes(mir.sampleBytes())).isCloseTo(0.02, within(0.005));
        for (String name : new String[] {"Distill", "ADI", "ARM"}) {
            MemoryCost c = MemoryCost.of(Methods.create(name, Map.of()), mnist);
            assertThat(c.modelParams())
                    .as(name)
                    .isEqualTo(784 * 400 + 400 + 400 * 400 + 400 + 400 * 10 + 10);
            assertThat(MemoryCost.megabytes(c.modelBytes())).isCloseTo(1.91, within(0.005));
            assertThat(c.m()).isEqualTo(10);
            assertThat(c.sampleImages()).isZero();
        }
        assertThat(MemoryCost.of(Methods.create("Naive", Map.of()), mnist))
                .isEqualTo(MemoryCost.NONE);
        assertThat(MemoryCost.of(Methods.create("Stationary", Map.of()), mnist))
                .isEqualTo(MemoryCost.NONE);
        assertThat(MemoryCost.of(Methods.create("ARM", Map.of("lag", "unit")), mnist).modelBytes())
                .isZero();
        assertThat(MemoryCost.of(Methods.create("ARM", Map.of("M", "20")), mnist).m())
                .isEqualTo(20);
    }
}
