// Layout copies: permute and copy-along-axis (slice / concat).
//   permute:          out[i0..ik] = x[i_perm^-1...]; out.shape[d] = x.shape[perm[d]].
//                     Backward: permute dy with the inverse permutation (the same kernel).
//   copy_along_axis:  dst[o, dstStart + l, i] = src[o, srcStart + l, i] for l < length, with
//                     src viewed as [outer, sa, inner] and dst as [outer, da, inner].
//                     Backward: the same kernel with src and dst swapped (slice ↔ pad-into-zeros).
#include "common.cuh"

// out's shape and, per output dimension, the stride of x along it
struct Perm { int rank; int shape[MAXR]; int step[MAXR]; };

extern "C" __global__ void permute(const float* x, float* out, int n, Perm p) {
  GRID_STRIDE(i, n) {
    long rest = i, xi = 0;
    for (int d = p.rank - 1; d >= 0; d--) {
      xi += (rest % p.shape[d]) * (long)p.step[d];
      rest /= p.shape[d];
    }
    out[i] = x[xi];
  }
}

extern "C" __global__ void copy_along_axis(const float* src, float* dst, int outer, int sa, int da,
                                           int srcStart, int dstStart, int length, int inner) {
  long n = (long)outer * length * inner;
  GRID_STRIDE(i, n) {
    long in = i % inner, t = i / inner;
    long l = t % length, o = t / length;
    dst[(o * da + dstStart + l) * inner + in] = src[(o * sa + srcStart + l) * inner + in];
  }
}
