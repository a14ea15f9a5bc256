package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Tensor;

/**
 * Softmax and log-softmax along the last axis, x [R, C].
 *
 * <pre>
 * softmax:      y = e^x / Σ e^x            dx = y ⊙ (dy − Σ_c dy·y)
 * log_softmax:  y = x − log Σ e^x          dx = dy − e^y · Σ_c dy
 * </pre>
 *
 * Saves only the output y.
 */
public final class Softmax {
    private Softmax() {}

    public static Var apply(Var x, boolean log) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(x.shape());
        be.softmax(x.value, log, y);
        return Node.record(y, new SoftmaxNode(x, y, log));
    }

    static final class SoftmaxNode extends Node {
        final Tensor y;
        final boolean log;

        SoftmaxNode(Var x, Tensor y, boolean log) {
            super(x);
            this.y = y;
            this.log = log;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.empty(x.shape());
            be.softmaxBackward(y, dy, log, dx);
            g.add(x, dx);
        }
    }
}
