package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.FixedInts;
import arm.tensor.Tensor;

/**
 * Picks one entry per row: y[r] = x[r, index[r]] for x [R, C], y [R]. Used for the label term of
 * cross-entropy. dx[r, c] = dy[r]·[c = index[r]]. The index is a host array, or a tensor of x's
 * device holding integers as floats (an argmax kept on a GPU, so no host wait).
 */
public final class Gather {
    private Gather() {}

    public static Var apply(Var x, int[] index) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(index.length);
        be.gatherLastAxis(x.value, index, y);
        return Node.record(y, new GatherNode(x, FixedInts.keep(index), null));
    }

    /** The same with the index in a tensor of x's device. */
    public static Var apply(Var x, Tensor index) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(index.numel());
        be.gatherLastAxis(x.value, index, y);
        return Node.record(y, new GatherNode(x, null, index));
    }

    /**
     * Exactly one of {@code hostIndex} and {@code deviceIndex} is set; neither is written later.
     */
    static final class GatherNode extends Node {
        final int[] hostIndex;
        final Tensor deviceIndex;

        GatherNode(Var x, int[] hostIndex, Tensor deviceIndex) {
            super(x);
            this.hostIndex = hostIndex;
            this.deviceIndex = deviceIndex;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.zeros(x.shape());
            if (hostIndex != null) be.scatterAddLastAxis(dy, hostIndex, dx);
            else be.scatterAddLastAxis(dy, deviceIndex, dx);
            g.add(x, dx);
        }
    }
}
