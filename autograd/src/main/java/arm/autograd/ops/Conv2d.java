package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation, as in PyTorch), NCHW, no bias, square stride and zero
 * padding: x [N, Ci, H, W], w [Co, Ci, kh, kw] → y [N, Co, Ho, Wo], Ho = (H + 2·pad − kh)/stride +
 * 1.
 *
 * <pre>
 * y[n,o,i,j] = Σ_{c,u,v} x[n, c, i·s − p + u, j·s − p + v] · w[o,c,u,v]
 * dx[n,c,r,q] = Σ_{o,u,v: r = i·s − p + u, q = j·s − p + v} dy[n,o,i,j] · w[o,c,u,v]   (transposed conv)
 * dw[o,c,u,v] = Σ_{n,i,j} dy[n,o,i,j] · x[n, c, i·s − p + u, j·s − p + v]
 * </pre>
 *
 * Saves nothing beyond its inputs (x for dw, w for dx). Each gradient is computed only when asked
 * for: during ARM's input refinement only dx runs, never the weight gradient.
 */
public final class Conv2d {
    private Conv2d() {}

    public static Var apply(Var x, Var w, int stride, int pad) {
        if (x.value.rank() != 4 || w.value.rank() != 4 || x.dim(1) != w.dim(1))
            throw new IllegalArgumentException(
                    "conv2d: input " + x + " and weight " + w + " do not fit");
        Backend be = Node.backendOf(x.value);
        int ho = Shape.convOut(x.dim(2), w.dim(2), stride, pad),
                wo = Shape.convOut(x.dim(3), w.dim(3), stride, pad);
        if (ho <= 0 || wo <= 0)
            throw new IllegalArgumentException(
                    "conv2d: kernel " + w + " larger than padded input " + x);
        Tensor y = be.empty(x.dim(0), w.dim(0), ho, wo);
        be.conv2d(x.value, w.value, stride, pad, y);
        return Node.record(y, new ConvNode(x, w, stride, pad));
    }

    static final class ConvNode extends Node {
        final int stride, pad;

        ConvNode(Var x, Var w, int stride, int pad) {
            super(x, w);
            this.stride = stride;
            this.pad = pad;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0], w = inputs[1];
            Backend be = backendOf(dy);
            if (g.needs(x)) {
                Tensor dx = be.empty(x.shape());
                be.conv2dBackwardInput(dy, w.value, stride, pad, dx);
                g.add(x, dx);
            }
            if (g.needs(w)) {
                Tensor dw = be.empty(w.shape());
                // dy is this node's alone once it runs, x a saved input: both stay as they are
                Runnable fill = () -> be.conv2dBackwardWeight(x.value, dy, stride, pad, dw);
                if (g.defers(w)) g.later(w, dw, fill);
                else {
                    fill.run();
                    g.add(w, dw);
                }
            }
        }
    }
}
