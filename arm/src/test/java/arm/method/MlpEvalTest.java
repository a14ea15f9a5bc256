package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.Autograd;
import arm.autograd.Var;
import arm.data.Dataset;
import arm.kernels.cpu.LinearEval;
import arm.metrics.Evaluator;
import arm.nn.Mlp;
import arm.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The MLP's fused evaluation forward ({@link MlpEval}) gives the module's eval-mode logits bit for
 * bit, on random bytes, odd widths and a set whose last batch (7 images) is below the GEMM's panel
 * path (so it goes through the module); the accuracies ({@link Evaluator#evaluateRows}) are those
 * of {@link Evaluator#evaluate}. On mostly-zero images the batches are prepared once and run
 * reordered: the logits are still the module's, in the dataset's order, on every evaluation, after
 * a weight change and when two threads prepare the same batch at once.
 */
class MlpEvalTest {

    @Test
    void sameLogitsAndAccuracyAsTheModule() {
        Mlp net = new Mlp(45, 83, 10, new SplittableRandom(5));
        int n = Evaluator.BATCH + 7;
        byte[] px = new byte[n * 45];
        new SplittableRandom(9).nextBytes(px);
        int[] labels = new int[n];
        Arrays.setAll(labels, i -> (i * 3) % 10);
        Dataset d = new Dataset("random", px, labels, new int[] {45});
        net.eval();
        try (var ng = Autograd.noGrad()) {
            MlpEval fast =
                    new MlpEval(net, Evaluator.rows(x -> net.forward(Var.constant(x)).value, 10));
            for (int start = 0; start < n; start += Evaluator.BATCH) {
                int b = Math.min(Evaluator.BATCH, n - start);
                int[] idx = new int[b];
                for (int i = 0; i < b; i++) idx[i] = start + i;
                float[] expected = net.forward(Var.constant(d.batch(idx))).value.toArray();
                float[] got = Arrays.copyOf(fast.logits(d, start, b), b * 10);
                assertThat(got)
                        .as("batch at %d, fused: %s", start, LinearEval.sameBitsAsGemm(b))
                        .isEqualTo(expected);
            }
            Evaluator.Accuracy a = Evaluator.evaluateRows(fast, d, 10, Evaluator.BATCH);
            Evaluator.Accuracy e =
                    Evaluator.evaluate(x -> net.forward(Var.constant(x)).value, d, 10);
            assertThat(a.perClass()).isEqualTo(e.perClass());
            assertThat(a.pooled()).isEqualTo(e.pooled());
        }
    }

    /**
     * MNIST-like images: each label lights a random ~30% of its own region (~40% of the pixels), so
     * most pixels are exact zeros and the zero-skipping path with its prepared, reordered batches
     * runs.
     */
    private static Dataset strokes(int n, int item, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean[][] region = new boolean[10][item];
        for (boolean[] g : region) for (int p = 0; p < item; p++) g[p] = r.nextDouble() < 0.4;
        byte[] px = new byte[n * item];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
            for (int p = 0; p < item; p++)
                if (region[labels[i]][p] && r.nextDouble() < 0.3)
                    px[i * item + p] = (byte) (1 + r.nextInt(255));
        }
        return new Dataset("strokes", px, labels, new int[] {item});
    }

    private static void assertModuleLogits(MlpEval fast, Mlp net, Dataset d, String what) {
        for (int start = 0; start < d.size(); start += Evaluator.BATCH) {
            int b = Math.min(Evaluator.BATCH, d.size() - start);
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) idx[i] = start + i;
            float[] expected = net.forward(Var.constant(d.batch(idx))).value.toArray();
            float[] got = Arrays.copyOf(fast.logits(d, start, b), b * 10);
            assertThat(got).as("%s, batch at %d", what, start).isEqualTo(expected);
        }
    }

    @Test
    void preparedReorderedBatchesGiveTheModulesLogitsEveryTime() {
        Mlp net = new Mlp(97, 64, 10, new SplittableRandom(3));
        Dataset d = strokes(2 * Evaluator.BATCH + 7, 97, 11);
        net.eval();
        try (var ng = Autograd.noGrad()) {
            Evaluator.RowLogits module =
                    Evaluator.rows(x -> net.forward(Var.constant(x)).value, 10);
            // the first evaluation prepares the batches, the second reads them back
            assertModuleLogits(new MlpEval(net, module), net, d, "first evaluation");
            assertModuleLogits(new MlpEval(net, module), net, d, "second evaluation");
            // new weights, the same prepared batches
            float[] w = net.fc1.weight.value().data();
            for (int i = 0; i < w.length; i += 3) w[i] = -w[i];
            assertModuleLogits(new MlpEval(net, module), net, d, "after a weight change");
        }
    }

    @Test
    void twoThreadsPreparingTheSameBatchesAgree() throws Exception {
        Mlp net = new Mlp(97, 64, 10, new SplittableRandom(4));
        Dataset d = strokes(Evaluator.BATCH + 3, 97, 12);
        net.eval();
        float[] expected;
        try (var ng = Autograd.noGrad()) {
            int[] idx = new int[Evaluator.BATCH];
            Arrays.setAll(idx, i -> i);
            expected = net.forward(Var.constant(d.batch(idx))).value.toArray();
        }
        // one model per thread, as a shared evaluation gives them; both ask for the batch at once
        java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.Callable<float[]> task =
                () -> {
                    try (var ng = Autograd.noGrad()) {
                        MlpEval fast =
                                new MlpEval(
                                        net,
                                        Evaluator.rows(
                                                x -> net.forward(Var.constant(x)).value, 10));
                        go.await();
                        return Arrays.copyOf(fast.logits(d, 0, Evaluator.BATCH), expected.length);
                    }
                };
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(task);
            var b = pool.submit(task);
            assertThat(a.get()).isEqualTo(expected);
            assertThat(b.get()).isEqualTo(expected);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theOrderIsAPermutationByLabelThatStartsEachLabelAtItsFirstImage() {
        Dataset d = strokes(300, 50, 13);
        int[] order = ZeroPatternOrder.of(d.pixels(), d.labels(), 50, 20, 250);
        assertThat(order).hasSize(250);
        assertThat(Arrays.stream(order.clone()).sorted().toArray())
                .isEqualTo(java.util.stream.IntStream.range(0, 250).toArray());
        int[] labels = d.labels();
        for (int p = 1; p < order.length; p++) {
            int prev = labels[20 + order[p - 1]], cur = labels[20 + order[p]];
            assertThat(cur).as("labels in order at %d", p).isGreaterThanOrEqualTo(prev);
            if (cur != prev) // a label's chain starts at its first image in the batch
            for (int q = 0; q < order[p]; q++) assertThat(labels[20 + q]).isNotEqualTo(cur);
        }
        assertThat(ZeroPatternOrder.of(d.pixels(), d.labels(), 50, 20, 250)).isEqualTo(order);
    }

    @Test
    void takesTheNaiveLayersWhereTheKernelIsOff() {
        // with -Darm.evalFast=false or without the SIMD kernel, ContinualMethod keeps the module
        assertThat(MlpEval.applies(new Mlp(4, 5, 3, new SplittableRandom(1))))
                .isEqualTo(LinearEval.available());
        assertThat(MlpEval.applies(Tensor.zeros(1))).isFalse();
    }
}
