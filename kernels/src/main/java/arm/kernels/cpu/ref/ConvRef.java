package arm.kernels.cpu.ref;

import arm.tensor.Shape;

/**
 * Naive direct 2-D convolution (cross-correlation, as in PyTorch), NCHW, no bias.
 *
 * <p>x [N, Ci, H, W], w [Co, Ci, KH, KW], y [N, Co, Ho, Wo] with Ho = (H + 2·pad − KH)/stride + 1.
 * y[n,o,i,j] = Σ_{c,u,v} x[n, c, i·stride − pad + u, j·stride − pad + v] · w[o, c, u, v]
 * (out-of-range x reads as 0). The three loops below are the forward and its two adjoints.
 */
public final class ConvRef {
    private ConvRef() {}

    public static void forward(
            float[] x,
            float[] w,
            float[] y,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        int ho = Shape.convOut(h, kh, stride, pad), wo = Shape.convOut(wd, kw, stride, pad);
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++) {
                        float acc = 0f;
                        for (int c = 0; c < ci; c++)
                            for (int u = 0; u < kh; u++) {
                                int r = i * stride - pad + u;
                                if (r < 0 || r >= h) continue;
                                for (int v = 0; v < kw; v++) {
                                    int s = j * stride - pad + v;
                                    if (s < 0 || s >= wd) continue;
                                    acc +=
                                            x[((b * ci + c) * h + r) * wd + s]
                                                    * w[((o * ci + c) * kh + u) * kw + v];
                                }
                            }
                        y[((b * co + o) * ho + i) * wo + j] = acc;
                    }
    }

    /** dx[n,c,r,s] = Σ over every (o,i,j,u,v) that read x[n,c,r,s] of dy[n,o,i,j] · w[o,c,u,v]. */
    public static void backwardInput(
            float[] dy,
            float[] w,
            float[] dx,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        int ho = Shape.convOut(h, kh, stride, pad), wo = Shape.convOut(wd, kw, stride, pad);
        java.util.Arrays.fill(dx, 0, n * ci * h * wd, 0f);
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
                for (int i = 0; i < ho; i++)
                    for (int j = 0; j < wo; j++) {
                        float g = dy[((b * co + o) * ho + i) * wo + j];
                        for (int c = 0; c < ci; c++)
                            for (int u = 0; u < kh; u++) {
                                int r = i * stride - pad + u;
                                if (r < 0 || r >= h) continue;
                                for (int v = 0; v < kw; v++) {
                                    int s = j * stride - pad + v;
                                    if (s < 0 || s >= wd) continue;
                                    dx[((b * ci + c) * h + r) * wd + s] +=
                                            g * w[((o * ci + c) * kh + u) * kw + v];
                                }
                            }
                    }
    }

    /** dw[o,c,u,v] = Σ_{n,i,j} dy[n,o,i,j] · x[n, c, i·stride − pad + u, j·stride − pad + v]. */
    public static void backwardWeight(
            float[] x,
            float[] dy,
            float[] dw,
            int n,
            int ci,
            int h,
            int wd,
            int co,
            int kh,
            int kw,
            int stride,
            int pad) {
        int ho = Shape.convOut(h, kh, stride, pad), wo = Shape.convOut(wd, kw, stride, pad);
        for (int o = 0; o < co; o++)
            for (int c = 0; c < ci; c++)
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++) {
                        float acc = 0f;
                        for (int b = 0; b < n; b++)
                            for (int i = 0; i < ho; i++) {
                                int r = i * stride - pad + u;
                                if (r < 0 || r >= h) continue;
                                for (int j = 0; j < wo; j++) {
                                    int s = j * stride - pad + v;
                                    if (s < 0 || s >= wd) continue;
                                    acc +=
                                            dy[((b * co + o) * ho + i) * wo + j]
                                                    * x[((b * ci + c) * h + r) * wd + s];
                                }
                            }
                        dw[((o * ci + c) * kh + u) * kw + v] = acc;
                    }
    }
}
