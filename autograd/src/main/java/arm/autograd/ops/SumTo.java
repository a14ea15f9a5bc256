package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Binary;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * y = Σ of x over the dimensions where y's shape is 1 (keep-dim reduction; y may also drop leading
 * dimensions). dx = dy broadcast back to x's shape. Sum/mean over axes are built on it.
 */
public final class SumTo {
    private SumTo() {}

    public static Var apply(Var x, int... shape) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(shape);
        be.sumTo(x.value, y);
        return Node.record(y, new SumNode(x));
    }

    static final class SumNode extends Node {
        SumNode(Var x) {
            super(x);
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.empty(x.shape()); // every element written
            Tensor zero = be.zeros(1);
            be.binary(Binary.ADD, dy, zero, broadcastTarget(dx, dy)); // dx = broadcast(dy)
            g.add(x, dx);
        }

        private static Tensor broadcastTarget(Tensor dx, Tensor dy) {
            if (!Shape.same(Shape.broadcast(dy.shape, dx.shape), dx.shape))
                throw new IllegalStateException(dy + " does not broadcast to " + dx);
            return dx;
        }
    }
}
