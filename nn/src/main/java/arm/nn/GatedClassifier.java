package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import java.util.SplittableRandom;

/**
 * The classifier of the MIR code's generative-replay runs on MNIST (its model.py "classifier", not
 * the ER MLP): flatten → GatedDense(784→400, ReLU) → Dropout(0.2) → GatedDense(400→10, no
 * activation) → logits. 2·785·400 + 2·401·10 = 636,020 parameters. Dropout makes training and eval
 * mode differ: the owner hands it a generator ({@link Dropout#useGenerator}) before training
 * forwards.
 */
public final class GatedClassifier extends Module {
    public final int in, hidden, classes;
    public final float dropout;
    public final GatedDense layer1, layer2;
    private final Dropout drop;

    /** The published 784-400-10 classifier with dropout 0.2. */
    public GatedClassifier(SplittableRandom rng) {
        this(784, 400, 10, 0.2f, rng);
    }

    public GatedClassifier(int in, int hidden, int classes, float dropout, SplittableRandom rng) {
        this.in = in;
        this.hidden = hidden;
        this.classes = classes;
        this.dropout = dropout;
        layer1 = child("layer1", new GatedDense(in, hidden, true, rng));
        drop = child("drop", new Dropout(dropout));
        layer2 = child("layer2", new GatedDense(hidden, classes, false, rng));
    }

    /** x [N, …] with in values per sample → logits [N, classes]. */
    @Override
    public Var forward(Var x) {
        Var h = x.value.rank() == 2 ? x : F.reshape(x, x.dim(0), -1);
        return layer2.forward(drop.forward(layer1.forward(h)));
    }

    @Override
    protected Module blank() {
        return new GatedClassifier(in, hidden, classes, dropout, new SplittableRandom(0));
    }
}
