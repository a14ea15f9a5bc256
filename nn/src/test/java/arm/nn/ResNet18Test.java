package arm.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.GradCheck;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ResNet18's architecture against numbers derived by hand (ALGORITHM.md §5.2), and BN semantics.
 */
class ResNet18Test {

    /**
     * Hand count, nf = 20, BN = 2 parameters per channel: stem 3·20·9 + 40 = 580; layer1: 4 convs
     * 20·20·9 = 3,600 each + 4 BN(20) = 4·3,640 = 14,560; layer2: 20·40·9 + 40·40·9·3 + 1×1 20·40 +
     * 5 BN(40) = 7,200 + 43,200 + 800 + 400 = 51,600; layer3: 40·80·9 + 80·80·9·3 + 40·80 + 5
     * BN(80) = 28,800 + 172,800 + 3,200 + 800 = 205,600; layer4: 80·160·9 + 160·160·9·3 + 80·160 +
     * 5 BN(160) = 115,200 + 691,200 + 12,800 + 1,600 = 820,800; body 1,093,140; CIFAR head 160·10 +
     * 10 = 1,610 → 1,094,750; MiniImageNet head 640·100 + 100 = 64,100 → 1,157,240.
     */
    @Test
    void parameterCountsAndTwentyBatchNorms() {
        ResNet18 cifar = ResNet18.cifar10(new SplittableRandom(1));
        ResNet18 mini = ResNet18.miniImageNet(new SplittableRandom(1));
        assertThat(cifar.parameterCount()).isEqualTo(1_094_750L);
        assertThat(mini.parameterCount()).isEqualTo(1_157_240L);
        assertThat(cifar.batchNorms()).hasSize(20);
        assertThat(cifar.linear.weight.value().shape).containsExactly(10, 160);
        assertThat(mini.linear.weight.value().shape).containsExactly(100, 640);
        assertThat(cifar.namedParameters())
                .containsKeys(
                        "conv1.weight",
                        "bn1.weight",
                        "layer1.0.conv1.weight",
                        "layer2.0.shortcut.0.weight",
                        "layer4.1.bn2.bias",
                        "linear.weight");
        assertThat(cifar.namedParameters()).doesNotContainKey("layer1.0.shortcut.0.weight");
        assertThat(cifar.namedBuffers())
                .containsKeys("bn1.running_mean", "bn1.num_batches_tracked");
        assertThat(cifar.bn1.momentum).isNull();
        assertThat(cifar.blocks[0].bn1.momentum).isEqualTo(0.1f);
    }

    @Test
    void cifarSpatialChain() {
        ResNet18 net = ResNet18.cifar10(new SplittableRandom(2));
        List<Var> s = net.forwardStages(Var.constant(GradCheck.rand(3, 0, 1, 2, 3, 32, 32)));
        assertThat(s.get(0).shape()).containsExactly(2, 20, 32, 32);
        assertThat(s.get(1).shape()).containsExactly(2, 20, 32, 32);
        assertThat(s.get(2).shape()).containsExactly(2, 40, 16, 16);
        assertThat(s.get(3).shape()).containsExactly(2, 80, 8, 8);
        assertThat(s.get(4).shape()).containsExactly(2, 160, 4, 4);
        assertThat(s.get(5).shape()).containsExactly(2, 160, 1, 1);
        assertThat(s.get(6).shape()).containsExactly(2, 10);
    }

    @Test
    void miniImageNetSpatialChain() {
        ResNet18 net = ResNet18.miniImageNet(new SplittableRandom(4));
        List<Var> s = net.forwardStages(Var.constant(GradCheck.rand(5, 0, 1, 2, 3, 84, 84)));
        assertThat(s.get(1).shape()).containsExactly(2, 20, 84, 84);
        assertThat(s.get(2).shape()).containsExactly(2, 40, 42, 42);
        assertThat(s.get(3).shape()).containsExactly(2, 80, 21, 21);
        assertThat(s.get(4).shape()).containsExactly(2, 160, 11, 11);
        assertThat(s.get(5).shape()).containsExactly(2, 160, 2, 2);
        assertThat(s.get(6).shape()).containsExactly(2, 100);
    }

    @Test
    void initMatchesPyTorchDefaults() {
        ResNet18 net = ResNet18.cifar10(new SplittableRandom(6));
        float bound = (float) (1 / Math.sqrt(20 * 9)); // layer1 convs: fan_in = 20·3·3
        float max = 0;
        for (float v : net.blocks[0].conv1.weight.value().data()) max = Math.max(max, Math.abs(v));
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.98f * bound);
        for (BatchNorm2d bn : net.batchNorms()) {
            assertThat(bn.weight.value().data()).containsOnly(1f);
            assertThat(bn.bias.value().data()).containsOnly(0f);
            assertThat(bn.runningMean.data()).containsOnly(0f);
            assertThat(bn.runningVar.data()).containsOnly(1f);
        }
    }

    // ------------------------------------------------------------ BatchNorm semantics by hand

    /** One channel, two images of 1×2: batch 1 = {1, 2, 3, 6}, batch 2 = {0, 4, 4, 8}. */
    static Var batch(float... v) {
        return Var.constant(Tensor.of(v, 2, 1, 1, 2));
    }

    @Test
    void cumulativeMomentumKeepsTheRunningAverage() {
        BatchNorm2d bn = new BatchNorm2d(1, null);
        bn.forward(batch(1, 2, 3, 6)); // mean 3, unbiased var (4+1+0+9)/3 = 14/3; factor 1/1
        assertThat(bn.numBatchesTracked.item()).isEqualTo(1f);
        assertThat(bn.runningMean.item()).isCloseTo(3f, within(1e-6f));
        assertThat(bn.runningVar.item()).isCloseTo(14f / 3, within(1e-5f)); // the initial 1 is gone
        bn.forward(batch(0, 4, 4, 8)); // mean 4, unbiased var (16+0+0+16)/3 = 32/3; factor 1/2
        assertThat(bn.numBatchesTracked.item()).isEqualTo(2f);
        assertThat(bn.runningMean.item()).isCloseTo(3.5f, within(1e-6f));
        assertThat(bn.runningVar.item()).isCloseTo((14f / 3 + 32f / 3) / 2, within(1e-5f));
    }

    @Test
    void defaultMomentumUsesUnbiasedVarianceAndBiasedNormalisation() {
        BatchNorm2d bn = new BatchNorm2d(1);
        float[] y = bn.forward(batch(1, 2, 3, 6)).value.toArray();
        assertThat(bn.runningMean.item()).isCloseTo(0.3f, within(1e-6f));
        assertThat(bn.runningVar.item()).isCloseTo(0.9f + 0.1f * 14f / 3, within(1e-6f));
        // normalised with the biased variance 14/4 = 3.5
        double sd = Math.sqrt(3.5 + 1e-5);
        assertThat((double) y[0]).isCloseTo(-2 / sd, within(1e-6));
        assertThat((double) y[3]).isCloseTo(3 / sd, within(1e-6));
        assertThat(bn.numBatchesTracked.item()).isEqualTo(1f);
    }

    @Test
    void evalUsesRunningStatisticsAndChangesNothing() {
        BatchNorm2d bn = new BatchNorm2d(1);
        bn.forward(batch(1, 2, 3, 6));
        float rm = bn.runningMean.item(), rv = bn.runningVar.item();
        bn.eval();
        float[] y = bn.forward(batch(0, 4, 4, 8)).value.toArray();
        assertThat((double) y[1]).isCloseTo((4 - rm) / Math.sqrt(rv + 1e-5), within(1e-6));
        assertThat(bn.runningMean.item()).isEqualTo(rm);
        assertThat(bn.numBatchesTracked.item()).isEqualTo(1f);
    }

    @Test
    void everyTrainForwardUpdatesEveryBuffer() {
        ResNet18 net = new ResNet18(ResNet18.Variant.CIFAR10, 4, new SplittableRandom(7));
        Var x = Var.constant(GradCheck.rand(8, 0, 1, 3, 3, 32, 32));
        try (var ng = Autograd.noGrad()) { // no-grad passes update the buffers too, as in PyTorch
            net.forward(x);
            net.forward(x);
        }
        for (BatchNorm2d bn : net.batchNorms())
            assertThat(bn.numBatchesTracked.item()).isEqualTo(2f);
    }

    /**
     * An evaluation without a graph runs eval BN with the ReLU fused and each block's BN2, residual
     * add and ReLU as one pass; with a graph the ops stay apart. Both give the same logits, bit for
     * bit (odd batch, running statistics moved away from 0 and 1 by training forwards).
     */
    @Test
    void evalWithoutAGraphHasTheComposedBits() {
        ResNet18 net = new ResNet18(ResNet18.Variant.CIFAR10, 4, new SplittableRandom(8));
        try (var ng = Autograd.noGrad()) {
            for (int i = 0; i < 3; i++)
                net.forward(Var.constant(GradCheck.rand(9, 0, 1, 3, 3, 32, 32)));
        }
        net.eval();
        Var x = Var.constant(GradCheck.rand(7, 0, 1, 3, 3, 32, 32));
        Tensor withGraph = net.forward(x).value;
        Tensor without;
        try (var ng = Autograd.noGrad()) {
            without = net.forward(x).value;
        }
        assertThat(without.toArray()).containsExactly(withGraph.toArray());
        assertThat(net.forward(x).tracked()).isTrue(); // the graph's path is the composed one
    }

    // ------------------------------------------------------------ ADI's R_bs

    @Test
    void batchStatsTermByHandAndItsGradient() {
        BatchNorm2d bn = new BatchNorm2d(1);
        Var x = batch(1, 2, 3, 6);
        // mean 3 vs running 0, unbiased var 14/3 vs running 1: |3| + |14/3 − 1|
        assertThat(bn.batchStatsTerm(x).value.item()).isCloseTo(3f + 11f / 3, within(1e-5f));

        int n = 3, c = 2, hw = 6;
        BatchNorm2d two = new BatchNorm2d(c);
        two.runningMean.data()[1] = 0.3f;
        two.runningVar.data()[0] = 0.7f;
        GradCheck.check(
                "R_bs term",
                v -> two.batchStatsTerm(v[0]),
                a -> {
                    double mu0 = 0, mu1 = 0, v0 = 0, v1 = 0;
                    double[] mu = new double[c], var = new double[c];
                    for (int ch = 0; ch < c; ch++) {
                        for (int b = 0; b < n; b++)
                            for (int i = 0; i < hw; i++) mu[ch] += a[0][(b * c + ch) * hw + i];
                        mu[ch] /= n * hw;
                        for (int b = 0; b < n; b++)
                            for (int i = 0; i < hw; i++)
                                var[ch] += Math.pow(a[0][(b * c + ch) * hw + i] - mu[ch], 2);
                        var[ch] /= n * hw - 1;
                    }
                    double dm = Math.hypot(mu[0] - 0, mu[1] - 0.3),
                            dv = Math.hypot(var[0] - 0.7, var[1] - 1);
                    return new double[] {dm + dv};
                },
                GradCheck.rand(9, -1, 2, n, c, 2, 3));
    }

    @Test
    void forwardWithBatchStatsAveragesTwentyLayersBeforeTheirUpdate() {
        ResNet18 net = new ResNet18(ResNet18.Variant.CIFAR10, 4, new SplittableRandom(10));
        Var x = Var.param(GradCheck.rand(11, 0, 1, 4, 3, 32, 32));
        ResNet18 twin = (ResNet18) net.copy();
        BatchStatsLoss.Forward out = net.forwardWithBatchStats(x);
        // the same forward, layer by layer, on the twin: collect each BN's input by hand
        List<Var> terms = new ArrayList<>();
        for (BatchNorm2d bn : twin.batchNorms()) bn.statsSink = terms;
        Var logits = twin.forward(x);
        assertThat(terms).hasSize(20);
        double mean = 0;
        for (Var t : terms) mean += t.value.item() / 20.0;
        assertThat((double) out.batchStats().value.item()).isCloseTo(mean, within(1e-4 * mean));
        assertThat(out.logits().value.toArray()).containsExactly(logits.value.toArray());
        // fresh model: the stem term is ‖μ(h)‖ + ‖v(h) − 1‖ of h = conv1(x), against the initial
        // stats
        float stem = new BatchNorm2d(4).batchStatsTerm(net.conv1.forward(x)).value.item();
        assertThat(terms.get(0).value.item()).isCloseTo(stem, within(1e-6f * stem));
        Tensor g = Autograd.grad(out.batchStats(), x)[0];
        assertThat(F.sum(Var.constant(g)).value.item()).isNotZero();
        for (BatchNorm2d bn : net.batchNorms()) assertThat(bn.statsSink).isNull();
    }

    @Test
    void copyCarriesParametersBuffersAndModes() {
        ResNet18 net = new ResNet18(ResNet18.Variant.MINIIMAGENET, 4, new SplittableRandom(12));
        Var x = Var.constant(GradCheck.rand(13, 0, 1, 2, 3, 84, 84));
        net.forward(x);
        ResNet18 old = (ResNet18) net.copy();
        assertThat(old.bn1.numBatchesTracked.item()).isEqualTo(1f);
        assertThat(old.forward(x).value.toArray()).containsExactly(net.forward(x).value.toArray());
        assertThat(old.bn1.runningMean.data()).containsExactly(net.bn1.runningMean.data());
    }
}
