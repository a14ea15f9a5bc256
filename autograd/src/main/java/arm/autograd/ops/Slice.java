package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * y = x[…, start : start+length, …] along one axis (torch.narrow; Python's x[:, a:b]).
 *
 * <pre>
 * forward:  y[…, i, …] = x[…, start + i, …]            0 ≤ i &lt; length
 * backward: dx[…, j, …] = dy[…, j − start, …] inside the slice, 0 outside (dy zero-padded)
 * </pre>
 *
 * Both directions are one {@link Backend#copyAlongAxis}. Saves the axis and the start.
 */
public final class Slice {
    private Slice() {}

    public static Var apply(Var x, int axis, int start, int length) {
        int a = axis < 0 ? x.value.rank() + axis : axis;
        if (a < 0 || a >= x.value.rank() || start < 0 || length < 0 || start + length > x.dim(a))
            throw new IllegalArgumentException(
                    "slice ["
                            + start
                            + ", "
                            + (start + length)
                            + ") along axis "
                            + axis
                            + " is outside "
                            + Shape.str(x.shape()));
        int[] shape = x.shape().clone();
        shape[a] = length;
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(shape);
        be.copyAlongAxis(x.value, a, start, y, 0, length);
        return Node.record(y, new SliceNode(x, a, start));
    }

    static final class SliceNode extends Node {
        final int axis, start;

        SliceNode(Var x, int axis, int start) {
            super(x);
            this.axis = axis;
            this.start = start;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.zeros(x.shape()); // positions outside the slice keep their zeros
            be.copyAlongAxis(dy, axis, 0, dx, start, dy.shape[axis]);
            g.add(x, dx);
        }
    }
}
