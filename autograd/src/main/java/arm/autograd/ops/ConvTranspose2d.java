package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Shape;
import arm.tensor.Tensor;

/**
 * 2-D transposed convolution (PyTorch's conv_transpose2d), NCHW, no bias (F adds it), square stride
 * and zero padding: x [N, Ci, H, W], w [Ci, Co, kh, kw] (ConvTranspose2d's layout) → y [N, Co, Ho,
 * Wo], Ho = (H − 1)·s − 2·p + kh + op, 0 ≤ op < s the output padding.
 *
 * <pre>
 * y[n,o,r,q] = Σ_{c,i,j,u,v: r = i·s − p + u, q = j·s − p + v} x[n,c,i,j] · w[c,o,u,v]
 *                                          (= conv2dBackwardInput of the convolution y → x)
 * dx[n,c,i,j] = Σ_{o,u,v} dy[n,o,i·s − p + u, j·s − p + v] · w[c,o,u,v]   (= conv2d(dy, w))
 * dw[c,o,u,v] = Σ_{n,i,j} x[n,c,i,j] · dy[n,o,i·s − p + u, j·s − p + v]
 *                                          (= conv2dBackwardWeight with input dy, output gradient x)
 * </pre>
 *
 * The output padding only adds rows and columns at the bottom and right that no kernel tap of the
 * convolution y → x reads past (it floors them away), so y's shape carries it. Saves nothing beyond
 * its inputs; each gradient is computed only when asked for.
 */
public final class ConvTranspose2d {
    private ConvTranspose2d() {}

    public static Var apply(Var x, Var w, int stride, int pad, int outputPad) {
        if (x.value.rank() != 4 || w.value.rank() != 4 || x.dim(1) != w.dim(0))
            throw new IllegalArgumentException(
                    "conv_transpose2d: input " + x + " and weight " + w + " do not fit");
        if (stride < 1 || pad < 0 || outputPad < 0 || outputPad >= stride)
            throw new IllegalArgumentException(
                    "conv_transpose2d: need stride ≥ 1, pad ≥ 0 and 0 ≤ output padding < stride,"
                            + " got "
                            + stride
                            + ", "
                            + pad
                            + ", "
                            + outputPad);
        int ho = Shape.convTransposeOut(x.dim(2), w.dim(2), stride, pad, outputPad),
                wo = Shape.convTransposeOut(x.dim(3), w.dim(3), stride, pad, outputPad);
        if (ho <= 0 || wo <= 0)
            throw new IllegalArgumentException(
                    "conv_transpose2d: padding " + pad + " leaves no output for " + x);
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(x.dim(0), w.dim(1), ho, wo);
        be.convTranspose2d(x.value, w.value, stride, pad, y);
        return Node.record(y, new ConvTransposeNode(x, w, stride, pad));
    }

    static final class ConvTransposeNode extends Node {
        final int stride, pad;

        ConvTransposeNode(Var x, Var w, int stride, int pad) {
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
                be.conv2d(dy, w.value, stride, pad, dx);
                g.add(x, dx);
            }
            if (g.needs(w)) {
                Tensor dw = be.empty(w.shape());
                be.conv2dBackwardWeight(dy, x.value, stride, pad, dw);
                g.add(w, dw);
            }
        }
    }
}
