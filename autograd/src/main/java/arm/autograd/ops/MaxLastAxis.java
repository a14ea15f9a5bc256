package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Tensor;
import java.util.Arrays;

/**
 * Maximum over the last axis (torch.max(x, dim=-1).values): x [.., C] gives y [..] (x [C] gives y
 * [1]).
 *
 * <pre>
 * forward:  y[r] = max_c x[r, c]          a[r] = the first c reaching it
 * backward: dx[r, c] = dy[r] · [c = a[r]]  (ties: the whole gradient goes to the first argmax)
 * </pre>
 *
 * Saves the argmax indices. {@link #argmax} gives the indices alone, outside the graph.
 */
public final class MaxLastAxis {
    private MaxLastAxis() {}

    public static Var apply(Var x) {
        Backend be = Node.backendOf(x.value);
        int[] argmax = new int[rows(x.value)];
        Tensor y = be.empty(reducedShape(x.shape()));
        be.maxLastAxis(x.value, y, argmax);
        return Node.record(y, new MaxNode(x, argmax));
    }

    /** The index of the first maximum of each row of the last axis; not differentiable. */
    public static int[] argmax(Tensor x) {
        Backend be = Node.backendOf(x);
        int[] argmax = new int[rows(x)];
        be.maxLastAxis(x, be.empty(rows(x)), argmax);
        return argmax;
    }

    /**
     * {@link #argmax} left on x's device: a tensor [R] of indices as floats (no host wait on a
     * GPU).
     */
    public static Tensor argmaxIndex(Tensor x) {
        Backend be = Node.backendOf(x);
        Tensor idx = be.empty(rows(x));
        be.maxLastAxisIndex(x, null, idx);
        return idx;
    }

    private static int rows(Tensor x) {
        return x.numel() / x.dim(-1);
    }

    private static int[] reducedShape(int[] s) {
        return s.length == 1 ? new int[] {1} : Arrays.copyOf(s, s.length - 1);
    }

    static final class MaxNode extends Node {
        final int[] argmax;

        MaxNode(Var x, int[] argmax) {
            super(x);
            this.argmax = argmax;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.zeros(x.shape());
            be.scatterAddLastAxis(dy, argmax, dx);
            g.add(x, dx);
        }
    }
}
