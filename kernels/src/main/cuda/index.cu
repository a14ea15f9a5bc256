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
