package arm.kernels.cpu.ref;

import arm.tensor.LogitWeights;

/**
 * ARM's logit terms of the recall loss (wD·R_D + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div + λ4·R_sharp,
 * formulas in {@code Backend.logitTerms}) and their gradient in closed form, naively: one pass per
 * row, in double, each softmax recomputed from its log-sum-exp rather than stored. The CUDA kernels
 * of logits.cu run the same passes, one thread per row.
 *
 * <p>Backward, per row u with g = dy·w_u/M, p = softmax(a_u), q = softmax(b_u), lp = log p, lq =
 * log q, m = ½(p+q), m̃ = max(m, TINY), on_k = [m_k ≥ TINY], h_k = (log p̄_k + 1)·[p̄_k ≥ EPS] (p̄
 * before the clamp), ĉ = argmax a_u, δ the Kronecker delta:
 *
 * <pre>
 * da_j = g·(wD·Da_j + λ1·(mask_j/C − p_j) + λ3·p_j(h_j − ⟨h,p⟩) − λ4·(δ_jĉ − p_j))
 * db_j = g·(wD·Db_j + λ2·(mask_j/C − q_j))
 * reversed KL:    G_k = log m̃_k − ½(lp_k + lq_k) + on_k
 *                 Da_j = −½p_j(G_j − ⟨G,p⟩) + ½(m_j − p_j Σm),  Db alike with q
 * Jensen–Shannon: G_k = ½(lp_k − log m̃_k) − ½on_k,  H_k = ½(lq_k − log m̃_k) − ½on_k
 *                 Da_j = −p_j(G_j − ⟨G,p⟩) − ½p_j(1 − Σp),  Db_j = −q_j(H_j − ⟨H,q⟩) − ½q_j(1 − Σq)
 * cross-entropy:  Da_j = p_j(lq_j − ⟨lq,p⟩),  Db_j = p_j − q_j Σp
 * </pre>
 */
public final class LogitTermsRef {
    private LogitTermsRef() {}

    /** The floor under the mixture m before its log (as the composed terms' clamp). */
    static final float TINY = Float.MIN_NORMAL;

    /** The floor under p̄ (float64 machine epsilon stored as float32, the authors' clamp). */
    static final float EPS = (float) 2.220446049250313e-16;

    /**
     * out[0..5] = {loss, R_D, R_NL(a), R_NL(b), R_div, R_sharp} (a term of weight 0 is 0); colMean
     * [K] (or null) the batch mean of p before the clamp; f = {M, C, −1/M, 1/(C·M), 1/M} from
     * {@code Checks.logitTerms}.
     */
    public static void forward(
            float[] a,
            float[] b,
            int u,
            int k,
            int[] mask,
            int[] counts,
            LogitWeights w,
            float[] f,
            float[] out,
            float[] colMean) {
        boolean useB = w.needsB(), cols = w.l3() != 0 || colMean != null;
        double sD = 0, sNa = 0, sNb = 0, sSh = 0;
        double[] col = new double[k];
        int[] arg = new int[1];
        for (int r = 0; r < u; r++) {
            int o = r * k;
            double wt = counts == null ? 1 : counts[r];
            double la = lse(a, o, k, arg), lb = useB ? lse(b, o, k, null) : 0;
            double d = 0, na = 0, nb = 0;
            for (int j = 0; j < k; j++) {
                double lp = a[o + j] - la, p = Math.exp(lp);
                if (cols) col[j] += wt * p;
                if (mask[j] != 0) na += lp;
                if (!useB) continue;
                double lq = b[o + j] - lb, q = Math.exp(lq);
                if (mask[j] != 0) nb += lq;
                if (w.wD() != 0) d += divergenceEntry(w.divergence(), p, lp, q, lq);
            }
            sD += wt * d;
            sNa += wt * na;
            sNb += wt * nb;
            sSh += wt * (a[o + arg[0]] - la);
        }
        float[] t = new float[5];
        if (w.wD() != 0)
            t[0] =
                    w.divergence() == LogitWeights.CROSS_ENTROPY
                            ? -((float) sD * f[2])
                            : (float) sD * f[2] + 1f;
        if (w.l1() != 0) t[1] = (float) sNa * f[3];
        if (w.l2() != 0) t[2] = (float) sNb * f[3];
        double div = 0;
        for (int j = 0; j < k; j++) {
            float mean = (float) col[j] * f[4];
            if (colMean != null) colMean[j] = mean;
            double pb = Math.max(mean, EPS);
            div += pb * Math.log(pb);
        }
        if (w.l3() != 0) t[3] = (float) div;
        if (w.l4() != 0) t[4] = -((float) sSh * f[4]);
        out[0] = total(w.asArray(), t);
        System.arraycopy(t, 0, out, 1, 5);
    }

    /**
     * Σ weight·term over the terms whose weight is not 0, in order, in float as the composed sum
     * adds them (a weight of 1 multiplies exactly).
     */
    public static float total(float[] weights, float[] terms) {
        float s = 0f;
        for (int i = 0; i < weights.length; i++) if (weights[i] != 0) s += weights[i] * terms[i];
        return s;
    }

    /** One class's entry of a row's divergence sum (before the batch mean). */
    static double divergenceEntry(int kind, double p, double lp, double q, double lq) {
        double m = 0.5 * (p + q), lm = Math.log(Math.max(m, TINY));
        return switch (kind) {
            case LogitWeights.REVERSED_KL -> m * (lm - 0.5 * (lp + lq));
            case LogitWeights.JENSEN_SHANNON -> 0.5 * (p * (lp - lm) + q * (lq - lm));
            default -> p * lq;
        };
    }

    /** log Σ_j exp(x[o+j]) in double; arg[0] (when given) = the first index of the maximum. */
    static double lse(float[] x, int o, int k, int[] arg) {
        double mx = x[o];
        int am = 0;
        for (int j = 1; j < k; j++)
            if (x[o + j] > mx) {
                mx = x[o + j];
                am = j;
            }
        double s = 0;
        for (int j = 0; j < k; j++) s += Math.exp(x[o + j] - mx);
        if (arg != null) arg[0] = am;
        return mx + Math.log(s);
    }

    /** da, db (either may be null) = dy · ∂loss/∂a, ∂loss/∂b; f as in {@link #forward}. */
    public static void backward(
            float[] a,
            float[] b,
            int u,
            int k,
            int[] mask,
            int[] counts,
            LogitWeights w,
            float[] f,
            float[] colMean,
            float dy,
            float[] da,
            float[] db) {
        boolean useB = w.needsB();
        double wD = w.wD(), l1 = w.l1(), l2 = w.l2(), l3 = w.l3(), l4 = w.l4(), c = f[1];
        int kind = w.divergence();
        int[] arg = new int[1];
        for (int r = 0; r < u; r++) {
            int o = r * k;
            double g = (double) dy * (counts == null ? 1 : counts[r]) / f[0];
            double la = lse(a, o, k, arg), lb = useB ? lse(b, o, k, null) : 0;
            // the row's inner products: ⟨h,p⟩, ⟨G,p⟩, ⟨H,q⟩ (or ⟨G,q⟩), Σm, Σp, Σq
            double hp = 0, gp = 0, gq = 0, sm = 0, sp = 0, sq = 0;
            for (int j = 0; j < k; j++) {
                double lp = a[o + j] - la, p = Math.exp(lp);
                sp += p;
                if (l3 != 0) hp += h(colMean[j]) * p;
                if (!useB) continue;
                double lq = b[o + j] - lb, q = Math.exp(lq);
                sq += q;
                sm += 0.5 * (p + q);
                if (wD == 0) continue;
                gp += gP(kind, p, lp, q, lq) * p;
                gq += gQ(kind, p, lp, q, lq) * q;
            }
            for (int j = 0; j < k; j++) {
                double lp = a[o + j] - la, p = Math.exp(lp), mk = mask[j];
                double ga = 0, gb = 0;
                if (l1 != 0) ga += l1 * (mk / c - p);
                if (l3 != 0) ga += l3 * p * (h(colMean[j]) - hp);
                if (l4 != 0) ga -= l4 * ((j == arg[0] ? 1 : 0) - p);
                if (useB) {
                    double lq = b[o + j] - lb, q = Math.exp(lq), m = 0.5 * (p + q);
                    if (l2 != 0) gb += l2 * (mk / c - q);
                    if (wD != 0) {
                        double gj = gP(kind, p, lp, q, lq), hj = gQ(kind, p, lp, q, lq);
                        switch (kind) {
                            case LogitWeights.REVERSED_KL -> {
                                ga += wD * (-0.5 * p * (gj - gp) + 0.5 * (m - p * sm));
                                gb += wD * (-0.5 * q * (hj - gq) + 0.5 * (m - q * sm));
                            }
                            case LogitWeights.JENSEN_SHANNON -> {
                                ga += wD * (-p * (gj - gp) - 0.5 * p * (1 - sp));
                                gb += wD * (-q * (hj - gq) - 0.5 * q * (1 - sq));
                            }
                            default -> {
                                ga += wD * p * (lq - gp);
                                gb += wD * (p - q * sp);
                            }
                        }
                    }
                }
                if (da != null) da[o + j] = (float) (g * ga);
                if (db != null) db[o + j] = (float) (g * gb);
            }
        }
    }

    /** h_k = (log p̄_k + 1)·[p̄_k ≥ EPS], the diversity term's ∂/∂p̄ (0 where clamped). */
    static double h(float mean) {
        return mean < EPS ? 0 : Math.log(mean) + 1;
    }

    /** G_k: the per-class factor of the divergence's gradient through p (its ⟨G,p⟩ is gp). */
    static double gP(int kind, double p, double lp, double q, double lq) {
        double m = 0.5 * (p + q), on = m >= TINY ? 1 : 0, lm = Math.log(Math.max(m, TINY));
        return switch (kind) {
            case LogitWeights.REVERSED_KL -> lm - 0.5 * (lp + lq) + on;
            case LogitWeights.JENSEN_SHANNON -> 0.5 * (lp - lm) - 0.5 * on;
            default -> lq; // cross-entropy: ⟨lq,p⟩
        };
    }

    /** The factor through q: G_k again for reversed KL, H_k for Jensen–Shannon, unused for CE. */
    static double gQ(int kind, double p, double lp, double q, double lq) {
        double m = 0.5 * (p + q), on = m >= TINY ? 1 : 0, lm = Math.log(Math.max(m, TINY));
        return switch (kind) {
            case LogitWeights.REVERSED_KL -> lm - 0.5 * (lp + lq) + on;
            case LogitWeights.JENSEN_SHANNON -> 0.5 * (lq - lm) - 0.5 * on;
            default -> 0;
        };
    }
}
