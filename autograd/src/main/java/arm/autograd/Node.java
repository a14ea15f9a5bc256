package arm.autograd;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Tensor;

/**
 * One recorded operation. Subclasses keep, in named fields, exactly what their backward reads, and
 * implement {@link #backward} by adding each needed input's gradient into {@link Gradients}.
 */
public abstract class Node {
    protected final Var[] inputs;

    protected Node(Var... inputs) {
        this.inputs = inputs;
    }

    /** Adds dL/d(input) for every input that {@code g.needs(input)}, given dL/d(output). */
    protected abstract void backward(Tensor dOut, Gradients g);

    public static Backend backendOf(Tensor t) {
        return Backends.of(t);
    }

    /**
     * Wraps an op's result: records {@code node} when gradients are on and some input is tracked,
     * otherwise returns a constant (no graph is kept under {@link Autograd#noGrad}).
     */
    public static Var record(Tensor value, Node node) {
        return records(node.inputs) ? new Var(value, false, node) : Var.constant(value);
    }

    /**
     * Whether an op on these inputs records a node: gradients on and some input tracked (an op may
     * ask first, to run a cheaper forward when nothing will differentiate it).
     */
    public static boolean records(Var... inputs) {
        if (!Autograd.gradEnabled()) return false;
        for (Var v : inputs) if (v.tracked()) return true;
        return false;
    }
}
