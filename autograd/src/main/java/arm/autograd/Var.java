package arm.autograd;

import arm.tensor.Tensor;

/**
 * A tensor in the autodiff graph: its value, the {@link Node} that made it (null for leaves and
 * constants), and, for leaves that {@link #requiresGrad}, the gradient {@link Autograd#backward}
 * accumulates into {@link #grad}.
 *
 * <p>Any leaf can be differentiated — weights, or just as well ARM's recalled input images.
 */
public final class Var {
    public final Tensor value;
    public final boolean requiresGrad;
    final Node node;

    /** Accumulated by {@link Autograd#backward}; cleared by {@link #zeroGrad}. */
    public Tensor grad;

    Var(Tensor value, boolean requiresGrad, Node node) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.node = node;
    }

    /** A leaf whose gradient can be asked for (a parameter, or an input being optimised). */
    public static Var param(Tensor value) {
        return new Var(value, true, null);
    }

    /** A leaf that never needs a gradient (data, targets). */
    public static Var constant(Tensor value) {
        return new Var(value, false, null);
    }

    /** True when this value depends on something differentiable (it is part of a graph). */
    public boolean tracked() {
        return requiresGrad || node != null;
    }

    public int[] shape() {
        return value.shape;
    }

    public int dim(int d) {
        return value.dim(d);
    }

    public void zeroGrad() {
        grad = null;
    }

    @Override
    public String toString() {
        return "Var"
                + arm.tensor.Shape.str(value.shape)
                + (node != null ? " <- " + node.getClass().getSimpleName() : "");
    }
}
