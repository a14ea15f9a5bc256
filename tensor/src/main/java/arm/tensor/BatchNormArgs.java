package arm.tensor;

/**
 * Everything a batch norm over x [N, C, H, W] reads or writes besides x, its output and the
 * gradients ({@link Backend#batchNorm}, {@link Backend#batchNormBackward}); per-channel tensors are
 * [C].
 *
 * @param training true: normalise with the batch statistics, written to mean and var, then update
 *     the running statistics; false (eval): normalise with mean and var as given
 * @param gamma γ
 * @param beta β (the backward does not read it)
 * @param eps ε
 * @param mean μ: written by a training forward, read by eval and by the backward
 * @param var σ², the biased variance: likewise
 * @param counts null, or the multiplicity w_n ≥ 1 of each of the N samples (the counted form of
 *     ALGORITHM.md §2.1: sample n stands for w_n identical copies, m = (Σ w)·H·W, and the
 *     statistics, the gradients and the running update equal those of the replicated batch)
 * @param runningMean updated in place by a training forward when not null: r ← (1 − momentum)·r +
 *     momentum·μ (PyTorch's rule)
 * @param runningVar likewise with the unbiased variance σ²·m/(m − 1)
 * @param momentum the running-statistics update factor
 * @param factor null, or a [1] tensor of the backend's device holding the update factor, read in
 *     place of momentum when the update runs (a factor that changes per call, inside a captured
 *     step: see {@link CapturedStep#everyRun})
 */
public record BatchNormArgs(
        boolean training,
        Tensor gamma,
        Tensor beta,
        float eps,
        Tensor mean,
        Tensor var,
        int[] counts,
        Tensor runningMean,
        Tensor runningVar,
        float momentum,
        Tensor factor) {

    /** Training with batch statistics into mean, var; no counts, no running statistics. */
    public static BatchNormArgs train(
            Tensor gamma, Tensor beta, float eps, Tensor mean, Tensor var) {
        return new BatchNormArgs(true, gamma, beta, eps, mean, var, null, null, null, 0f, null);
    }

    /** Eval with the given statistics (the running ones). */
    public static BatchNormArgs eval(
            Tensor gamma, Tensor beta, float eps, Tensor mean, Tensor var) {
        return new BatchNormArgs(false, gamma, beta, eps, mean, var, null, null, null, 0f, null);
    }

    /** The same with counts (null: every sample once). */
    public BatchNormArgs counted(int[] w) {
        return new BatchNormArgs(
                training,
                gamma,
                beta,
                eps,
                mean,
                var,
                w,
                runningMean,
                runningVar,
                momentum,
                factor);
    }

    /** The same with running statistics updated at this factor (null buffers: none). */
    public BatchNormArgs tracking(Tensor rMean, Tensor rVar, float factor) {
        return new BatchNormArgs(
                training, gamma, beta, eps, mean, var, counts, rMean, rVar, factor, null);
    }

    /**
     * The same with running statistics updated at the factor that {@code factor} ([1], on the
     * backend's device) holds when the update runs.
     */
    public BatchNormArgs tracking(Tensor rMean, Tensor rVar, Tensor factor) {
        if (factor != null && factor.numel() != 1)
            throw new IllegalArgumentException(
                    "batch norm: the update factor must be [1], got " + factor);
        return new BatchNormArgs(
                training, gamma, beta, eps, mean, var, counts, rMean, rVar, 0f, factor);
    }

    /**
     * m, the values per channel the batch stands for: N·H·W, or (Σ counts)·H·W; checks the counts
     * (one per sample, each ≥ 1).
     */
    public double values(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("batch norm of " + x);
        if (counts == null) return (double) x.shape[0] * x.shape[2] * x.shape[3];
        if (counts.length != x.shape[0])
            throw new IllegalArgumentException(
                    "counted batch norm: " + counts.length + " counts for " + x);
        long total = 0;
        for (int k : counts) {
            if (k < 1) throw new IllegalArgumentException("counted batch norm: a count of " + k);
            total += k;
        }
        return (double) total * x.shape[2] * x.shape[3];
    }

    /** The per-channel tensors, for shape checks (null ones are skipped there). */
    public Tensor[] perChannel() {
        return new Tensor[] {gamma, beta, mean, var, runningMean, runningVar};
    }
}
