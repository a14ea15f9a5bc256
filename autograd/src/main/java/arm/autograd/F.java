package arm.autograd;

import arm.autograd.ops.AvgPool2d;
import arm.autograd.ops.BatchNorm2d;
import arm.autograd.ops.BinaryOps;
import arm.autograd.ops.Concat;
import arm.autograd.ops.Conv2d;
import arm.autograd.ops.ConvTranspose2d;
import arm.autograd.ops.Gather;
import arm.autograd.ops.ImagePrior;
import arm.autograd.ops.LogitTerms;
import arm.autograd.ops.MatMul;
import arm.autograd.ops.MaxLastAxis;
import arm.autograd.ops.Permute;
import arm.autograd.ops.Reshape;
import arm.autograd.ops.Slice;
import arm.autograd.ops.Softmax;
import arm.autograd.ops.SumTo;
import arm.autograd.ops.UnaryOps;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Binary;
import arm.tensor.Device;
import arm.tensor.LogitWeights;
import arm.tensor.Tensor;
import arm.tensor.Unary;

/**
 * The user-facing functions (named after torch / torch.nn.functional). Primitives forward to their
 * op class; everything else is composed from primitives and needs no backward of its own.
 */
public final class F {
    private F() {}

    // ------------------------------------------------------------ primitives

    public static Var add(Var a, Var b) {
        return BinaryOps.apply(Binary.ADD, a, b);
    }

    public static Var sub(Var a, Var b) {
        return BinaryOps.apply(Binary.SUB, a, b);
    }

    public static Var mul(Var a, Var b) {
        return BinaryOps.apply(Binary.MUL, a, b);
    }

    public static Var div(Var a, Var b) {
        return BinaryOps.apply(Binary.DIV, a, b);
    }

    public static Var neg(Var x) {
        return UnaryOps.apply(Unary.NEG, x, 0f);
    }

    public static Var exp(Var x) {
        return UnaryOps.apply(Unary.EXP, x, 0f);
    }

    public static Var log(Var x) {
        return UnaryOps.apply(Unary.LOG, x, 0f);
    }

    public static Var sqrt(Var x) {
        return UnaryOps.apply(Unary.SQRT, x, 0f);
    }

    public static Var pow(Var x, float p) {
        return UnaryOps.apply(Unary.POW, x, p);
    }

    public static Var relu(Var x) {
        return UnaryOps.apply(Unary.RELU, x, 0f);
    }

    /**
     * max(x, min); entries raised to min receive no gradient (the ε clamp of the diversity term).
     */
    public static Var clampMin(Var x, float min) {
        return UnaryOps.apply(Unary.CLAMP_MIN, x, min);
    }

    /** min(x, max); entries lowered to max receive no gradient. */
    public static Var clampMax(Var x, float max) {
        return UnaryOps.apply(Unary.CLAMP_MAX, x, max);
    }

    /** σ(x) = 1/(1 + e^−x). */
    public static Var sigmoid(Var x) {
        return UnaryOps.apply(Unary.SIGMOID, x, 0f);
    }

    /** ln(1 + eˣ) (x itself above 20), torch.nn.Softplus with β = 1. */
    public static Var softplus(Var x) {
        return UnaryOps.apply(Unary.SOFTPLUS, x, 0f);
    }

    public static Var scale(Var x, float s) {
        return UnaryOps.apply(Unary.SCALE, x, s);
    }

    public static Var addScalar(Var x, float s) {
        return UnaryOps.apply(Unary.ADD_SCALAR, x, s);
    }

    /** op(a)·op(b) for 2-D operands. */
    public static Var matmul(Var a, Var b, boolean transA, boolean transB) {
        return MatMul.apply(a, b, transA, transB);
    }

    public static Var matmul(Var a, Var b) {
        return MatMul.apply(a, b, false, false);
    }

    /** Keep-dim sum down to {@code shape} (see {@link SumTo}). */
    public static Var sumTo(Var x, int... shape) {
        return SumTo.apply(x, shape);
    }

    public static Var softmax(Var x) {
        return Softmax.apply(x, false);
    }

    public static Var logSoftmax(Var x) {
        return Softmax.apply(x, true);
    }

    /** y[r] = x[r, index[r]]. */
    public static Var gather(Var x, int[] index) {
        return Gather.apply(x, index);
    }

    /** x[r, index[r]] with the index in a tensor of x's device (see {@link #argmaxIndex}). */
    public static Var gather(Var x, Tensor index) {
        return Gather.apply(x, index);
    }

    /** Dimensions reordered: y.shape[d] = x.shape[perm[d]]. */
    public static Var permute(Var x, int... perm) {
        return Permute.apply(x, perm);
    }

    /** x[…, start:end, …] along {@code axis} (negative axis counts from the end). */
    public static Var slice(Var x, int axis, int start, int end) {
        return Slice.apply(x, axis, start, end - start);
    }

    /** The inputs joined along {@code axis} (torch.cat). */
    public static Var cat(int axis, Var... xs) {
        return Concat.apply(axis, xs);
    }

    /** max over the last axis, x [.., C] → [..]; the gradient goes to the first argmax. */
    public static Var maxLastAxis(Var x) {
        return MaxLastAxis.apply(x);
    }

    public static Var reshape(Var x, int... shape) {
        return Reshape.apply(x, shape);
    }

    // ------------------------------------------------------------ convolution, batch norm, pooling
    // (NCHW)

    /** conv2d(x [N,Ci,H,W], w [Co,Ci,kh,kw]), no bias, square stride and zero padding. */
    public static Var conv2d(Var x, Var w, int stride, int pad) {
        return Conv2d.apply(x, w, stride, pad);
    }

    /**
     * PyTorch's conv_transpose2d(x [N,Ci,H,W], w [Ci,Co,kh,kw], b [Co] or null), square stride,
     * zero padding and output padding (0 ≤ outputPadding < stride).
     */
    public static Var convTranspose2d(
            Var x, Var w, Var b, int stride, int padding, int outputPadding) {
        Var y = ConvTranspose2d.apply(x, w, stride, padding, outputPadding);
        return b == null ? y : add(y, reshape(b, 1, b.dim(0), 1, 1));
    }

    /** conv2d with a bias b [Co] added per output channel (PyTorch's Conv2d default). */
    public static Var conv2d(Var x, Var w, Var b, int stride, int pad) {
        return add(conv2d(x, w, stride, pad), reshape(b, 1, b.dim(0), 1, 1));
    }

    /**
     * PyTorch's functional batch_norm for NCHW x, relu(…) fused when {@code relu}. Training ({@code
     * BatchNorm2d.Mode.train(eps)}): normalises with the batch mean and biased variance
     * (differentiable through both) and, with {@code .tracking(runningMean, runningVar, momentum)},
     * updates the running statistics in place: r ← (1 − momentum)·r + momentum·s, s the unbiased
     * variance σ²·m/(m − 1), m = N·H·W (a module with PyTorch's momentum = None passes
     * 1/num_batches_tracked, a cumulative average). With {@code .counted(counts)} x holds a batch's
     * distinct samples, sample n standing for counts[n] copies, and statistics, gradients and the
     * running update equal those of the replicated batch. Eval ({@code Mode.eval(runningMean,
     * runningVar, eps)}): normalises with the running statistics; counts do not matter there.
     */
    public static Var batchNorm(Var x, Var gamma, Var beta, BatchNorm2d.Mode mode, boolean relu) {
        return BatchNorm2d.apply(x, gamma, beta, mode, relu);
    }

    /**
     * ARM's image prior λ5·R_L2 + λ6·R_TV of x̂ [U, …] viewed as U images c×h×w, row u standing for
     * counts[u] copies (null: once each), in one op (formulas: {@link ImagePrior}); shape [1].
     */
    public static Var imagePrior(Var xhat, float l5, float l6, int c, int h, int w, int[] counts) {
        return ImagePrior.apply(xhat, l5, l6, c, h, w, counts);
    }

    /**
     * ARM's logit terms wD·R_D + λ1·R_NL(a) + λ2·R_NL(b) + λ3·R_div + λ4·R_sharp of a = f_old(X̂),
     * b = f_cur(X̂) [U, K] in one op (formulas: {@link Backend#logitTerms}); present the classes of
     * the real batch, counts [U] or null; shape [1].
     */
    public static Var logitTerms(Var a, Var b, int[] present, int[] counts, LogitWeights w) {
        return LogitTerms.apply(a, b, present, counts, w);
    }

    /** Average pooling over k×k windows with a stride, no padding (floor output size). */
    public static Var avgPool2d(Var x, int k, int stride) {
        return AvgPool2d.apply(x, k, stride);
    }

    /** adaptive_avg_pool2d(x, 1): the mean of each channel's plane, shape [N, C, 1, 1]. */
    public static Var adaptiveAvgPool1x1(Var x) {
        if (x.dim(2) != x.dim(3))
            throw new IllegalArgumentException(
                    "adaptive pooling to 1x1 implemented for square planes, got " + x);
        return AvgPool2d.apply(x, x.dim(2), x.dim(2));
    }

    // ------------------------------------------------------------ composites

    /** Σ of all elements, shape [1]. */
    public static Var sum(Var x) {
        return reshape(sumTo(reshape(x, 1, -1), 1, 1), 1);
    }

    /** Mean of all elements, shape [1]. */
    public static Var mean(Var x) {
        return scale(sum(x), 1f / x.value.numel());
    }

    /** Keep-dim sum over one axis. */
    public static Var sum(Var x, int axis) {
        return sum(x, new int[] {axis}, true);
    }

    /** Keep-dim mean over one axis. */
    public static Var mean(Var x, int axis) {
        return mean(x, new int[] {axis}, true);
    }

    /**
     * Σ over {@code axes} (negative counts from the end), torch.sum(x, axes, keepdim): keepdim
     * keeps them as size 1, otherwise they are dropped (all dropped gives shape [1]).
     */
    public static Var sum(Var x, int[] axes, boolean keepdim) {
        boolean[] reduced = axisMask(x.value.rank(), axes);
        int[] kept = x.shape().clone();
        int left = 0;
        for (int d = 0; d < kept.length; d++) {
            if (reduced[d]) kept[d] = 1;
            else left++;
        }
        Var s = sumTo(x, kept);
        if (keepdim) return s;
        int[] dropped = new int[Math.max(left, 1)];
        dropped[0] = 1;
        for (int d = 0, i = 0; d < kept.length; d++) if (!reduced[d]) dropped[i++] = kept[d];
        return reshape(s, dropped);
    }

    /** Mean over {@code axes}; see {@link #sum(Var, int[], boolean)}. */
    public static Var mean(Var x, int[] axes, boolean keepdim) {
        boolean[] reduced = axisMask(x.value.rank(), axes);
        long count = 1;
        for (int d = 0; d < reduced.length; d++) if (reduced[d]) count *= x.dim(d);
        return scale(sum(x, axes, keepdim), 1f / count);
    }

    private static boolean[] axisMask(int rank, int[] axes) {
        boolean[] m = new boolean[rank];
        for (int a : axes) {
            int d = a < 0 ? rank + a : a;
            if (d < 0 || d >= rank || m[d])
                throw new IllegalArgumentException(
                        "bad or repeated axis " + a + " for rank " + rank);
            m[d] = true;
        }
        return m;
    }

    /** x·Wᵀ + b: x [N, in], W [out, in], b [out] (PyTorch's Linear layout). */
    public static Var linear(Var x, Var w, Var b) {
        Var y = matmul(x, w, false, true);
        return b == null ? y : add(y, b);
    }

    /** mean_r −log softmax(logits)[r, y_r]: PyTorch's cross_entropy with hard labels. */
    public static Var crossEntropy(Var logits, int[] labels) {
        return neg(mean(gather(logSoftmax(logits), labels)));
    }

    /**
     * mean_r −Σ_c π[r,c]·log softmax(logits)[r,c]: soft-target cross-entropy (softCE in
     * docs/ALGORITHM.md).
     */
    public static Var softCrossEntropy(Var logits, Var targets) {
        Var lp = logSoftmax(logits);
        return scale(sum(mul(targets, lp)), -1f / logits.dim(0));
    }

    /**
     * torch.clamp(x, min, max): clamped entries (strictly outside [min, max]) receive no gradient.
     */
    public static Var clamp(Var x, float min, float max) {
        return clampMax(clampMin(x, min), max);
    }

    /**
     * −Σ [x·ln p + (1 − x)·ln(1 − p)] over every entry, p clamped to [ε, 1 − ε] first: the
     * Bernoulli negative log-likelihood of targets x ∈ [0, 1] (not binarised) under probabilities
     * p, summed (BCELoss(reduction='sum') with the clamp of the MIR code's VAE). Differentiable in
     * p and x.
     */
    public static Var bernoulliNll(Var p, Var x, float eps) {
        Var pc = clamp(p, eps, 1 - eps);
        Var oneMinusX = addScalar(neg(x), 1f);
        Var ll = add(mul(x, log(pc)), mul(oneMinusX, log(addScalar(neg(pc), 1f))));
        return neg(sum(ll));
    }

    /** xᵀ for 2-D x. */
    public static Var transpose(Var x) {
        if (x.value.rank() != 2)
            throw new IllegalArgumentException("transpose takes 2-D, got " + x);
        return permute(x, 1, 0);
    }

    // ------------------------------------------------------------ outside the graph

    /** Index of the first maximum along the last axis, per row (predictions, R_sharp's ĉ). */
    public static int[] argmax(Var x) {
        return MaxLastAxis.argmax(x.value);
    }

    /**
     * {@link #argmax} kept on x's device: indices as floats in a tensor [R]; not differentiable.
     */
    public static Tensor argmaxIndex(Var x) {
        return MaxLastAxis.argmaxIndex(x.value);
    }

    /** A constant [R, classes] with a 1 at (r, labels[r]) and 0 elsewhere, on the CPU. */
    public static Var oneHot(int[] labels, int classes) {
        return oneHot(labels, classes, Device.CPU);
    }

    /** {@link #oneHot(int[], int)} on the given device. */
    public static Var oneHot(int[] labels, int classes, Device device) {
        for (int r = 0; r < labels.length; r++)
            if (labels[r] < 0 || labels[r] >= classes)
                throw new IndexOutOfBoundsException(
                        "label " + labels[r] + " at row " + r + " is not in [0, " + classes + ")");
        Backend be = Backends.get(device);
        Tensor ones = be.empty(labels.length), out = be.zeros(labels.length, classes);
        be.fill(ones, 1f);
        be.scatterAddLastAxis(ones, labels, out);
        return Var.constant(out);
    }
}
