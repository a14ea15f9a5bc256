package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * The MNIST network of ALGORITHM.md §5.1 ("consistent with MIR"): flatten → Linear(784→400) → ReLU
 * → Linear(400→400) → ReLU → Linear(400→10) → logits. No BatchNorm, no dropout, so train and eval
 * mode compute the same function. 314,000 + 160,400 + 4,010 = 478,410 parameters.
 */
public final class Mlp extends Module implements CountedForward {
    public final int in, hidden, classes;
    public final Linear fc1, fc2, fc3;

    /** The published 784-400-400-10 network. */
    public Mlp(SplittableRandom rng) {
        this(784, 400, 10, rng);
    }

    /** Other widths, for fast tests. Layers are initialised in order fc1, fc2, fc3. */
    public Mlp(int in, int hidden, int classes, SplittableRandom rng) {
        this(in, hidden, classes, (i, o) -> new Linear(i, o, rng));
    }

    /**
     * Initialised from PyTorch's generator as the authors' mlp is after torch.manual_seed(run id):
     * hidden.0, hidden.2, linear, each weight then bias ({@link Init#torchLinear}).
     */
    public Mlp(int in, int hidden, int classes, TorchRandom g) {
        this(in, hidden, classes, (i, o) -> new Linear(i, o, g));
    }

    /** Builds fc1, fc2, fc3 in that order (the order their initialisations draw in). */
    private Mlp(int in, int hidden, int classes, BiFunction<Integer, Integer, Linear> layer) {
        this.in = in;
        this.hidden = hidden;
        this.classes = classes;
        fc1 = child("fc1", layer.apply(in, hidden));
        fc2 = child("fc2", layer.apply(hidden, hidden));
        fc3 = child("fc3", layer.apply(hidden, classes));
    }

    /** The number of generator outputs the constructor above consumes: one per parameter. */
    public static long torchInitDraws(int in, int hidden, int classes) {
        return (long) (in + 1) * hidden
                + (long) (hidden + 1) * hidden
                + (long) (hidden + 1) * classes;
    }

    /** x [N, …] with in values per sample → logits [N, classes]. */
    @Override
    public Var forward(Var x) {
        Var h = x.value.rank() == 2 ? x : F.reshape(x, x.dim(0), -1);
        h = F.relu(fc1.forward(h));
        h = F.relu(fc2.forward(h));
        return fc3.forward(h);
    }

    /** Samples do not interact in the MLP: the counts do not change any row's logits. */
    @Override
    public Var forward(Var x, int[] counts) {
        if (counts.length != x.dim(0))
            throw new IllegalArgumentException(counts.length + " counts for " + x);
        return forward(x);
    }

    @Override
    protected Module blank() {
        return new Mlp(in, hidden, classes, new SplittableRandom(0));
    }
}
