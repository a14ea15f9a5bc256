package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Tensor;

/** y = x viewed with a new shape (no copy). dx = dy viewed with x's shape. */
public final class Reshape {
    private Reshape() {}

    public static Var apply(Var x, int... shape) {
        return Node.record(x.value.reshape(shape), new ReshapeNode(x));
    }

    static final class ReshapeNode extends Node {
        ReshapeNode(Var x) {
            super(x);
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            if (g.claim(dy)) g.add(x, dy.reshape(x.shape())); // a view: no copy
            else g.addCopy(x, dy.reshape(x.shape()));
        }
    }
}
