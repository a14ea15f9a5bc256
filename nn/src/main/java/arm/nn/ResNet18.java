package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The reduced ResNet18 of ARM's CIFAR10 and MiniImageNet runs (ALGORITHM.md §5.2), base width nf =
 * 20:
 *
 * <pre>
 * stem     conv3×3(3→nf, 1, pad 1) → BN(momentum None: cumulative average) → ReLU   (no max-pool)
 * layer1   BasicBlock(nf→nf, 1),    BasicBlock(nf→nf, 1)
 * layer2   BasicBlock(nf→2nf, 2),   BasicBlock(2nf→2nf, 1)
 * layer3   BasicBlock(2nf→4nf, 2),  BasicBlock(4nf→4nf, 1)
 * layer4   BasicBlock(4nf→8nf, 2),  BasicBlock(8nf→8nf, 1)
 * head     CIFAR:         adaptive avg-pool to 1×1 → 8nf = 160 → Linear(160→10)
 *          MiniImageNet:  avg_pool2d(4, 4) on 11×11 → 2×2 (rows/columns 8–10 unused)
 *                         → 4·8nf = 640 → Linear(640→100)
 * </pre>
 *
 * Spatial sizes: 32 → 32 → 16 → 8 → 4 and 84 → 84 → 42 → 21 → 11 → 2. No convolution has a bias; 20
 * BatchNorm layers; parameters 1,094,750 (CIFAR) and 1,157,240 (MiniImageNet). Init is PyTorch's
 * default, drawn in construction order from one seeded generator.
 *
 * <p>{@link #forwardWithBatchStats} also returns ADI's batch-statistics term R_bs (ALGORITHM.md
 * §3.3; the {@link BatchStatsLoss} hook ADI's refinement calls on f_old when w_bs ≠ 0).
 */
public final class ResNet18 extends Module implements BatchStatsLoss, CountedForward {

    /** The two published configurations. */
    public enum Variant {
        CIFAR10(32, 10, 0),
        MINIIMAGENET(84, 100, 4);
        public final int imageSize, classes;

        /** 0: adaptive pooling to 1×1; otherwise avg_pool2d(k, k). */
        public final int poolKernel;

        Variant(int imageSize, int classes, int poolKernel) {
            this.imageSize = imageSize;
            this.classes = classes;
            this.poolKernel = poolKernel;
        }
    }

    public static final int NF = 20;

    public final Variant variant;
    public final int nf;

    /** Outputs of the head: the variant's, or fewer for a run on part of the benchmark. */
    public final int classes;

    public final Conv2d conv1;
    public final BatchNorm2d bn1;
    public final BasicBlock[] blocks = new BasicBlock[8]; // layer1.0, layer1.1, …, layer4.1
    public final AvgPool2d pool;
    public final Linear linear;

    public static ResNet18 cifar10(SplittableRandom rng) {
        return new ResNet18(Variant.CIFAR10, NF, rng);
    }

    public static ResNet18 miniImageNet(SplittableRandom rng) {
        return new ResNet18(Variant.MINIIMAGENET, NF, rng);
    }

    /** Any base width (small ones for fast tests). */
    public ResNet18(Variant variant, int nf, SplittableRandom rng) {
        this(variant, nf, variant.classes, rng);
    }

    /** The same with a head of {@code classes} outputs (a run on the benchmark's first tasks). */
    public ResNet18(Variant variant, int nf, int classes, SplittableRandom rng) {
        this.variant = variant;
        this.nf = nf;
        this.classes = classes;
        conv1 = child("conv1", new Conv2d(3, nf, 3, 1, 1, rng));
        bn1 = child("bn1", new BatchNorm2d(nf, null));
        int in = nf;
        for (int stage = 0; stage < 4; stage++) {
            int out = nf << stage;
            Stage layer = child("layer" + (stage + 1), new Stage());
            blocks[2 * stage] = layer.add("0", new BasicBlock(in, out, stage == 0 ? 1 : 2, rng));
            blocks[2 * stage + 1] = layer.add("1", new BasicBlock(out, out, 1, rng));
            in = out;
        }
        pool =
                variant.poolKernel == 0
                        ? AvgPool2d.adaptive1x1()
                        : new AvgPool2d(variant.poolKernel, variant.poolKernel);
        int side = pooledSide(variant);
        linear = child("linear", new Linear(8 * nf * side * side, classes, rng));
    }

    /** Spatial size after layer4: each stride-2 stage maps s to ⌊(s − 1)/2⌋ + 1. */
    public static int finalSide(int imageSize) {
        int s = imageSize;
        for (int i = 0; i < 3; i++) s = (s - 1) / 2 + 1;
        return s;
    }

    static int pooledSide(Variant v) {
        return v.poolKernel == 0 ? 1 : (finalSide(v.imageSize) - v.poolKernel) / v.poolKernel + 1;
    }

    /** x [N, 3, S, S] → logits [N, classes]. */
    @Override
    public Var forward(Var x) {
        List<Var> stages = forwardStages(x);
        return stages.get(stages.size() - 1);
    }

    /**
     * Every intermediate of one forward, in order: stem output, layer1 … layer4 outputs, pooled
     * features [N, C, s, s], logits. For teaching and for the shape tests.
     */
    public List<Var> forwardStages(Var x) {
        if (x.value.rank() != 4 || x.dim(1) != 3)
            throw new IllegalArgumentException("ResNet18 takes images [N, 3, H, W], got " + x);
        List<Var> out = new ArrayList<>();
        Var h = bn1.forwardRelu(conv1.forward(x));
        out.add(h);
        for (int i = 0; i < 8; i++) {
            h = blocks[i].forward(h);
            if (i % 2 == 1) out.add(h);
        }
        h = pool.forward(h);
        out.add(h);
        out.add(linear.forward(F.reshape(h, h.dim(0), -1)));
        return out;
    }

    /** Every BatchNorm layer in forward order (20: stem, then per block bn1, bn2, shortcut BN). */
    public List<BatchNorm2d> batchNorms() {
        List<BatchNorm2d> out = new ArrayList<>();
        out.add(bn1);
        for (BasicBlock b : blocks) {
            out.add(b.bn1);
            out.add(b.bn2);
            if (b.shortcut != null) out.add(b.shortcut.bn);
        }
        return out;
    }

    /**
     * {@link #forward} of a counted batch: every BatchNorm layer uses the counted statistics (and
     * updates its running buffers as the replicated batch would), everything else is per sample.
     */
    @Override
    public Var forward(Var x, int[] counts) {
        if (counts.length != x.dim(0))
            throw new IllegalArgumentException(counts.length + " counts for " + x);
        List<BatchNorm2d> bns = batchNorms();
        for (BatchNorm2d bn : bns) bn.counts = counts;
        try {
            return forward(x);
        } finally {
            for (BatchNorm2d bn : bns) bn.counts = null;
        }
    }

    /**
     * One forward that also returns R_bs (ALGORITHM.md §3.3, the authors' {@code
     * resnet18_batch_stats}): for each of the 20 BN layers, from the layer's input, ‖μ −
     * running_mean‖₂ + ‖v − running_var‖₂ with μ the per-channel batch mean over (N, H, W), v the
     * unbiased variance, and the running values as they were before this forward updates them; R_bs
     * is the mean over the layers. Gradients of R_bs reach x (ADI's refinement differentiates it
     * with respect to the images). Otherwise identical to {@link #forward} (training-mode BN
     * updates the buffers as usual).
     */
    @Override
    public Forward forwardWithBatchStats(Var x) {
        List<BatchNorm2d> bns = batchNorms();
        List<Var> terms = new ArrayList<>();
        for (BatchNorm2d bn : bns) bn.statsSink = terms;
        Var logits;
        try {
            logits = forward(x);
        } finally {
            for (BatchNorm2d bn : bns) bn.statsSink = null;
        }
        Var sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) sum = F.add(sum, terms.get(i));
        return new Forward(logits, F.scale(sum, 1f / terms.size()));
    }

    @Override
    protected Module blank() {
        return new ResNet18(variant, nf, classes, new SplittableRandom(0));
    }

    /** A named container for one stage's two blocks (PyTorch's nn.Sequential "layerK"). */
    static final class Stage extends Module {
        BasicBlock add(String name, BasicBlock b) {
            return child(name, b);
        }

        @Override
        public Var forward(Var x) {
            for (Module m : children().values()) x = m.forward(x);
            return x;
        }

        @Override
        protected Module blank() {
            Stage s = new Stage();
            children().forEach((name, b) -> s.add(name, (BasicBlock) b.blank()));
            return s;
        }
    }
}
