package arm.tensor;

import java.util.Map;

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
    default Map<String, Object> info() {
        return Map.of();
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
     * entirely: a GPU backend skips the memset {@link #zeros} costs, the CPU backend reuses an
     * array of a {@link Scope#recycling} scope as it is. Accumulating outputs ({@link #axpy},
     * {@link #scatterAddLastAxis}, {@link #gemm} with beta ≠ 0, anything only partly written) take
     * {@link #zeros}. The default is {@link #zeros}; the test fake device and the CPU backend under
     * {@code -Darm.pool.poison=true} fill it with NaN, so an op that reads before it writes fails
     * there.
     */
    default Tensor empty(int... shape) {
        return zeros(shape);
    }

    /**
     * A promise that the tensors {@code ws} (2-D: linear layers' weights, 4-D: convolutions') keep
     * their values until the returned handle is closed, so that the backend may keep a re-laid-out
     * copy of each for GEMMs that read it as a transposed B (a layer's x·Wᵀ) and trust its
     * convolutions' packed weights without checking them. Results are the same bits with or without
     * it. The CPU backend packs W for its batch-10 forward (ARM's refinement steps run f_old and
     * f_cur forward 10 times on unchanged weights) and stops comparing held convolution weights
     * with their saved copy on every call; the default does nothing. Writing to a held tensor
     * before closing the handle gives wrong results.
     */
    default Held holdConstant(Tensor... ws) {
        return Held.NONE;
    }

    /** Ends a {@link #holdConstant} promise; never throws. */
    interface Held extends AutoCloseable {
        Held NONE = () -> {};

        @Override
        void close();
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
    // the index on the host and call the int[] forms (bit for bit the same); a GPU backend keeps it
    // on the device. Device indices are not range-checked on the host (they come from an argmax).

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

    /**
     * y[N, Co, Ho, Wo] = convTranspose(x[N, Ci, H, W], w[Ci, Co, kh, kw]) (PyTorch's
     * ConvTranspose2d weight layout, no bias): y[n,o,i·s − p + u, j·s − p + v] += x[n,c,i,j] ·
     * w[c,o,u,v], Ho = (H − 1)·s − 2·p + kh + outputPadding with 0 ≤ outputPadding < s taken from
     * y's shape. It is {@link #conv2dBackwardInput} with x as dy; its gradients are {@link #conv2d}
     * (dx) and {@link #conv2dBackwardWeight} with x and dy swapped (dw).
     */
    void convTranspose2d(Tensor x, Tensor w, int stride, int pad, Tensor y);

    // ---------------------------------------------------------------- batch norm (NCHW)

    /**
     * y = BN(x), or relu(BN(x)) when relu (ResNet's BN → ReLU pairs, fused where the backend can),
     * per channel over (N, H, W) with everything else in {@code a}: in training the batch mean and
     * biased variance are written to a.mean, a.var (weighted by a.counts when given) and the
     * running statistics are updated; in eval a.mean, a.var normalise. y = γ·(x − μ)/√(σ² + ε) + β.
     */
    void batchNorm(BatchNormArgs a, Tensor x, boolean relu, Tensor y);

    /**
     * y = relu(BN(x) + r) for an eval-mode {@code a} (ResNet's BN2 → + shortcut → ReLU at the end
     * of a block, in an evaluation without a graph), r the shape of x. The default composes {@link
     * #batchNorm}, {@link #binary} ADD and {@link #unary} RELU, the naive twin; a backend may fuse
     * them into one pass with the same rounding (x·g + sh, then + r, then the ReLU).
     */
    default void batchNormAddRelu(BatchNormArgs a, Tensor x, Tensor r, Tensor y) {
        if (a.training()) throw new IllegalArgumentException("batchNormAddRelu is eval-mode only");
        batchNorm(a, x, false, y);
        binary(Binary.ADD, y, r, y);
        unary(Unary.RELU, y, 0f, y);
    }

    /**
     * Backward of a training-mode {@link #batchNorm} through the statistics a.mean, a.var (and
     * a.counts): dβ = Σ dz, dγ = Σ dz·x̂, dx = γ/√(σ² + ε) · (dz − w·(dβ + x̂·dγ)/m), where dz =
     * dy, or dy·[reluOut &gt; 0] when reluOut (the fused ReLU's output) is given. Any of dx,
     * dGamma, dBeta may be null; those present are overwritten. dGamma and dBeta alone are also
     * eval's.
     */
    void batchNormBackward(
            BatchNormArgs a,
            Tensor x,
            Tensor reluOut,
            Tensor dy,
            Tensor dx,
            Tensor dGamma,
            Tensor dBeta);

    // ---------------------------------------------------------------- fixed int inputs

    /**
     * Makes the host array {@code slot} a fixed input ({@link FixedInts}) and writes its current
     * contents where ops read it: from now on an op given this very array (an index, counts, a
     * mask) reads one buffer of this device at a fixed address, holding the contents of the latest
     * call, so a captured graph replayed later reads the new contents. Call it outside any capture,
     * before the work that should see the contents; the array's length must not change. The CPU
     * reads the array itself (only the registration).
     */
    default void writeInts(int[] slot) {
        FixedInts.add(slot);
    }

    /** Ends {@link #writeInts} for slot (after the graphs that read it are closed). */
    default void releaseInts(int[] slot) {
        FixedInts.remove(slot);
    }

    // ---------------------------------------------------------------- ARM's image prior

    /**
     * The image terms of ARM's recall loss on x [U, c·h·w] (U images of D = c·h·w values), row u
     * standing for w_u = counts[u] copies (null: every row once), M = Σ w_u, TINY = the smallest
     * normal float:
     *
     * <pre>
     * R_L2 = (1/(M·D)) Σ_u w_u √max(Σ_j x_uj², TINY)
     * R_TV = (2/M)[Σ_u w_u Σ Δ_h² / (c(h−1)w) + Σ_u w_u Σ Δ_w² / (ch(w−1))]
     * out  = l5·R_L2 + l6·R_TV
     * </pre>
     *
     * Δ_h, Δ_w: differences of neighbours along h and w within each channel. out, rL2 and rTV are
     * [1] tensors (overwritten); rL2 and rTV, the two terms alone, may be null. A weight of 0
     * leaves its term out of out; TV (l6 ≠ 0) needs h, w ≥ 2.
     */
    void imagePrior(
            Tensor x,
            int c,
            int h,
            int w,
            int[] counts,
            float l5,
            float l6,
            Tensor out,
            Tensor rL2,
            Tensor rTV);

    /**
     * dx = dy[0] · ∂out[0]/∂x of {@link #imagePrior} (dy a [1] tensor, read where it lives;
     * overwrites dx): per row u, with s_u = Σ_j x_uj²,
     *
     * <pre>
     * dx_u = dy · w_u · ( l5/(M·D) · x_u/√s_u · [s_u ≥ TINY]
     *                   + l6 · (4/M) · (δ_h/(c(h−1)w) + δ_w/(ch(w−1))) )
     * δ_h[i] = (x[i] − x[i−1])·[i &gt; 0] − (x[i+1] − x[i])·[i &lt; h−1]   (along h; δ_w along w)
     * </pre>
     */
    void imagePriorBackward(
            Tensor x, int c, int h, int w, int[] counts, float l5, float l6, Tensor dy, Tensor dx);

    // ---------------------------------------------------------------- ARM's logit terms

    /**
     * The logit terms of ARM's recall loss on a = f_old(X̂), b = f_cur(X̂) [U, K], row u standing
     * for w_u = counts[u] copies (null: every row once), M = Σ w_u; p_u = softmax(a_u), q_u =
     * softmax(b_u); mask [K] the 0/1 classes P of the real batch, C = Σ mask; m = ½(p+q), TINY the
     * smallest normal float, EPS = 2.220446e−16:
     *
     * <pre>
     * R_D     reversed KL: 1 − (1/M) Σ_u w_u Σ_k m_k (log max(m_k, TINY) − ½(log p_k + log q_k))
     *         Jensen–Shannon: 1 − (1/M) Σ_u w_u Σ_k ½[p_k(log p_k − log m̃_k) + q_k(log q_k − log m̃_k)]
     *         cross-entropy: (1/M) Σ_u w_u Σ_k p_k log q_k
     * R_NL(a) = (1/(C·M)) Σ_u w_u Σ_k mask_k log p_uk        (R_NL(b) with q)
     * R_div   = Σ_k p̄_k log p̄_k,  p̄ = max((1/M) Σ_u w_u p_u, EPS)
     * R_sharp = −(1/M) Σ_u w_u log p_u[argmax_k a_uk]      (first index on ties)
     * out     = wD·R_D + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div + λ4·R_sharp
     * </pre>
     *
     * A weight of 0 leaves its term out (never 0·NaN). out is [1]; terms (null, or five [1]
     * tensors, any of them null) gets the five terms alone in that order (0 where the weight is 0);
     * colMean [K] (may be null) gets (1/M) Σ_u w_u p_u before the clamp, which {@link
     * #logitTermsBackward} reads for R_div. b is read only when wD or λ2 is not 0; R_NL needs C ≥
     * 1. All are overwritten.
     */
    void logitTerms(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor out,
            Tensor[] terms,
            Tensor colMean);

    /**
     * da, db = dy[0] · ∂out[0]/∂a, ∂out[0]/∂b of {@link #logitTerms} (dy a [1] tensor, read where
     * it lives; either output may be null; overwritten). colMean is the forward's (needed when λ3 ≠
     * 0, else may be null). Clamped entries pass no gradient, the argmax is held constant.
     */
    void logitTermsBackward(
            Tensor a,
            Tensor b,
            int[] mask,
            int[] counts,
            LogitWeights w,
            Tensor colMean,
            Tensor dy,
            Tensor da,
            Tensor db);

    // ---------------------------------------------------------------- pooling (NCHW)

    /**
     * y = average over k×k windows with the given stride, no padding (floor of the output size).
     */
    void avgPool2d(Tensor x, int k, int stride, Tensor y);

    /** dx = backward of {@link #avgPool2d} (overwrites dx; uncovered positions get 0). */
    void avgPool2dBackward(Tensor dy, int k, int stride, Tensor dx);
}
