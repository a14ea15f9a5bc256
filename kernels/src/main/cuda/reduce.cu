// Reductions: sumTo (the adjoint of broadcasting) and max / argmax along the last axis.
//   sum_to:        out[o] = Σ_r x[offset(o, r)], o over the kept dimensions, r over the reduced ones.
//                  Its backward is a broadcast (binary ADD into zeros), so no second kernel is needed.
//   max_last_axis: values[r] = max_c x[r, c], argmax[r] = first c reaching it (no gradient; used for
//                  accuracy and the argmax class of the sharpen term); max_last_axis_f writes the
//                  argmax as a float, kept on the device.
#include "common.cuh"

// x's shape and strides; keep[d] = 1 when out keeps dimension d (out is aligned to x's rank)
struct Reduce { int rank; int shape[MAXR]; int stride[MAXR]; int keep[MAXR]; };

// One block per output element (grid-stride over outputs); threads split the reduced elements and
// accumulate in double, like the CPU reference, so long sums agree to float rounding.
extern "C" __global__ void sum_to(const float* x, float* out, int m, int per, Reduce g) {
  for (int o = blockIdx.x; o < m; o += gridDim.x) {
    long base = 0;
    int rest = o;
    for (int d = g.rank - 1; d >= 0; d--)
      if (g.keep[d]) { base += (long)(rest % g.shape[d]) * g.stride[d]; rest /= g.shape[d]; }
    double acc = 0;
    for (int r = threadIdx.x; r < per; r += blockDim.x) {
      long off = base;
      int q = r;
      for (int d = g.rank - 1; d >= 0; d--)
        if (!g.keep[d]) { off += (long)(q % g.shape[d]) * g.stride[d]; q /= g.shape[d]; }
      acc += x[off];
    }
    double v = block_sum_d(acc);
    if (threadIdx.x == 0) out[o] = (float)v;
  }
}

// One warp per row. values or argmax may be null. I is int (argmax for the host) or float (argmax kept
// on the device as a float index, for gather_last_f).
template <typename I>
__device__ void max_last_axis_t(const float* x, float* values, I* argmax, int rows, int c) {
  int lane = threadIdx.x & 31;
  for (long r = (blockIdx.x * (long)blockDim.x + threadIdx.x) >> 5; r < rows; r += ((long)gridDim.x * blockDim.x) >> 5) {
    const float* row = x + r * c;
    float best = -INFINITY;
    int bi = 0x7fffffff;
    for (int j = lane; j < c; j += 32) {
      float v = row[j];
      if (v > best || (v == best && j < bi)) { best = v; bi = j; }
    }
    for (int o = 16; o > 0; o >>= 1) {
      float ov = __shfl_xor_sync(0xffffffffu, best, o);
      int oi = __shfl_xor_sync(0xffffffffu, bi, o);
      if (ov > best || (ov == best && oi < bi)) { best = ov; bi = oi; }
    }
    if (lane == 0) {
      if (values) values[r] = best;
      if (argmax) argmax[r] = (I)(bi == 0x7fffffff ? 0 : bi);
    }
  }
}

extern "C" __global__ void max_last_axis(const float* x, float* values, int* argmax, int rows, int c) {
  max_last_axis_t<int>(x, values, argmax, rows, c);
}

extern "C" __global__ void max_last_axis_f(const float* x, float* values, float* argmax, int rows, int c) {
  max_last_axis_t<float>(x, values, argmax, rows, c);
}

// Two-stage sum of all n elements into one value (a loss, a norm): stage 1 has each block write a
// partial sum (double) of a strided share, stage 2 one block adds the partials. Many blocks keep the
// whole GPU busy where sum_to would give one block the whole tensor. The split depends on n only, so
// the result is the same on every card.
extern "C" __global__ void sum_all_partial(const float* x, double* partial, long n) {
  double acc = 0;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)blockDim.x * gridDim.x) acc += x[i];
  double v = block_sum_d(acc);
  if (threadIdx.x == 0) partial[blockIdx.x] = v;
}

extern "C" __global__ void sum_all_final(const double* partial, int parts, float* out) {
  double acc = 0;
  for (int i = threadIdx.x; i < parts; i += blockDim.x) acc += partial[i];
  double v = block_sum_d(acc);
  if (threadIdx.x == 0) out[0] = (float)v;
}
