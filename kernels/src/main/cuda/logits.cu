// ARM's logit terms of the recall loss (Backend.logitTerms) on a = f_old(X̂), b = f_cur(X̂) [U, K], row u standing
// for w_u copies (w null: once each), M = Σ w_u, mask [K] the 0/1 classes P (C = Σ mask), forward and backward in
// closed form; the CPU twin is LogitTermsRef (the same passes per row, in double; the formulas are there).
//   forward, one block:  per row (one thread each) lse(a), lse(b), argmax a; the row's divergence sum, Σ mask·lp,
//     Σ mask·lq, lp[argmax] (weighted by w_u) and w_u·p into wp [U, K]; then block sums, the column sums of wp
//     (rows in order, as the CPU adds them) → p̄, R_div, and the five terms and the weighted loss
//   backward, one thread per row: the softmaxes recomputed from their log-sum-exps, no per-row storage
// Rows are short (K classes), so a thread walks its row; one block forward keeps the step at one launch.
#include "common.cuh"

#define TINY 1.17549435e-38    // the smallest normal float: the floor under m = ½(p+q) before its log
#define EPSF 2.22044605e-16f   // float64 machine epsilon stored as float32: the floor under p̄
#define RKL 0
#define JS 1

// log Σ exp(x[j]) in double; *arg (when not null) = the first index of the maximum.
__device__ double row_lse(const float* x, int k, int* arg) {
  double mx = x[0];
  int am = 0;
  for (int j = 1; j < k; j++)
    if (x[j] > mx) { mx = x[j]; am = j; }
  double s = 0;
  for (int j = 0; j < k; j++) s += exp(x[j] - mx);
  if (arg) *arg = am;
  return mx + log(s);
}

// One class's entry of a row's divergence sum.
__device__ double div_entry(int kind, double p, double lp, double q, double lq) {
  double m = 0.5 * (p + q), lm = log(fmax(m, TINY));
  if (kind == RKL) return m * (lm - 0.5 * (lp + lq));
  if (kind == JS) return 0.5 * (p * (lp - lm) + q * (lq - lm));
  return p * lq;  // cross-entropy
}

// The divergence gradient's factor through p (G) and through q (G for reversed KL, H for Jensen–Shannon).
__device__ double g_p(int kind, double p, double lp, double q, double lq) {
  double m = 0.5 * (p + q), on = m >= TINY ? 1.0 : 0.0, lm = log(fmax(m, TINY));
  if (kind == RKL) return lm - 0.5 * (lp + lq) + on;
  if (kind == JS) return 0.5 * (lp - lm) - 0.5 * on;
  return lq;
}

__device__ double g_q(int kind, double p, double lp, double q, double lq) {
  double m = 0.5 * (p + q), on = m >= TINY ? 1.0 : 0.0, lm = log(fmax(m, TINY));
  if (kind == RKL) return lm - 0.5 * (lp + lq) + on;
  if (kind == JS) return 0.5 * (lq - lm) - 0.5 * on;
  return 0.0;
}

// One block. wp [U·K] doubles of scratch; out [1]; the terms t0..t4 [1] and colMean [K] may be null. kD = −1/M, kNL = 1/(C·M),
// kM = 1/M as floats. Final roundings as the CPU's (float products and sums, no FMA contraction).
extern "C" __global__ void logit_terms_forward(const float* a, const float* b, const float* mask, const float* wt,
                                              int u, int k, int kind, float wD, float l1, float l2, float l3,
                                              float l4, float kD, float kNL, float kM, double* wp, float* out,
                                              float* t0, float* t1, float* t2, float* t3, float* t4,
                                              float* colMean) {
  bool useB = wD != 0.f || l2 != 0.f;
  double sD = 0, sNa = 0, sNb = 0, sSh = 0;
  for (int r = threadIdx.x; r < u; r += blockDim.x) {
    const float* ar = a + (long)r * k;
    const float* br = useB ? b + (long)r * k : ar;
    double w = wt ? (double)wt[r] : 1.0;
    int arg;
    double la = row_lse(ar, k, &arg), lb = useB ? row_lse(br, k, 0) : 0.0;
    double d = 0, na = 0, nb = 0;
    for (int j = 0; j < k; j++) {
      double lp = ar[j] - la, p = exp(lp);
      wp[(long)r * k + j] = w * p;
      if (mask[j] != 0.f) na += lp;
      if (!useB) continue;
      double lq = br[j] - lb, q = exp(lq);
      if (mask[j] != 0.f) nb += lq;
      if (wD != 0.f) d += div_entry(kind, p, lp, q, lq);
    }
    sD += w * d;
    sNa += w * na;
    sNb += w * nb;
    sSh += w * (ar[arg] - la);
  }
  sD = block_sum_d(sD);
  sNa = block_sum_d(sNa);
  sNb = block_sum_d(sNb);
  sSh = block_sum_d(sSh);  // its __syncthreads also makes wp visible to the whole block
  double div = 0;
  for (int j = threadIdx.x; j < k; j += blockDim.x) {
    double c = 0;
    for (int r = 0; r < u; r++) c += wp[(long)r * k + j];
    float mean = __fmul_rn((float)c, kM);
    if (colMean) colMean[j] = mean;
    double pb = fmax((double)mean, (double)EPSF);
    div += pb * log(pb);
  }
  div = block_sum_d(div);
  if (threadIdx.x == 0) {
    float t[5] = {0.f, 0.f, 0.f, 0.f, 0.f}, wts[5] = {wD, l1, l2, l3, l4};
    if (wD != 0.f) t[0] = kind == 2 ? -__fmul_rn((float)sD, kD) : __fadd_rn(__fmul_rn((float)sD, kD), 1.f);
    if (l1 != 0.f) t[1] = __fmul_rn((float)sNa, kNL);
    if (l2 != 0.f) t[2] = __fmul_rn((float)sNb, kNL);
    if (l3 != 0.f) t[3] = (float)div;
    if (l4 != 0.f) t[4] = -__fmul_rn((float)sSh, kM);
    float s = 0.f;
    for (int i = 0; i < 5; i++)
      if (wts[i] != 0.f) s = __fadd_rn(s, __fmul_rn(wts[i], t[i]));
    out[0] = s;
    float* to[5] = {t0, t1, t2, t3, t4};
    for (int i = 0; i < 5; i++)
      if (to[i]) to[i][0] = t[i];
  }
}

// h_k = (log p̄_k + 1)·[p̄_k ≥ EPS]: R_div's ∂/∂p̄, 0 where clamped.
__device__ double h_of(float mean) { return mean < EPSF ? 0.0 : log((double)mean) + 1.0; }

// da, db (either may be null) = dy[0]·∂out/∂a, ∂out/∂b, one thread per row; invM = 1/M, c = C (doubles).
extern "C" __global__ void logit_terms_backward(const float* a, const float* b, const float* mask, const float* wt,
                                               const float* colMean, const float* dy, int u, int k, int kind,
                                               double wD, double l1, double l2, double l3, double l4, double invM,
                                               double c, float* da, float* db) {
  bool useB = wD != 0.0 || l2 != 0.0;
  GRID_STRIDE(r, u) {
    const float* ar = a + r * k;
    const float* br = useB ? b + r * k : ar;
    double g = (double)dy[0] * (wt ? (double)wt[r] : 1.0) * invM;
    int arg;
    double la = row_lse(ar, k, &arg), lb = useB ? row_lse(br, k, 0) : 0.0;
    double hp = 0, gp = 0, gq = 0, sm = 0, sp = 0, sq = 0;
    for (int j = 0; j < k; j++) {
      double lp = ar[j] - la, p = exp(lp);
      sp += p;
      if (l3 != 0.0) hp += h_of(colMean[j]) * p;
      if (!useB) continue;
      double lq = br[j] - lb, q = exp(lq);
      sq += q;
      sm += 0.5 * (p + q);
      if (wD == 0.0) continue;
      gp += g_p(kind, p, lp, q, lq) * p;
      gq += g_q(kind, p, lp, q, lq) * q;
    }
    for (int j = 0; j < k; j++) {
      double lp = ar[j] - la, p = exp(lp), mk = mask[j];
      double ga = 0, gb = 0;
      if (l1 != 0.0) ga += l1 * (mk / c - p);
      if (l3 != 0.0) ga += l3 * p * (h_of(colMean[j]) - hp);
      if (l4 != 0.0) ga -= l4 * ((j == arg ? 1.0 : 0.0) - p);
      if (useB) {
        double lq = br[j] - lb, q = exp(lq), m = 0.5 * (p + q);
        if (l2 != 0.0) gb += l2 * (mk / c - q);
        if (wD != 0.0) {
          double gj = g_p(kind, p, lp, q, lq), hj = g_q(kind, p, lp, q, lq);
          if (kind == RKL) {
            ga += wD * (-0.5 * p * (gj - gp) + 0.5 * (m - p * sm));
            gb += wD * (-0.5 * q * (hj - gq) + 0.5 * (m - q * sm));
          } else if (kind == JS) {
            ga += wD * (-p * (gj - gp) - 0.5 * p * (1.0 - sp));
            gb += wD * (-q * (hj - gq) - 0.5 * q * (1.0 - sq));
          } else {
            ga += wD * p * (lq - gp);
            gb += wD * (p - q * sp);
          }
        }
      }
      if (da) da[r * k + j] = (float)(g * ga);
      if (db) db[r * k + j] = (float)(g * gb);
    }
  }
}
