// Gather along the last axis and its backward, scatter-add (indices are checked on the host).
//   gather:       out[r] = x[r, index[r]]          x: [R, C], index: [R], out: [R]
//   scatter_add:  dx[r, index[r]] += dOut[r]       (one element per row, so no atomics are needed)
#include "common.cuh"

extern "C" __global__ void gather_last(const float* x, const int* index, float* out, int rows, int c) {
  GRID_STRIDE(r, rows) out[r] = x[r * c + index[r]];
}

extern "C" __global__ void scatter_add_last(const float* dOut, const int* index, float* dx, int rows, int c) {
  GRID_STRIDE(r, rows) dx[r * c + index[r]] += dOut[r];
}

// The same with the index in device memory as floats holding integers (an argmax kept on the GPU).
// Indices are not range-checked on the host: gather writes NaN for one out of range (so the
// numerical guard sees it), scatter skips it.
extern "C" __global__ void gather_last_f(const float* x, const float* index, float* out, int rows, int c) {
  GRID_STRIDE(r, rows) {
    int k = (int)index[r];
    out[r] = k >= 0 && k < c ? x[r * c + k] : __int_as_float(0x7fc00000);
  }
}

extern "C" __global__ void scatter_add_last_f(const float* dOut, const float* index, float* dx, int rows, int c) {
  GRID_STRIDE(r, rows) {
    int k = (int)index[r];
    if (k >= 0 && k < c) dx[r * c + k] += dOut[r];
  }
}
