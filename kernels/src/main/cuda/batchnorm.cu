// Batch-norm glue. The normalisation itself runs in cuDNN (cudnnBatchNormalization*), which
// keeps the inverse standard deviation 1/sqrt(var + eps); our Backend passes the biased variance.
//   var_from_invstd:  var = 1/inv² − eps        (after forward training)
//   invstd_from_var:  inv = 1/sqrt(var + eps)   (before backward)
#include "common.cuh"

extern "C" __global__ void var_from_invstd(const float* inv, float* var, double eps, int c) {
  GRID_STRIDE(i, c) {
    double s = (double)inv[i];
    var[i] = (float)(1.0 / (s * s) - eps);
  }
}

extern "C" __global__ void invstd_from_var(const float* var, float* inv, double eps, int c) {
  GRID_STRIDE(i, c) inv[i] = (float)(1.0 / sqrt((double)var[i] + eps));
}
