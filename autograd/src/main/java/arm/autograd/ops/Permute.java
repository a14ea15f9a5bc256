package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * y = x with its dimensions reordered (torch.permute): y.shape[d] = x.shape[perm[d]].
 *
 * <pre>
 * forward:  y[i_0, …, i_{r−1}] = x[j]   where j[perm[d]] = i_d
 * backward: dx = permute(dy, perm⁻¹)    where perm⁻¹[perm[d]] = d
 * </pre>
 *
 * A permutation only moves elements, so its adjoint moves them back. Saves the inverse permutation.
 */
public final class Permute {
    private Permute() {}

    public static Var apply(Var x, int... perm) {
        int[] inverse = inverse(perm, x.value.rank());
        int[] shape = new int[perm.length];
        for (int d = 0; d < perm.length; d++) shape[d] = x.dim(perm[d]);
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(shape);
        be.permute(x.value, perm, y);
        return Node.record(y, new PermuteNode(x, inverse));
    }

    /** perm⁻¹; throws unless perm reorders 0 … rank−1. */
    static int[] inverse(int[] perm, int rank) {
        if (perm.length != rank) throw new IllegalArgumentException(bad(perm, rank));
        int[] inv = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            int p = perm[d];
            if (p < 0 || p >= rank || seen[p]) throw new IllegalArgumentException(bad(perm, rank));
            seen[p] = true;
            inv[p] = d;
        }
        return inv;
    }

    private static String bad(int[] perm, int rank) {
        return Shape.str(perm) + " is not a permutation of the " + rank + " dimensions";
    }

    static final class PermuteNode extends Node {
        final int[] inverse;

        PermuteNode(Var x, int[] inverse) {
            super(x);
            this.inverse = inverse;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.empty(x.shape());
            be.permute(dy, inverse, dx);
            g.add(x, dx);
        }
    }
}
