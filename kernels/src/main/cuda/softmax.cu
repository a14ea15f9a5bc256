// Softmax and log-softmax along the last axis of x[R, C], forward and backward; one warp per row.
//   forward:   y = softmax(x) = e^(x−max) / Σ e^(x−max),   log: y = x − max − log Σ e^(x−max)
//   backward:  softmax:     dx = y ⊙ (dy − Σ_c dy⊙y)
//              log-softmax: dx = dy − e^y · Σ_c dy
#include "common.cuh"

extern "C" __global__ void softmax_forward(const float* x, float* y, int rows, int c, int log) {
  int lane = threadIdx.x & 31;
  for (long r = (blockIdx.x * (long)blockDim.x + threadIdx.x) >> 5; r < rows; r += ((long)gridDim.x * blockDim.x) >> 5) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    float m = -INFINITY;
    for (int j = lane; j < c; j += 32) m = fmaxf(m, xr[j]);
    m = warp_max(m);
    float s = 0.f;
    for (int j = lane; j < c; j += 32) s += expf(xr[j] - m);
    s = warp_sum(s);
    if (log) {
      float lse = logf(s);
      for (int j = lane; j < c; j += 32) yr[j] = xr[j] - m - lse;
    } else {
      float inv = 1.f / s;
      for (int j = lane; j < c; j += 32) yr[j] = expf(xr[j] - m) * inv;
    }
  }
}

extern "C" __global__ void softmax_backward(const float* y, const float* dy, float* dx, int rows, int c, int log) {
  int lane = threadIdx.x & 31;
  for (long r = (blockIdx.x * (long)blockDim.x + threadIdx.x) >> 5; r < rows; r += ((long)gridDim.x * blockDim.x) >> 5) {
    const float* yr = y + r * c;
    const float* gr = dy + r * c;
    float* dr = dx + r * c;
    float s = 0.f;
    if (log) {
      for (int j = lane; j < c; j += 32) s += gr[j];
      s = warp_sum(s);
      for (int j = lane; j < c; j += 32) dr[j] = gr[j] - expf(yr[j]) * s;
    } else {
      for (int j = lane; j < c; j += 32) s += gr[j] * yr[j];
      s = warp_sum(s);
      for (int j = lane; j < c; j += 32) dr[j] = yr[j] * (gr[j] - s);
    }
  }
}
