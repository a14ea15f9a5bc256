package arm.kernels.cpu.fast;

import arm.tensor.Shape;

/**
 * The geometry of one NCHW convolution (no bias, square stride and zero padding), with the sizes
 * the im2col formulation uses: K = Ci·kh·kw rows of the column matrix, P = Ho·Wo output positions
 * per image.
 */
public final class ConvShape {
    public final int n, ci, h, w, co, kh, kw, stride, pad, ho, wo, k, p;

    public ConvShape(int n, int ci, int h, int w, int co, int kh, int kw, int stride, int pad) {
        this.n = n;
        this.ci = ci;
        this.h = h;
        this.w = w;
        this.co = co;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.pad = pad;
        this.ho = Shape.convOut(h, kh, stride, pad);
        this.wo = Shape.convOut(w, kw, stride, pad);
        this.k = ci * kh * kw;
        this.p = ho * wo;
    }

    /** Elements of one image of x, of y. */
    public int xImage() {
        return ci * h * w;
    }

    public int yImage() {
        return co * p;
    }

    /** First output column j whose input column j·stride − pad + v is ≥ 0. */
    int jLo(int v) {
        int d = pad - v;
        return d <= 0 ? 0 : Math.min(wo, (d + stride - 1) / stride);
    }

    /** One past the last output column j whose input column j·stride − pad + v is &lt; w. */
    int jHi(int v) {
        int last = w - 1 + pad - v; // need j·stride ≤ last
        return last < 0 ? 0 : Math.min(wo, last / stride + 1);
    }

    @Override
    public String toString() {
        return "conv x["
                + n
                + ","
                + ci
                + ","
                + h
                + ","
                + w
                + "] w["
                + co
                + ","
                + ci
                + ","
                + kh
                + ","
                + kw
                + "] stride "
                + stride
                + " pad "
                + pad;
    }
}
