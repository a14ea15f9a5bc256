// Shared helpers for our CUDA kernels (included by every .cu file; not a kernel itself).
// Kernels use grid-stride loops, so the host may launch fewer blocks than elements.
#pragma once

#define MAXR 8  // highest tensor rank the broadcasting/permute/reduce kernels accept

#define GRID_STRIDE(i, n) \
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < (n); i += (long)blockDim.x * gridDim.x)

// Sum of v over the 32 lanes of a warp (every lane gets the result).
__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Sum of v over the block (blockDim.x a multiple of 32, ≤ 1024), in double: each warp sums its lanes,
// then the first warp sums the warps' partials, so the order is fixed by blockDim.x alone. Every
// thread gets the result. Every thread of the block must call it (it synchronises the block).
__device__ double block_sum_d(double v) {
  __shared__ double part[32];
  __shared__ double total;
  v = warp_sum_d(v);
  if ((threadIdx.x & 31) == 0) part[threadIdx.x >> 5] = v;
  __syncthreads();
  if (threadIdx.x < 32) {
    double s = threadIdx.x < (blockDim.x >> 5) ? part[threadIdx.x] : 0.0;
    s = warp_sum_d(s);
    if (threadIdx.x == 0) total = s;
  }
  __syncthreads();
  double r = total;
  __syncthreads();  // part and total are reused by the next call
  return r;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
