package arm.tensor;

/**
 * The narrow set of primitives every compute backend (CPU, CUDA) implements. Autograd and nn are
 * written against this interface only; they never see a device API.
 *
 * <p>Conventions: tensors are contiguous row-major; outputs are explicit parameters and are
 * overwritten (never accumulated) unless the method says otherwise; shapes use N (batch), C
 * (channels), H, W, K (features/classes). Every parameter is "not modified" unless named as an
 * output.
 */
public interface Backend {

    Device device();

    /** One line naming the active code paths, e.g. "cpu: simd AVX-512 (16 lanes), 1 thread". */
    String describe();

    /**
     * What a results file should record about this backend (device, driver and library versions,
     * math mode); empty when {@link #describe} says it all.
     */
    default java.util.Map<String, Object> info() {
        return java.util.Map.of();
    }

    /**
     * What decides this backend's results bit for bit: {@link #describe} less the settings that
     * only change speed (thread counts). A run resumed from a checkpoint written under other
     * numerics is still correct but may differ in the last bits, and says so.
     */
    default String numerics() {
        return describe();
    }

    /**
     * A per-phase profile recorder for this backend ({@link Profile#install}): device time between
     * marks and the backend's launch / host-wait counters. The default measures wall time and
     * counts nothing.
     */
    default Profile.Recorder profileRecorder() {
        return new Profile.Recorder(Profile.WALL, null);
    }

    /**
     * Graph capture of queued work ({@link CapturedStep}), or null where the backend cannot (the
     * CPU).
     */
    default GraphCapture graphCapture() {
        return null;
    }

    /** Waits until all queued work has finished (for timing); a no-op on synchronous backends. */
    default void sync() {}

    // ---------------------------------------------------------------- memory

    /** A new tensor of zeros on this device. */
    Tensor zeros(int... shape);

    /**
     * A new tensor whose contents are unspecified, for an output the next primitive overwrites
     * entirely: a GPU backend skips the memset {@link #zeros} costs. The default is {@link #zeros}
     * (CPU arrays come zeroed anyway); the test fake device fills it with NaN, so an op that reads
     * before it writes fails there.
     */
    default Tensor empty(int... shape) {
        return zeros(shape);
    }

    /** Copies host values into a new tensor on this device. */
    Tensor upload(float[] host, int... shape);

    /** Copies a tensor of this device to a new host array. */
    float[] download(Tensor t);

    /** Every element of {@code out} = value. */
    void fill(Tensor out, float value);

    /** out = src, element for element (same numel, any shapes). */
    void copy(Tensor src, Tensor out);

    // ---------------------------------------------------------------- elementwise

    /** out = op(x; alpha), elementwise. x and out have the same numel; out may be x. */
    void unary(Unary op, Tensor x, float alpha, Tensor out);

    /**
     * dx = dy · op'(x), elementwise, where y = op(x) is passed too because some derivatives read it
     * (exp, sqrt). dx may alias dy.
     */
    void unaryBackward(Unary op, Tensor x, Tensor y, Tensor dy, float alpha, Tensor dx);

    /**
     * out = a op b with NumPy broadcasting of a and b to out's shape (out may be larger than both:
     * {@code binary(ADD, dy, zero, dx)} expands dy to dx's shape).
     */
    void binary(Binary op, Tensor a, Tensor b, Tensor out);

    /** y += alpha · x (same numel). Gradient accumulation and the SGD update. */
    void axpy(float alpha, Tensor x, Tensor y);

    // ---------------------------------------------------------------- linear algebra

    /**
     * C = alpha · op(A) · op(B) + beta · C for 2-D row-major matrices, op = transpose when asked.
     * op(A) is [M, K], op(B) is [K, N], C is [M, N]. beta = 0 ignores C's old contents.
     */
    void gemm(
            boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    // ---------------------------------------------------------------- reductions

    /**
     * Sums x over the dimensions in which out is broadcast (size 1, or missing on the left), so
     * that out has the shape x would be reduced to. The adjoint of broadcasting.
     */
    void sumTo(Tensor x, Tensor out);

    /**
     * For x of shape [R, C]: values[r] = max_c x[r, c], argmax[r] = the first index reaching it.
     */
    void maxLastAxis(Tensor x, Tensor values, int[] argmax);

    // ---------------------------------------------------------------- softmax family (last axis)

    /** For x of shape [R, C]: out = softmax(x) or log_softmax(x) along C, computed stably. */
    void softmax(Tensor x, boolean log, Tensor out);

    /**
     * Backward of {@link #softmax} from its output y: dx = y ⊙ (dy − Σ dy⊙y) for softmax, dx = dy −
     * exp(y) Σ dy for log-softmax.
     */
    void softmaxBackward(Tensor y, Tensor dy, boolean log, Tensor dx);

    // ---------------------------------------------------------------- indexing and layout

    /** For x of shape [R, C]: out[r] = x[r, index[r]]. */
    void gatherLastAxis(Tensor x, int[] index, Tensor out);

    /** For dx of shape [R, C]: dx[r, index[r]] += dOut[r] (accumulates). */
    void scatterAddLastAxis(Tensor dOut, int[] index, Tensor dx);

    // ---------------------------------------------------------------- device-index forms
    // The index lives in a tensor of this device, one per row, as a float holding an integer (exact
    // below 2^24), so an argmax can feed a gather without the host reading it. The defaults read
    // the
    // index on the host and call the int[] forms (bit for bit the same); a GPU backend keeps it on
    // the
    // device. Device indices are not range-checked on the host (they come from an argmax).

    /**
     * {@link #maxLastAxis} with the argmax written to a tensor [R] of this device; values may be
     * null.
     */
    default void maxLastAxisIndex(Tensor x, Tensor values, Tensor argmax) {
        int r = argmax.numel();
        int[] idx = new int[r];
        maxLastAxis(x, values, idx);
        float[] f = new float[r];
        for (int i = 0; i < r; i++) f[i] = idx[i];
        copy(upload(f, r), argmax);
    }

    /** {@link #gatherLastAxis(Tensor, int[], Tensor)} with the index in a tensor of this device. */
    default void gatherLastAxis(Tensor x, Tensor index, Tensor out) {
        gatherLastAxis(x, indexOnHost(index), out);
    }

    /**
     * {@link #scatterAddLastAxis(Tensor, int[], Tensor)} with the index in a tensor of this device.
     */
    default void scatterAddLastAxis(Tensor dOut, Tensor index, Tensor dx) {
        scatterAddLastAxis(dOut, indexOnHost(index), dx);
    }

    private int[] indexOnHost(Tensor index) {
        float[] f = download(index);
        int[] idx = new int[f.length];
        for (int i = 0; i < f.length; i++) idx[i] = (int) f[i];
        return idx;
    }

    /** out = x with dimensions reordered: out.shape[i] = x.shape[perm[i]]. */
    void permute(Tensor x, int[] perm, Tensor out);

    /**
     * Copies the block src[..., srcStart : srcStart+length, ...] (along {@code axis}) into dst[...,
     * dstStart : dstStart+length, ...]. Other dimensions must match. Slice and concat are built on
     * it.
     */
    void copyAlongAxis(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length);

    // ---------------------------------------------------------------- convolution (NCHW, no bias)

    /**
     * y[N, Co, Ho, Wo] = conv(x[N, Ci, H, W], w[Co, Ci, kh, kw]), square stride and zero padding.
     */
    void conv2d(Tensor x, Tensor w, int stride, int pad, Tensor y);

    /** dx = the input gradient of {@link #conv2d} given dy (overwrites dx). */
    void conv2dBackwardInput(Tensor dy, Tensor w, int stride, int pad, Tensor dx);

    /** dw = the weight gradient of {@link #conv2d} given x and dy (overwrites dw). */
    void conv2dBackwardWeight(Tensor x, Tensor dy, int stride, int pad, Tensor dw);

    // ---------------------------------------------------------------- batch norm (per channel of
    // NCHW)

    /**
     * Training-mode batch norm over (N, H, W): writes y, the batch mean [C] and the biased batch
     * variance [C]. y = gamma · (x − mean) / sqrt(var + eps) + beta.
     */
    void batchNormTrain(
            Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor var);

    /** Eval-mode batch norm with the given (running) statistics. */
    void batchNormEval(
            Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var, float eps, Tensor y);

    /**
     * Backward of {@link #batchNormTrain} through the batch statistics. Any of dx, dGamma, dBeta
     * may be null when not needed; those present are overwritten.
     */
    void batchNormBackward(
            Tensor x,
            Tensor dy,
            Tensor gamma,
            Tensor mean,
            Tensor var,
            float eps,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta);

    /**
     * y = relu(batchNormTrain(x)), fused (ResNet's BN → ReLU pairs). The default composes the two
     * primitives; a backend may do it in one pass.
     */
    default void batchNormReluTrain(
            Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean, Tensor var) {
        batchNormTrain(x, gamma, beta, eps, y, mean, var);
        unary(Unary.RELU, y, 0f, y);
    }

    /**
     * Backward of {@link #batchNormReluTrain} from its output y: the batch-norm backward of dy·[y
     * &gt; 0]. Any of dx, dGamma, dBeta may be null. The default composes the primitives.
     */
    default void batchNormReluBackward(
            Tensor x,
            Tensor y,
            Tensor dy,
            Tensor gamma,
            Tensor mean,
            Tensor var,
            float eps,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta) {
        Tensor dz = zeros(dy.shape);
        unaryBackward(Unary.RELU, y, y, dy, 0f, dz);
        batchNormBackward(x, dz, gamma, mean, var, eps, dx, dGamma, dBeta);
    }

    /**
     * {@link #batchNormTrain} (or, with relu, {@link #batchNormReluTrain}) of a batch stored as its
     * distinct samples, sample n standing for counts[n] ≥ 1 identical copies (ARM's recalled batch,
     * ALGORITHM.md §2.1): with w = counts and m = (Σ w)·H·W, mean = Σ w·x / m and var = Σ w·(x −
     * mean)² / m, the statistics of the replicated batch. The default composes other primitives
     * (any device); a backend may do it in its batch-norm kernels.
     */
    default void batchNormTrainCounted(
            Tensor x,
            int[] counts,
            Tensor gamma,
            Tensor beta,
            float eps,
            boolean relu,
            Tensor y,
            Tensor mean,
            Tensor var) {
        int c = x.shape[1];
        float invM = (float) (1.0 / countedValues(x, counts));
        Tensor w = upload(countsAsFloats(counts), counts.length, 1, 1, 1), t = zeros(x.shape);
        Tensor mean4 = mean.reshape(1, c, 1, 1), var4 = var.reshape(1, c, 1, 1);
        binary(Binary.MUL, x, w, t);
        sumTo(t, mean4);
        unary(Unary.SCALE, mean, invM, mean);
        binary(Binary.SUB, x, mean4, t);
        binary(Binary.MUL, t, t, t);
        binary(Binary.MUL, t, w, t);
        sumTo(t, var4);
        unary(Unary.SCALE, var, invM, var);
        batchNormEval(x, gamma, beta, mean, var, eps, y);
        if (relu) unary(Unary.RELU, y, 0f, y);
    }

    /**
     * Backward of {@link #batchNormTrainCounted}, dy being the gradient of the counted loss (the
     * sum over a sample's copies): dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/√(var + eps) · (dy − w·(dβ +
     * x̂·dγ)/m), the sum of the copies' input gradients. reluOut is the fused ReLU's output (dy is
     * masked by [reluOut &gt; 0] first), or null. Any of dx, dGamma, dBeta may be null. The default
     * composes other primitives.
     */
    default void batchNormBackwardCounted(
            Tensor x,
            int[] counts,
            Tensor reluOut,
            Tensor dy,
            Tensor gamma,
            Tensor mean,
            Tensor var,
            float eps,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta) {
        int c = x.shape[1];
        Tensor g = dy;
        if (reluOut != null) {
            g = zeros(dy.shape);
            unaryBackward(Unary.RELU, reluOut, reluOut, dy, 0f, g);
        }
        Tensor dG = dGamma != null ? dGamma : zeros(c), dB = dBeta != null ? dBeta : zeros(c);
        batchNormBackward(x, g, gamma, mean, var, eps, null, dG, dB); // the plain sums
        if (dx == null) return;
        Tensor ones = zeros(c), t = zeros(x.shape), scale = zeros(c);
        fill(ones, 1f);
        batchNormEval(x, ones, zeros(c), mean, var, eps, t); // x̂
        binary(Binary.MUL, t, dG.reshape(1, c, 1, 1), t);
        binary(Binary.ADD, t, dB.reshape(1, c, 1, 1), t);
        binary(Binary.MUL, t, upload(countsAsFloats(counts), counts.length, 1, 1, 1), t);
        unary(Unary.SCALE, t, (float) (1.0 / countedValues(x, counts)), t);
        binary(Binary.SUB, g, t, dx);
        unary(Unary.ADD_SCALAR, var, eps, scale);
        unary(Unary.SQRT, scale, 0f, scale);
        binary(Binary.DIV, gamma.reshape(c), scale, scale);
        binary(Binary.MUL, dx, scale.reshape(1, c, 1, 1), dx);
    }

    /**
     * The running-statistics update after a training-mode batch norm (PyTorch's momentum rule):
     * runningMean ← (1 − momentum)·runningMean + momentum·mean and runningVar ← (1 −
     * momentum)·runningVar + momentum·unbias·var, unbias = m/(m − 1) turning the biased batch
     * variance into the unbiased one. The default is four scale/axpy primitives; a backend may do
     * it in one pass.
     */
    default void batchNormUpdateRunning(
            Tensor runningMean,
            Tensor runningVar,
            Tensor mean,
            Tensor var,
            float momentum,
            float unbias) {
        unary(Unary.SCALE, runningMean, 1f - momentum, runningMean);
        axpy(momentum, mean, runningMean);
        unary(Unary.SCALE, runningVar, 1f - momentum, runningVar);
        axpy(momentum * unbias, var, runningVar);
    }

    /** m = (Σ counts)·H·W: how many values per channel the counted batch stands for. */
    static double countedValues(Tensor x, int[] counts) {
        if (x.rank() != 4 || counts.length != x.shape[0])
            throw new IllegalArgumentException(
                    "counted batch norm: " + counts.length + " counts for " + x);
        long total = 0;
        for (int k : counts) {
            if (k < 1) throw new IllegalArgumentException("counted batch norm: a count of " + k);
            total += k;
        }
        return (double) total * x.shape[2] * x.shape[3];
    }

    private static float[] countsAsFloats(int[] counts) {
        float[] w = new float[counts.length];
        for (int i = 0; i < w.length; i++) w[i] = counts[i];
        return w;
    }

    // ---------------------------------------------------------------- pooling (NCHW)

    /**
     * y = average over k×k windows with the given stride, no padding (floor of the output size).
     */
    void avgPool2d(Tensor x, int k, int stride, Tensor y);

    /** dx = backward of {@link #avgPool2d} (overwrites dx; uncovered positions get 0). */
    void avgPool2dBackward(Tensor dy, int k, int stride, Tensor dx);
}
