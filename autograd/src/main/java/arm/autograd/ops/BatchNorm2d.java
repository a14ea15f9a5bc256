package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.BatchNormArgs;
import arm.tensor.Binary;
import arm.tensor.FixedInts;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.Arrays;

/**
 * Batch normalisation per channel of x [N, C, H, W], with γ, β [C]; statistics over the m = N·H·W
 * values of each channel.
 *
 * <p>Training mode (through the batch statistics):
 *
 * <pre>
 * μ = Σx/m,  σ² = Σ(x − μ)²/m (biased),  x̂ = (x − μ)/√(σ² + ε),  y = γ·x̂ + β
 * dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/(m·√(σ² + ε)) · (m·dy − dβ − x̂·dγ)
 * </pre>
 *
 * The dx line is the full derivative: μ and σ² depend on every x of the channel, which is what
 * couples the M recalled images of ARM through the batch. Saves μ and σ² (and reads x, γ).
 *
 * <p>Eval mode, with given (running) statistics μ_r, σ²_r that are constants:
 *
 * <pre>
 * y = γ·(x − μ_r)/√(σ²_r + ε) + β
 * dx = γ·dy/√(σ²_r + ε),   dγ = Σ dy·x̂,   dβ = Σ dy
 * </pre>
 *
 * A training forward also updates the running statistics when {@link Mode} names them (PyTorch's
 * momentum rule with the unbiased variance σ²·m/(m − 1)); the update is not differentiable.
 *
 * <p>Fused with a following ReLU (relu = true in training, ResNet's BN → ReLU pairs): z = max(0,
 * y), and the backward is the one above applied to dy·[z &gt; 0]. Saves z; the backend does it
 * without materialising y or the masked gradient. Tested against the composition. In eval the ReLU
 * is a separate op when the forward records a graph; without one (an evaluation under {@code
 * Autograd.noGrad()}) the backend applies it in the same pass, with the same bits. {@link #addRelu}
 * does the same for a block's end, relu(BN(x) + r).
 *
 * <p>Counted training mode ({@link Mode#counted}): x holds a batch's distinct samples, sample n
 * standing for w_n = counts[n] identical copies, so that one pass over the distinct samples gives
 * exactly what the replicated batch gives (ALGORITHM.md §2.1: the M recalled images are copies of
 * at most N real ones). With m = (Σ w)·H·W:
 *
 * <pre>
 * μ = Σ w·x/m,  σ² = Σ w·(x − μ)²/m,  x̂ and y as above
 * dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/(m·√(σ² + ε)) · (m·dy − w·(dβ + x̂·dγ))
 * </pre>
 *
 * where dy is the gradient of a loss that itself counts each sample w_n times (so dy_n is the sum
 * of the copies' gradients), and dx_n is then the sum of the copies' input gradients. The counts
 * are constants (no gradient). With every w_n = 1 these are the plain formulas.
 */
public final class BatchNorm2d {
    private BatchNorm2d() {}

    /**
     * How a batch norm runs, besides x, γ and β: training or eval, ε, the running statistics (eval
     * reads them; a training forward updates them at factor momentum, or at the value of the device
     * scalar factor when that is not null, when they are not null) and the counts of a counted
     * batch (training only; null: every sample once).
     */
    public record Mode(
            boolean training,
            float eps,
            Tensor runningMean,
            Tensor runningVar,
            float momentum,
            Tensor factor,
            int[] counts) {

        /** Training with batch statistics, nothing tracked. */
        public static Mode train(float eps) {
            return new Mode(true, eps, null, null, 0f, null, null);
        }

        /** Eval with the given running statistics. */
        public static Mode eval(Tensor runningMean, Tensor runningVar, float eps) {
            return new Mode(false, eps, runningMean, runningVar, 0f, null, null);
        }

        /** The same, updating these running statistics at this factor in training. */
        public Mode tracking(Tensor mean, Tensor var, float factor) {
            return new Mode(training, eps, mean, var, factor, null, counts);
        }

        /**
         * The same, updating these running statistics at the factor that the [1] tensor {@code
         * factor} (on x's device) holds when the update runs (see {@link BatchNormArgs#factor}).
         */
        public Mode tracking(Tensor mean, Tensor var, Tensor factor) {
            return new Mode(training, eps, mean, var, 0f, factor, counts);
        }

        /** The same for a batch whose sample n stands for w[n] copies (null: once each). */
        public Mode counted(int[] w) {
            return new Mode(training, eps, runningMean, runningVar, momentum, factor, w);
        }
    }

    /** y = BN(x), relu(BN(x)) when relu; shapes and modes in the class comment. */
    public static Var apply(Var x, Var gamma, Var beta, Mode mode, boolean relu) {
        checkShapes(x, gamma, beta);
        if (!mode.training()) {
            if (!Node.records(x, gamma, beta))
                return evalConstant(x, gamma, beta, mode, relu, null);
            Var y = eval(x, gamma, beta, mode);
            return relu ? UnaryOps.apply(Unary.RELU, y, 0f) : y;
        }
        Backend be = Node.backendOf(x.value);
        int c = x.dim(1);
        Tensor y = be.empty(x.shape()), mean = be.empty(c), var = be.empty(c);
        // the caller's counts may change before backward
        int[] w = FixedInts.keep(mode.counts()); // a fixed input stays itself
        BatchNormArgs a =
                BatchNormArgs.train(gamma.value, beta.value, mode.eps(), mean, var).counted(w);
        a =
                mode.factor() == null
                        ? a.tracking(mode.runningMean(), mode.runningVar(), mode.momentum())
                        : a.tracking(mode.runningMean(), mode.runningVar(), mode.factor());
        // PyTorch refuses too: the unbiased variance is undefined
        if (a.values(x.value) < 2)
            throw new IllegalArgumentException(
                    "batch norm in training needs more than 1 value per channel, got " + x);
        be.batchNorm(a, x.value, relu, y);
        return Node.record(y, new TrainNode(x, gamma, beta, a, relu ? y : null));
    }

    /**
     * relu(BN(x) + r), ResNet's block end (BN2, the shortcut's r, the ReLU). In eval without a
     * graph one backend pass ({@link Backend#batchNormAddRelu}); otherwise the composed ops.
     */
    public static Var addRelu(Var x, Var gamma, Var beta, Mode mode, Var r) {
        checkShapes(x, gamma, beta);
        if (!Arrays.equals(x.shape(), r.shape()))
            throw new IllegalArgumentException("batchNormAddRelu: " + x + " with residual " + r);
        if (!mode.training() && !Node.records(x, gamma, beta, r))
            return evalConstant(x, gamma, beta, mode, false, r);
        Var y = apply(x, gamma, beta, mode, false);
        return UnaryOps.apply(Unary.RELU, BinaryOps.apply(Binary.ADD, y, r), 0f);
    }

    /**
     * Eval forward that nothing differentiates: the running statistics read in place (no copies for
     * a backward), the ReLU (relu) or the residual add and ReLU (r not null) in the same pass.
     */
    private static Var evalConstant(Var x, Var gamma, Var beta, Mode mode, boolean relu, Var r) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(x.shape());
        BatchNormArgs a =
                BatchNormArgs.eval(
                        gamma.value, beta.value, mode.eps(), mode.runningMean(), mode.runningVar());
        if (r == null) be.batchNorm(a, x.value, relu, y);
        else be.batchNormAddRelu(a, x.value, r.value, y);
        return Var.constant(y);
    }

    private static Var eval(Var x, Var gamma, Var beta, Mode mode) {
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(x.shape());
        BatchNormArgs a =
                BatchNormArgs.eval(
                        gamma.value,
                        beta.value,
                        mode.eps(),
                        EvalNode.copyOf(mode.runningMean()),
                        EvalNode.copyOf(mode.runningVar()));
        be.batchNorm(a, x.value, false, y);
        return Node.record(y, new EvalNode(x, gamma, beta, a));
    }

    private static void checkShapes(Var x, Var gamma, Var beta) {
        if (x.value.rank() != 4
                || gamma.value.numel() != x.dim(1)
                || beta.value.numel() != x.dim(1))
            throw new IllegalArgumentException(
                    "batchnorm: " + x + " with γ " + gamma + ", β " + beta);
    }

    /** Backward of the plain and the counted training forward. */
    static final class TrainNode extends Node {
        final BatchNormArgs a; // γ, ε, the batch statistics of the forward, the counts (constant)
        final Tensor z; // with a fused ReLU its output (the mask is z > 0), else null

        TrainNode(Var x, Var gamma, Var beta, BatchNormArgs a, Tensor z) {
            super(x, gamma, beta);
            this.a = a;
            this.z = z;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0], gamma = inputs[1], beta = inputs[2];
            Backend be = backendOf(dy);
            int c = x.dim(1);
            Tensor dx = g.needs(x) ? be.empty(x.shape()) : null;
            Tensor dGamma = g.needs(gamma) ? be.empty(c) : null;
            Tensor dBeta = g.needs(beta) ? be.empty(c) : null;
            if (dx == null && dGamma == null && dBeta == null) return;
            be.batchNormBackward(a, x.value, z, dy, dx, dGamma, dBeta);
            if (dx != null) g.add(x, dx);
            if (dGamma != null) g.add(gamma, dGamma.reshape(gamma.shape()));
            if (dBeta != null) g.add(beta, dBeta.reshape(beta.shape()));
        }
    }

    static final class EvalNode extends Node {
        final BatchNormArgs a; // γ, ε and copies of the running statistics used, constants

        EvalNode(Var x, Var gamma, Var beta, BatchNormArgs a) {
            super(x, gamma, beta);
            this.a = a;
        }

        /** Running buffers change in place later; backward must see the values of this forward. */
        static Tensor copyOf(Tensor t) {
            Backend be = backendOf(t);
            Tensor c = be.empty(t.shape);
            be.copy(t, c);
            return c;
        }

        @Override
        protected void backward(Tensor dy, Gradients g) {
            Var x = inputs[0], gamma = inputs[1], beta = inputs[2];
            Backend be = backendOf(dy);
            int c = x.dim(1);
            if (g.needs(x)) {
                Tensor scale = be.empty(c), dx = be.empty(x.shape()); // scale = γ/√(σ²_r + ε)
                be.unary(Unary.ADD_SCALAR, a.var(), a.eps(), scale);
                be.unary(Unary.SQRT, scale, 0f, scale);
                be.binary(Binary.DIV, gamma.value.reshape(c), scale, scale);
                be.binary(Binary.MUL, dy, scale.reshape(c, 1, 1), dx);
                g.add(x, dx);
            }
            if (g.needs(gamma) || g.needs(beta)) {
                // dγ = Σ dy·x̂ and dβ = Σ dy: the training backward's sums, running statistics
                Tensor dGamma = be.empty(c), dBeta = be.empty(c);
                be.batchNormBackward(a, x.value, null, dy, null, dGamma, dBeta);
                if (g.needs(gamma)) g.add(gamma, dGamma.reshape(gamma.shape()));
                if (g.needs(beta)) g.add(beta, dBeta.reshape(beta.shape()));
            }
        }
    }
}
