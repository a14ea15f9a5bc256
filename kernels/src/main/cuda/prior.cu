// ARM's image prior λ5·R_L2 + λ6·R_TV on x [U, c·h·w] (Backend.imagePrior), row u standing for w_u copies
// (w null: once each), forward and backward in closed form; the CPU twin is ImagePriorRef.
//   forward, per image (one block each):  p_u = {w_u·√max(Σx², TINY), w_u·ΣΔ_h², w_u·ΣΔ_w²}
//   then one block:  R_L2 = k0·Σ p0,  R_TV = k3·(k1·Σ p1 + k2·Σ p2),  out = l5·R_L2 + l6·R_TV
//   backward, per image (one block each, Σx² recomputed):
//     dx = dy·w_u·(aL2·x/√Σx²·[Σx² ≥ TINY] + aH·δ_h + aW·δ_w),  δ_h[i] = (x[i]−x[i−1])·[i>0] − (x[i+1]−x[i])·[i<h−1]
#include "common.cuh"

#define TINY 1.17549435e-38  // the smallest normal float, the floor under Σx² before the square root

// part [U, 3]: the three weighted sums of each image, sums in double.
extern "C" __global__ void image_prior_rows(const float* x, const float* wt, float* part, int u, int c, int h,
                                           int w) {
  long d = (long)c * h * w;
  for (int r = blockIdx.x; r < u; r += gridDim.x) {
    const float* xr = x + r * d;
    double sq = 0, th = 0, tw = 0;
    for (long j = threadIdx.x; j < d; j += blockDim.x) {
      int col = (int)(j % w), row = (int)(j / w % h);
      double v = xr[j];
      sq += v * v;
      if (row + 1 < h) { double e = xr[j + w] - v; th += e * e; }
      if (col + 1 < w) { double e = xr[j + 1] - v; tw += e * e; }
    }
    sq = block_sum_d(sq);
    th = block_sum_d(th);
    tw = block_sum_d(tw);
    if (threadIdx.x == 0) {
      double k = wt ? (double)wt[r] : 1.0;
      part[3L * r] = (float)(k * sqrt(fmax(sq, TINY)));
      part[3L * r + 1] = (float)(k * th);
      part[3L * r + 2] = (float)(k * tw);
    }
  }
}

// One block: the scalars from part (rL2, rTV may be null). Rounded as the CPU rounds (no FMA contraction).
extern "C" __global__ void image_prior_final(const float* part, int u, float k0, float k1, float k2, float k3,
                                            float l5, float l6, float* out, float* rL2, float* rTV) {
  double s0 = 0, s1 = 0, s2 = 0;
  for (int r = threadIdx.x; r < u; r += blockDim.x) {
    s0 += part[3L * r];
    s1 += part[3L * r + 1];
    s2 += part[3L * r + 2];
  }
  s0 = block_sum_d(s0);
  s1 = block_sum_d(s1);
  s2 = block_sum_d(s2);
  if (threadIdx.x == 0) {
    float a = (float)(s0 * k0), b = (float)((s1 * k1 + s2 * k2) * k3), t = 0.f;
    if (l5 != 0.f) t = __fadd_rn(t, __fmul_rn(l5, a));
    if (l6 != 0.f) t = __fadd_rn(t, __fmul_rn(l6, b));
    out[0] = t;
    if (rL2) rL2[0] = a;
    if (rTV) rTV[0] = b;
  }
}

// dx = dy[0]·∂out/∂x, one block per image; aL2 = l5·k0 (0 without the L2 term), aH = 2·l6·k3·k1, aW = 2·l6·k3·k2.
extern "C" __global__ void image_prior_backward(const float* x, const float* wt, const float* dy, int u, int c,
                                               int h, int w, double aL2, double aH, double aW, float* dx) {
  long d = (long)c * h * w;
  for (int r = blockIdx.x; r < u; r += gridDim.x) {
    const float* xr = x + r * d;
    double sq = 0;
    for (long j = threadIdx.x; j < d; j += blockDim.x) sq += (double)xr[j] * xr[j];
    sq = block_sum_d(sq);
    double g = (double)dy[0] * (wt ? (double)wt[r] : 1.0);
    double norm = aL2 != 0.0 && sq >= TINY ? aL2 / sqrt(sq) : 0.0;  // the clamp passes no gradient below TINY
    for (long j = threadIdx.x; j < d; j += blockDim.x) {
      int col = (int)(j % w), row = (int)(j / w % h);
      double v = xr[j], dh = 0, dw = 0;
      if (row > 0) dh += v - xr[j - w];
      if (row + 1 < h) dh -= xr[j + w] - v;
      if (col > 0) dw += v - xr[j - 1];
      if (col + 1 < w) dw -= xr[j + 1] - v;
      dx[r * d + j] = (float)(g * (norm * v + aH * dh + aW * dw));
    }
  }
}
