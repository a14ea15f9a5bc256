package arm.kernels.cpu.ref;

/**
 * Everything a CPU batch-norm kernel (naive {@link BatchNormRef}, fast, SIMD) reads or writes
 * besides x, y and the gradients, for x [N, C, HW] and per-channel arrays [C].
 *
 * @param n N, the samples stored (the distinct ones in the counted form)
 * @param c C, the channels
 * @param hw H·W, the values of one (sample, channel) plane
 * @param training true: normalise with the batch statistics, written to mean and var, and update
 *     the running statistics; false: normalise with mean and var as given (eval mode)
 * @param gamma γ
 * @param beta β (the backward does not read it)
 * @param eps ε
 * @param mean μ: written by a training forward, read by eval and by the backward
 * @param var σ², the biased variance: likewise
 * @param counts null, or the multiplicity w_n ≥ 1 of each sample (the counted form: sample n stands
 *     for w_n identical copies and every batch sum is weighted by it)
 * @param runningMean updated in place by a training forward when not null: r ← (1 − momentum)·r +
 *     momentum·μ
 * @param runningVar likewise with the unbiased variance σ²·m/(m − 1)
 * @param momentum the running-statistics update factor
 */
public record BatchNormArrays(
        int n,
        int c,
        int hw,
        boolean training,
        float[] gamma,
        float[] beta,
        float eps,
        float[] mean,
        float[] var,
        int[] counts,
        float[] runningMean,
        float[] runningVar,
        float momentum) {

    /** Σ counts, or N when counts is null: how many samples the batch stands for. */
    public long total() {
        if (counts == null) return n;
        long t = 0;
        for (int i = 0; i < n; i++) t += counts[i];
        return t;
    }

    /** m = total()·HW, the values per channel the statistics are taken over. */
    public double values() {
        return (double) total() * hw;
    }

    /** w_b, 1 when counts is null (1 multiplies exactly: the plain formulas' bits). */
    public double weight(int b) {
        return counts == null ? 1.0 : counts[b];
    }

    /**
     * The running-statistics update of channels [c0, c1) after a training forward wrote mean and
     * var (PyTorch's momentum rule, in float); nothing without running buffers or in eval mode.
     */
    public void updateRunning(int c0, int c1) {
        if (!training || runningMean == null) return;
        double m = values();
        float keep = 1f - momentum, unbiased = momentum * (float) (m / (m - 1));
        for (int ch = c0; ch < c1; ch++) {
            runningMean[ch] = keep * runningMean[ch];
            runningMean[ch] += momentum * mean[ch];
            runningVar[ch] = keep * runningVar[ch];
            runningVar[ch] += unbiased * var[ch];
        }
    }
}
