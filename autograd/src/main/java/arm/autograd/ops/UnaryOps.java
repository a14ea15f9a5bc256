package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Tensor;
import arm.tensor.Unary;

/**
 * Elementwise y = op(x; α) for every {@link Unary}; dx = dy · op'(x). The derivative table sits
 * beside the forward in the kernels ({@code ElementwiseRef.derivative}) and in docs/DERIVATIVES.md:
 * neg −1 · exp y · log 1/x · sqrt 1/(2y) · pow α·x^(α−1) · relu [x&gt;0] · clamp_min [x≥α] · scale
 * α · add_scalar 1 · sigmoid y·(1−y) · softplus σ(x) (1 above 20) · clamp_max [x≤α].
 */
public final class UnaryOps {
    private UnaryOps() {}

    public static Var apply(Unary op, Var x, float alpha) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(x.shape());
        be.unary(op, x.value, alpha, y);
        return Node.record(y, new UnaryNode(op, alpha, x, y));
    }

    static final class UnaryNode extends Node {
        final Unary op;
        final float alpha;
        final Tensor y;

        UnaryNode(Unary op, float alpha, Var x, Tensor y) {
            super(x);
            this.op = op;
            this.alpha = alpha;
            this.y = y;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.empty(x.shape());
            be.unaryBackward(op, x.value, y, dy, alpha, dx);
            g.add(x, dx);
        }
    }
}
