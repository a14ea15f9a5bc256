// Elementwise primitives: unary forward + backward, binary with NumPy broadcasting, axpy.
//   unary:   out[i] = op(x[i]; alpha)             backward: dx[i] = dy[i] · op'(x[i]) (reads y for exp, sqrt)
//   binary:  out[i] = a[ia(i)] op b[ib(i)]        (the backward is composed in autograd from binary + sumTo)
//   axpy:    y[i] += alpha · x[i]                 (gradient accumulation and the SGD update)
// Op codes are fixed by arm.kernels.cuda.CudaBackend (Unary: NEG 0, EXP 1, LOG 2, SQRT 3, POW 4, RELU 5,
// CLAMP_MIN 6, SCALE 7, ADD_SCALAR 8, SIGMOID 9, SOFTPLUS 10, CLAMP_MAX 11; Binary: ADD 0, SUB 1, MUL 2,
// DIV 3), mirroring cpu/ref/ElementwiseRef (which computes sigmoid and softplus in double).
#include "common.cuh"

// Above it softplus returns x and passes dy through, as torch.nn.Softplus (ElementwiseRef.SOFTPLUS_THRESHOLD).
#define SOFTPLUS_THRESHOLD 20.f

// 1/(1 + e^-x) without overflow for either sign of x
__device__ __forceinline__ float sigmoid_f(float x) {
  if (x >= 0.f) return 1.f / (1.f + expf(-x));
  float e = expf(x);
  return e / (1.f + e);
}

__device__ __forceinline__ float unary_f(int op, float x, float a) {
  switch (op) {
    case 0: return -x;
    case 1: return expf(x);
    case 2: return logf(x);
    case 3: return sqrtf(x);
    case 4: return powf(x, a);
    case 5: return x > 0.f ? x : 0.f;
    case 6: return x < a ? a : x;
    case 7: return a * x;
    case 9: return sigmoid_f(x);
    case 10: return x > SOFTPLUS_THRESHOLD ? x : log1pf(expf(x));  // log1p: exact for very negative x
    case 11: return x > a ? a : x;
    default: return x + a;
  }
}

// d op(x)/dx given x and y = op(x)
__device__ __forceinline__ float unary_d(int op, float x, float y, float a) {
  switch (op) {
    case 0: return -1.f;
    case 1: return y;                        // d e^x = e^x
    case 2: return 1.f / x;                  // d ln x = 1/x
    case 3: return 0.5f / y;                 // d sqrt x = 1/(2 sqrt x)
    case 4: return a * powf(x, a - 1.f);     // d x^a = a x^(a-1)
    case 5: return x > 0.f ? 1.f : 0.f;
    case 6: return x < a ? 0.f : 1.f;        // clamped entries get no gradient
    case 7: return a;
    case 9: return y * (1.f - y);            // sigma' = sigma (1 - sigma)
    case 10: return x > SOFTPLUS_THRESHOLD ? 1.f : sigmoid_f(x);  // d ln(1 + e^x) = sigma(x)
    case 11: return x > a ? 0.f : 1.f;       // clamped entries get no gradient
    default: return 1.f;
  }
}

__device__ __forceinline__ float binary_f(int op, float a, float b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    default: return a / b;
  }
}

extern "C" __global__ void unary_forward(int op, const float* x, float alpha, float* out, int n) {
  GRID_STRIDE(i, n) out[i] = unary_f(op, x[i], alpha);
}

extern "C" __global__ void unary_backward(int op, const float* x, const float* y, const float* dy,
                                          float alpha, float* dx, int n) {
  GRID_STRIDE(i, n) dx[i] = dy[i] * unary_d(op, x[i], y[i], alpha);
}

// a, b and out have the same shape
extern "C" __global__ void binary_same(int op, const float* a, const float* b, float* out, int n) {
  GRID_STRIDE(i, n) out[i] = binary_f(op, a[i], b[i]);
}

// a has out's shape; b is a trailing block of c elements repeated (bias-like [.., C] op [C])
extern "C" __global__ void binary_rows(int op, const float* a, const float* b, float* out, int n, int c) {
  GRID_STRIDE(i, n) out[i] = binary_f(op, a[i], b[i % c]);
}

// General broadcast: out has shape g.shape; sa/sb are a's and b's strides read as out's shape (0 = stretched)
struct Bcast { int rank; int shape[MAXR]; int sa[MAXR]; int sb[MAXR]; };

extern "C" __global__ void binary_bcast(int op, const float* a, const float* b, float* out, int n, Bcast g) {
  GRID_STRIDE(i, n) {
    long rest = i, ia = 0, ib = 0;
    for (int d = g.rank - 1; d >= 0; d--) {
      int k = rest % g.shape[d];
      rest /= g.shape[d];
      ia += (long)k * g.sa[d];
      ib += (long)k * g.sb[d];
    }
    out[i] = binary_f(op, a[ia], b[ib]);
  }
}

extern "C" __global__ void axpy(float alpha, const float* x, float* y, int n) {
  GRID_STRIDE(i, n) y[i] += alpha * x[i];
}
