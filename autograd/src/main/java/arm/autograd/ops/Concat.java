package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * y = the inputs joined along one axis (torch.cat); every other dimension must agree.
 *
 * <pre>
 * forward:  y[…, start_k : start_k + n_k, …] = x_k      start_k = n_0 + … + n_{k−1}
 * backward: dx_k = dy[…, start_k : start_k + n_k, …]   (the slice of dy that x_k filled)
 * </pre>
 *
 * Saves the axis and each input's start.
 */
public final class Concat {
    private Concat() {}

    public static Var apply(int axis, Var... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat of nothing");
        int rank = xs[0].value.rank(), a = axis < 0 ? rank + axis : axis;
        if (a < 0 || a >= rank)
            throw new IllegalArgumentException("axis " + axis + " of rank " + rank);
        int[] starts = new int[xs.length];
        int[] shape = xs[0].shape().clone();
        shape[a] = 0;
        for (int k = 0; k < xs.length; k++) {
            checkFits(xs[0].shape(), xs[k].shape(), a, k);
            starts[k] = shape[a];
            shape[a] += xs[k].dim(a);
        }
        Backend be = Node.backendOf(xs[0].value);
        Tensor y = be.empty(shape);
        for (int k = 0; k < xs.length; k++)
            be.copyAlongAxis(xs[k].value, a, 0, y, starts[k], xs[k].dim(a));
        return Node.record(y, new ConcatNode(xs.clone(), a, starts));
    }

    private static void checkFits(int[] first, int[] s, int axis, int k) {
        boolean ok = s.length == first.length;
        for (int d = 0; ok && d < s.length; d++) ok = d == axis || s[d] == first[d];
        if (!ok)
            throw new IllegalArgumentException(
                    "concat along axis "
                            + axis
                            + ": input "
                            + k
                            + " "
                            + Shape.str(s)
                            + " does not match input 0 "
                            + Shape.str(first));
    }

    static final class ConcatNode extends Node {
        final int axis;
        final int[] starts;

        ConcatNode(Var[] xs, int axis, int[] starts) {
            super(xs);
            this.axis = axis;
            this.starts = starts;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Backend be = backendOf(dy);
            for (int k = 0; k < inputs.length; k++) {
                Var x = inputs[k];
                if (!g.needs(x)) continue;
                Tensor dx = be.empty(x.shape());
                be.copyAlongAxis(dy, axis, starts[k], dx, 0, x.dim(axis));
                g.add(x, dx);
            }
        }
    }
}
