package arm.nn;

import arm.autograd.Var;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * A trainable tensor of a {@link Module}: a {@link Var#param} leaf plus its local name ("weight",
 * "bias"). The full dotted name ("fc1.weight") comes from {@link Module#namedParameters()}, because
 * it depends on where the module sits in the tree.
 *
 * <p>The optimiser updates {@code var.value} in place and reads {@code var.grad}, so a Var handed
 * to autograd stays valid across steps. Only {@link Module#to} replaces the Var (a new leaf on
 * another device), which is why optimisers are built after the model is placed.
 */
public final class Parameter {
    public final String name;
    public Var var;

    public Parameter(String name, Tensor value) {
        this.name = name;
        this.var = Var.param(value);
    }

    public Tensor value() {
        return var.value;
    }

    /** The gradient accumulated by {@link arm.autograd.Autograd#backward}, or null. */
    public Tensor grad() {
        return var.grad;
    }

    public int numel() {
        return var.value.numel();
    }

    @Override
    public String toString() {
        return "Parameter " + name + Shape.str(var.value.shape);
    }
}
