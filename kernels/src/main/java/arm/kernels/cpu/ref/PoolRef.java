package arm.kernels.cpu.ref;

import arm.tensor.Shape;

/**
 * Average pooling over k×k windows, no padding, NCHW; Ho = (H − k)/stride + 1 (floor), so trailing
 * rows and columns that no window covers are dropped, as PyTorch's avg_pool2d does. y[n,c,i,j] =
 * (1/k²) Σ_{u,v<k} x[n,c,i·stride+u, j·stride+v]; dx spreads dy/k² back.
 */
public final class PoolRef {
    private PoolRef() {}

    public static void avgForward(float[] x, float[] y, int nc, int h, int w, int k, int stride) {
        int ho = Shape.convOut(h, k, stride, 0), wo = Shape.convOut(w, k, stride, 0);
        float inv = 1f / (k * k);
        for (int p = 0; p < nc; p++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    float s = 0f;
                    for (int u = 0; u < k; u++)
                        for (int v = 0; v < k; v++)
                            s += x[(p * h + i * stride + u) * w + j * stride + v];
                    y[(p * ho + i) * wo + j] = s * inv;
                }
    }

    public static void avgBackward(
            float[] dy, float[] dx, int nc, int h, int w, int k, int stride) {
        int ho = Shape.convOut(h, k, stride, 0), wo = Shape.convOut(w, k, stride, 0);
        float inv = 1f / (k * k);
        java.util.Arrays.fill(dx, 0, nc * h * w, 0f);
        for (int p = 0; p < nc; p++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++) {
                    float g = dy[(p * ho + i) * wo + j] * inv;
                    for (int u = 0; u < k; u++)
                        for (int v = 0; v < k; v++)
                            dx[(p * h + i * stride + u) * w + j * stride + v] += g;
                }
    }
}
