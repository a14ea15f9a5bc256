package arm.kernels.cpu.ref;

/**
 * Naive 2-D transposed convolution (PyTorch's conv_transpose2d), NCHW, no bias, written as a gather
 * over the output so that it shares no loop with {@link ConvRef}'s scatter.
 *
 * <p>x [N, Ci, H, W], w [Ci, Co, KH, KW], y [N, Co, Ho, Wo] with Ho = (H − 1)·stride − 2·pad + KH +
 * outputPadding. y[n,o,r,q] = Σ x[n,c,i,j] · w[c,o,u,v] over every (c, i, j, u, v) with r =
 * i·stride − pad + u and q = j·stride − pad + v.
 */
public final class ConvTransposeRef {
    private ConvTransposeRef() {}

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
            int pad,
            int ho,
            int wo) {
        for (int b = 0; b < n; b++)
            for (int o = 0; o < co; o++)
                for (int r = 0; r < ho; r++)
                    for (int q = 0; q < wo; q++) {
                        float acc = 0f;
                        for (int c = 0; c < ci; c++)
                            for (int u = 0; u < kh; u++) {
                                int ti = r + pad - u; // = i·stride
                                if (ti < 0 || ti % stride != 0 || ti / stride >= h) continue;
                                int i = ti / stride;
                                for (int v = 0; v < kw; v++) {
                                    int tj = q + pad - v;
                                    if (tj < 0 || tj % stride != 0 || tj / stride >= wd) continue;
                                    acc +=
                                            x[((b * ci + c) * h + i) * wd + tj / stride]
                                                    * w[((c * co + o) * kh + u) * kw + v];
                                }
                            }
                        y[((b * co + o) * ho + r) * wo + q] = acc;
                    }
    }
}
