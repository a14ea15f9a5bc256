// Batch-norm glue and fused batch-norm kernels. The plain normalisation runs in cuDNN
// (cudnnBatchNormalization*), which keeps the inverse standard deviation 1/sqrt(var + eps); our Backend passes the biased variance.
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

// Running statistics (PyTorch's momentum rule), the four scale/axpy launches in one:
//   rm = rm·keep + mom·mean,  rv = rv·keep + momUnbias·var   (keep = 1 − mom, momUnbias = mom·m/(m−1))
// Rounded like the CPU's scale-then-axpy (no contraction into an FMA).
extern "C" __global__ void bn_update_running(float* rm, float* rv, const float* mean, const float* var,
                                             float keep, float mom, float momUnbias, int c) {
  GRID_STRIDE(i, c) {
    rm[i] = __fadd_rn(__fmul_rn(rm[i], keep), __fmul_rn(mom, mean[i]));
    rv[i] = __fadd_rn(__fmul_rn(rv[i], keep), __fmul_rn(momUnbias, var[i]));
  }
}

// The same with the factor read from device memory (mom = *factor, a device scalar the host writes before
// the launch; inside a CUDA graph a by-value factor would be frozen at capture): keep and momUnbias are
// formed as the host forms them, 1 − mom and mom·unbias rounded to float, so the bits are those above.
extern "C" __global__ void bn_update_running_at(float* rm, float* rv, const float* mean, const float* var,
                                                const float* factor, float unbias, int c) {
  float mom = *factor, keep = __fsub_rn(1.f, mom), momUnbias = __fmul_rn(mom, unbias);
  GRID_STRIDE(i, c) {
    rm[i] = __fadd_rn(__fmul_rn(rm[i], keep), __fmul_rn(mom, mean[i]));
    rv[i] = __fadd_rn(__fmul_rn(rv[i], keep), __fmul_rn(momUnbias, var[i]));
  }
}

// Counted batch norm (sample i of x[N, C, H·W] stands for w[i] copies, m = Σw·H·W), one block per
// channel, sums in double. Statistics of the replicated batch:
//   mean = Σ w·x / m,   var = Σ w·(x − mean)² / m
extern "C" __global__ void bn_counted_stats(const float* x, const float* w, float* mean, float* var,
                                            int n, int c, int hw, double invM) {
  for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
    double s = 0;
    for (long k = threadIdx.x; k < (long)n * hw; k += blockDim.x) {
      int i = (int)(k / hw);
      s += (double)w[i] * x[((long)i * c + ch) * hw + k % hw];
    }
    double mu = block_sum_d(s) * invM;
    double q = 0;
    for (long k = threadIdx.x; k < (long)n * hw; k += blockDim.x) {
      int i = (int)(k / hw);
      double d = x[((long)i * c + ch) * hw + k % hw] - mu;
      q += (double)w[i] * d * d;
    }
    q = block_sum_d(q) * invM;
    if (threadIdx.x == 0) { mean[ch] = (float)mu; var[ch] = (float)q; }
  }
}

// y = γ·(x − mean)/√(var + eps) + β, then ReLU when relu != 0 (x [N, C, H·W], total = N·C·H·W).
extern "C" __global__ void bn_apply(const float* x, const float* gamma, const float* beta, const float* mean,
                                    const float* var, double eps, int relu, float* y, long total, int c, int hw) {
  GRID_STRIDE(k, total) {
    int ch = (int)(k / hw % c);
    float inv = (float)(1.0 / sqrt((double)var[ch] + eps));
    float v = gamma[ch] * ((x[k] - mean[ch]) * inv) + beta[ch];
    y[k] = relu && v < 0.f ? 0.f : v;
  }
}

// Backward sums, one block per channel: g = dy (masked by z > 0 when z, the fused ReLU's output, is given),
//   dBeta = Σ g,   dGamma = Σ g·x̂,   x̂ = (x − mean)/√(var + eps)
extern "C" __global__ void bn_counted_backward_sums(const float* x, const float* dy, const float* z, const float* mean,
                                                    const float* var, double eps, float* dGamma, float* dBeta,
                                                    int n, int c, int hw) {
  for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
    double inv = 1.0 / sqrt((double)var[ch] + eps), mu = mean[ch], sb = 0, sg = 0;
    for (long k = threadIdx.x; k < (long)n * hw; k += blockDim.x) {
      long at = ((long)(k / hw) * c + ch) * hw + k % hw;
      double g = (z && !(z[at] > 0.f)) ? 0.0 : (double)dy[at];
      sb += g;
      sg += g * ((x[at] - mu) * inv);
    }
    sb = block_sum_d(sb);
    sg = block_sum_d(sg);
    if (threadIdx.x == 0) { dBeta[ch] = (float)sb; dGamma[ch] = (float)sg; }
  }
}

// dx = γ/√(var + eps) · (g − w_i·(dBeta + x̂·dGamma)/m), the sum of the copies' input gradients.
extern "C" __global__ void bn_counted_backward_dx(const float* x, const float* dy, const float* z, const float* w,
                                                  const float* gamma, const float* mean, const float* var,
                                                  const float* dGamma, const float* dBeta, double eps, double invM,
                                                  float* dx, long total, int c, int hw) {
  GRID_STRIDE(k, total) {
    int ch = (int)(k / hw % c), i = (int)(k / ((long)hw * c));
    double inv = 1.0 / sqrt((double)var[ch] + eps);
    double g = (z && !(z[k] > 0.f)) ? 0.0 : (double)dy[k];
    double xh = (x[k] - (double)mean[ch]) * inv;
    dx[k] = (float)(gamma[ch] * inv * (g - w[i] * (dBeta[ch] + xh * dGamma[ch]) * invM));
  }
}
