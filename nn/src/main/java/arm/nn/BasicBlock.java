package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * ResNet's BasicBlock(in, out, stride) (ALGORITHM.md §5.2):
 *
 * <pre>
 * main:      conv3×3(in→out, stride, pad 1) → BN → ReLU → conv3×3(out→out, 1, pad 1) → BN
 * shortcut:  identity, or conv1×1(in→out, stride) → BN when stride ≠ 1 or in ≠ out
 * output:    ReLU(main + shortcut)
 * </pre>
 *
 * Member names follow PyTorch (conv1, bn1, conv2, bn2, shortcut.0, shortcut.1). BN → ReLU runs as
 * one fused op ({@link BatchNorm2d#forwardRelu}); in eval BN2, the add and the final ReLU are one
 * more ({@link BatchNorm2d#forwardAddRelu}).
 */
public final class BasicBlock extends Module {
    public final int in, out, stride;
    public final Conv2d conv1, conv2;
    public final BatchNorm2d bn1, bn2;

    /** Null for the identity shortcut. */
    public final Projection shortcut;

    public BasicBlock(int in, int out, int stride, SplittableRandom rng) {
        this.in = in;
        this.out = out;
        this.stride = stride;
        conv1 = child("conv1", new Conv2d(in, out, 3, stride, 1, rng));
        bn1 = child("bn1", new BatchNorm2d(out));
        conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1, rng));
        bn2 = child("bn2", new BatchNorm2d(out));
        shortcut =
                stride != 1 || in != out
                        ? child("shortcut", new Projection(in, out, stride, rng))
                        : null;
    }

    @Override
    public Var forward(Var x) {
        Var h = conv2.forward(bn1.forwardRelu(conv1.forward(x)));
        // eval: BN2, the add and the ReLU as one op; training keeps bn2 before the shortcut's BN
        // (their batch-statistics terms and running updates follow the forward order)
        if (bn2.fusesAddRelu())
            return bn2.forwardAddRelu(h, shortcut == null ? x : shortcut.forward(x));
        h = bn2.forward(h);
        return F.relu(F.add(h, shortcut == null ? x : shortcut.forward(x)));
    }

    @Override
    protected Module blank() {
        return new BasicBlock(in, out, stride, new SplittableRandom(0));
    }

    /** The projection shortcut: conv1×1(in→out, stride) → BN. */
    public static final class Projection extends Module {
        public final Conv2d conv;
        public final BatchNorm2d bn;
        final int in, out, stride;

        Projection(int in, int out, int stride, SplittableRandom rng) {
            this.in = in;
            this.out = out;
            this.stride = stride;
            conv = child("0", new Conv2d(in, out, 1, stride, 0, rng));
            bn = child("1", new BatchNorm2d(out));
        }

        @Override
        public Var forward(Var x) {
            return bn.forward(conv.forward(x));
        }

        @Override
        protected Module blank() {
            return new Projection(in, out, stride, new SplittableRandom(0));
        }
    }
}
