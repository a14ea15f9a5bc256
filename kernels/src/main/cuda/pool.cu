// Average pooling over k×k windows, no padding, NCHW (floor of the output size, as PyTorch's avg_pool2d).
//   forward:   y[p, i, j] = (1/k²) Σ_{u,v<k} x[p, i·s+u, j·s+v]          p = n·C + c
//   backward:  dx[p, a, b] = (1/k²) Σ over windows (i, j) covering (a, b) of dy[p, i, j]; 0 if uncovered
// The CUDA backend uses cuDNN's pooling by default; these are the -Darm.cuda.ownPool=true path and the
// parity twin for it.
#include "common.cuh"

extern "C" __global__ void avg_pool_forward(const float* x, float* y, int nc, int h, int w, int k, int s) {
  int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
  long n = (long)nc * ho * wo;
  float inv = 1.f / (k * k);
  GRID_STRIDE(i, n) {
    int j = i % wo, r = (i / wo) % ho;
    long p = i / ((long)wo * ho);
    const float* xp = x + p * h * w + (long)r * s * w + (long)j * s;
    float acc = 0.f;
    for (int u = 0; u < k; u++)
      for (int v = 0; v < k; v++) acc += xp[u * w + v];
    y[i] = acc * inv;
  }
}

// One thread per input element: gathers from the windows that cover it (no atomics).
extern "C" __global__ void avg_pool_backward(const float* dy, float* dx, int nc, int h, int w, int k, int s) {
  int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
  long n = (long)nc * h * w;
  float inv = 1.f / (k * k);
  GRID_STRIDE(i, n) {
    int b = i % w, a = (i / w) % h;
    long p = i / ((long)w * h);
    // windows i0..i1 cover row a: i·s ≤ a < i·s + k
    int i0 = a < k ? 0 : (a - k) / s + 1, i1 = min(a / s, ho - 1);
    int j0 = b < k ? 0 : (b - k) / s + 1, j1 = min(b / s, wo - 1);
    float acc = 0.f;
    for (int r = i0; r <= i1; r++)
      for (int c = j0; c <= j1; c++) acc += dy[(p * ho + r) * wo + c];
    dx[i] = acc * inv;
  }
}
