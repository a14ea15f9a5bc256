package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import arm.autograd.ops.BatchNorm2d.Mode;
import arm.tensor.Backends;
import arm.tensor.CapturedStep;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's BatchNorm2d with affine γ, β and tracked running statistics (ALGORITHM.md §5.2, §5.4).
 *
 * <ul>
 *   <li>Training mode: normalise with the batch mean and the <b>biased</b> batch variance
 *       (gradients flow through both), and update the running buffers on <b>every</b> forward, with
 *       the <b>unbiased</b> variance σ²·m/(m−1), m = N·H·W. num_batches_tracked is incremented
 *       first; the update factor is {@code momentum}, or 1/num_batches_tracked when momentum is
 *       null (a cumulative average: ResNet18's stem BN).
 *   <li>Eval mode: normalise with the running buffers; nothing changes.
 * </ul>
 *
 * Init: γ = 1, β = 0, running mean 0, running var 1, counter 0. eps = 1e-5.
 *
 * <p>For ADI's batch-statistics term (ALGORITHM.md §3.3) a caller may set {@link #statsSink}: each
 * forward then first adds ‖μ − running_mean‖₂ + ‖v − running_var‖₂ to it, from this layer's input,
 * with v the unbiased variance and the running values read before this forward updates them.
 *
 * <p>For a batch stored as its distinct samples with multiplicities ({@link CountedForward}) a
 * caller sets {@link #counts}: training-mode forwards then use the counted batch norm ({@code
 * F.batchNorm} with {@code Mode.counted}), whose statistics, gradients and running-buffer updates
 * (unbiased variance with m = (Σ counts)·H·W, the counter and the cumulative average as usual: one
 * forward is one batch) equal those of the replicated batch.
 *
 * <p>Inside a step captured as a graph ({@link CapturedStep}) a training forward declares its
 * counter increment as an effect of every run, and the cumulative average's factor, which changes
 * every forward, reaches the update kernel through a device scalar of this layer written by that
 * effect (one scalar per call of the layer within the step); a fixed momentum is baked in as it is.
 * Outside a capture the factor is passed by value, as on the CPU.
 */
public final class BatchNorm2d extends Module {
    public static final float EPS = 1e-5f;

    public final int channels;

    /** The update factor, or null for PyTorch's momentum = None (cumulative average). */
    public final Float momentum;

    public final Parameter weight, bias;

    /** Running statistics; replaced (not changed in place) when the module moves to a device. */
    public Tensor runningMean, runningVar;

    /**
     * A float [1] so that it travels with the other buffers; exact up to 2^24 forwards. A host
     * buffer: every training forward reads it, and on a GPU that read would be a sync.
     */
    public final Tensor numBatchesTracked;

    /** When not null, each forward appends its batch-statistics term here (see class comment). */
    List<Var> statsSink;

    /**
     * When not null, the multiplicity of each sample of the batch being forwarded (see class
     * comment).
     */
    int[] counts;

    /** The factor's device scalars, one per call within a captured step (see class comment). */
    private final List<Tensor> factorSlots = new ArrayList<>();

    /** PyTorch's default momentum 0.1. */
    public BatchNorm2d(int channels) {
        this(channels, 0.1f);
    }

    public BatchNorm2d(int channels, Float momentum) {
        this.channels = channels;
        this.momentum = momentum;
        weight = param("weight", Init.constant(1f, channels));
        bias = param("bias", Init.constant(0f, channels));
        runningMean = buffer("running_mean", Init.constant(0f, channels));
        runningVar = buffer("running_var", Init.constant(1f, channels));
        numBatchesTracked = hostBuffer("num_batches_tracked", Init.constant(0f, 1));
    }

    @Override
    protected void moved() {
        runningMean = buffer("running_mean");
        runningVar = buffer("running_var");
        factorSlots.clear();
    }

    @Override
    public Var forward(Var x) {
        return apply(x, false);
    }

    /**
     * relu(forward(x)) with the same statistics and updates, fused into one op in training mode.
     */
    public Var forwardRelu(Var x) {
        return apply(x, true);
    }

    /**
     * relu(forward(x) + r), a residual block's end. In eval mode (and no batch-statistics term
     * asked for) one op that, without a graph, is one pass over the data; otherwise the composed
     * ops, in that order.
     */
    public Var forwardAddRelu(Var x, Var r) {
        if (isTraining() || statsSink != null) return F.relu(F.add(forward(x), r));
        return F.batchNormAddRelu(
                x, weight.var, bias.var, Mode.eval(runningMean, runningVar, EPS), r);
    }

    /** Whether {@link #forwardAddRelu} takes the eval op (so r may be computed after x's BN). */
    public boolean fusesAddRelu() {
        return !isTraining() && statsSink == null;
    }

    private Var apply(Var x, boolean relu) {
        if (statsSink != null) statsSink.add(batchStatsTerm(x));
        if (counts != null && statsSink != null)
            throw new IllegalStateException("the batch-statistics term is not counted");
        Mode mode =
                isTraining()
                        ? tracking(Mode.train(EPS)).counted(counts)
                        : Mode.eval(runningMean, runningVar, EPS);
        return F.batchNorm(x, weight.var, bias.var, mode, relu);
    }

    /** A training forward's running-statistics update: counts it, at its factor. */
    private Mode tracking(Mode train) {
        if (!CapturedStep.capturing())
            return train.tracking(runningMean, runningVar, countForward());
        if (momentum != null) { // a fixed factor may be baked in; the count may not
            CapturedStep.everyRun(this::countForward);
            return train.tracking(runningMean, runningVar, momentum);
        }
        Tensor slot = factorSlot(CapturedStep.callIndex(this));
        CapturedStep.everyRun(() -> Backends.of(slot).fill(slot, countForward()));
        return train.tracking(runningMean, runningVar, slot);
    }

    /** num_batches_tracked += 1; returns the factor of this forward. */
    private float countForward() {
        float count = numBatchesTracked.item() + 1;
        Backends.of(numBatchesTracked).fill(numBatchesTracked, count);
        return momentum == null ? 1f / count : momentum;
    }

    /** The factor's device scalar of the call-th call within a step, made outside any scope. */
    private Tensor factorSlot(int call) {
        while (factorSlots.size() <= call)
            factorSlots.add(Scope.outside(() -> Backends.of(runningMean).empty(1)));
        return factorSlots.get(call);
    }

    /**
     * ‖μ − running_mean‖₂ + ‖v − running_var‖₂ for x [N, C, H, W]: μ the per-channel batch mean, v
     * the unbiased per-channel variance, composed from primitives so that its gradient reaches x.
     */
    Var batchStatsTerm(Var x) {
        int c = channels, m = x.value.numel() / c;
        Var mu = F.scale(F.sumTo(x, 1, c, 1, 1), 1f / m);
        Var centred = F.sub(x, mu);
        Var v = F.scale(F.sumTo(F.mul(centred, centred), 1, c, 1, 1), 1f / (m - 1));
        Var dMean = F.sub(F.reshape(mu, c), Var.constant(copy(runningMean)));
        Var dVar = F.sub(F.reshape(v, c), Var.constant(copy(runningVar)));
        return F.add(norm(dMean), norm(dVar));
    }

    private static Var norm(Var d) {
        return F.sqrt(F.sum(F.mul(d, d)));
    }

    private static Tensor copy(Tensor t) {
        Tensor c = Backends.of(t).zeros(t.shape);
        Backends.of(t).copy(t, c);
        return c;
    }

    @Override
    protected Module blank() {
        return new BatchNorm2d(channels, momentum);
    }
}
