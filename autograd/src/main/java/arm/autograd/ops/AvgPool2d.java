package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * Average pooling over k×k windows with a stride, no padding, x [N, C, H, W] → y [N, C, Ho, Wo], Ho
 * = ⌊(H − k)/stride⌋ + 1 (rows and columns no window reaches are dropped, as in PyTorch's
 * avg_pool2d; the MiniImageNet head pools 11×11 with k = stride = 4 to 2×2). Adaptive pooling to
 * 1×1 is the case k = H = W.
 *
 * <pre>
 * y[n,c,i,j] = (1/k²) Σ_{u,v<k} x[n, c, i·s + u, j·s + v]
 * dx[n,c,r,q] = (1/k²) Σ_{windows (i,j) covering (r,q)} dy[n,c,i,j]     (0 where none covers)
 * </pre>
 *
 * Linear, so it saves nothing.
 */
public final class AvgPool2d {
    private AvgPool2d() {}

    public static Var apply(Var x, int k, int stride) {
        if (x.value.rank() != 4 || k > x.dim(2) || k > x.dim(3) || k < 1 || stride < 1)
            throw new IllegalArgumentException(
                    "avg_pool2d: kernel " + k + ", stride " + stride + " on " + x);
        Backend be = Node.backendOf(x.value);
        int ho = Shape.convOut(x.dim(2), k, stride, 0), wo = Shape.convOut(x.dim(3), k, stride, 0);
        Tensor y = be.empty(x.dim(0), x.dim(1), ho, wo);
        be.avgPool2d(x.value, k, stride, y);
        return Node.record(y, new PoolNode(x, k, stride));
    }

    static final class PoolNode extends Node {
        final int k, stride;

        PoolNode(Var x, int k, int stride) {
            super(x);
            this.k = k;
            this.stride = stride;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0];
            if (!g.needs(x)) return;
            Backend be = backendOf(dy);
            Tensor dx = be.empty(x.shape());
            be.avgPool2dBackward(dy, k, stride, dx);
            g.add(x, dx);
        }
    }
}
