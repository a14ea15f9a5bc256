package arm.autograd.ops;

import arm.autograd.Gradients;
import arm.autograd.Node;
import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Binary;
import arm.tensor.Tensor;
import arm.tensor.Unary;

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
 * Running-statistics updates are not differentiable and belong to the caller (the nn layer, or
 * {@code F.batchNorm}), which receives the batch statistics in {@link Train}.
 *
 * <p>Fused with a following ReLU ({@link #trainRelu}, ResNet's BN → ReLU pairs): z = max(0, y), and
 * the backward is the one above applied to dy·[z &gt; 0]. Saves z instead of nothing extra; the
 * backend does it without materialising y or the masked gradient. Tested against the composition.
 *
 * <p>Counted training mode ({@link #trainCounted}): x holds a batch's distinct samples, sample n
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

    /** The output and the batch statistics of one training-mode pass (μ, biased σ², both [C]). */
    public record Train(Var y, Tensor mean, Tensor var) {}

    public static Train train(Var x, Var gamma, Var beta, float eps) {
        return train(x, gamma, beta, eps, false);
    }

    /** relu(train(x)) in one op; {@link Train#y()} is the ReLU's output. */
    public static Train trainRelu(Var x, Var gamma, Var beta, float eps) {
        return train(x, gamma, beta, eps, true);
    }

    private static Train train(Var x, Var gamma, Var beta, float eps, boolean relu) {
        checkShapes(x, gamma, beta);
        Backend be = Node.backendOf(x.value);
        int c = x.dim(1);
        Tensor y = be.empty(x.shape()), mean = be.empty(c), var = be.empty(c);
        if (relu) be.batchNormReluTrain(x.value, gamma.value, beta.value, eps, y, mean, var);
        else be.batchNormTrain(x.value, gamma.value, beta.value, eps, y, mean, var);
        return new Train(
                Node.record(
                        y, new TrainNode(x, null, gamma, beta, relu ? y : null, mean, var, eps)),
                mean,
                var);
    }

    /**
     * Training-mode batch norm of a counted batch (class comment), relu(…) fused when {@code relu};
     * {@link Train#y()} is the (ReLU's) output. counts [N], each ≥ 1, constant.
     */
    public static Train trainCounted(
            Var x, int[] counts, Var gamma, Var beta, float eps, boolean relu) {
        checkShapes(x, gamma, beta);
        Backend be = Node.backendOf(x.value);
        int c = x.dim(1);
        int[] w = counts.clone(); // the caller's array may change before backward
        Tensor y = be.empty(x.shape()), mean = be.empty(c), var = be.empty(c);
        be.batchNormTrainCounted(x.value, w, gamma.value, beta.value, eps, relu, y, mean, var);
        return new Train(
                Node.record(y, new TrainNode(x, w, gamma, beta, relu ? y : null, mean, var, eps)),
                mean,
                var);
    }

    public static Var eval(
            Var x, Var gamma, Var beta, Tensor runningMean, Tensor runningVar, float eps) {
        checkShapes(x, gamma, beta);
        Backend be = Node.backendOf(x.value);
        Tensor y = be.empty(x.shape());
        be.batchNormEval(x.value, gamma.value, beta.value, runningMean, runningVar, eps, y);
        return Node.record(y, new EvalNode(x, gamma, beta, runningMean, runningVar, eps));
    }

    private static void checkShapes(Var x, Var gamma, Var beta) {
        if (x.value.rank() != 4
                || gamma.value.numel() != x.dim(1)
                || beta.value.numel() != x.dim(1))
            throw new IllegalArgumentException(
                    "batchnorm: " + x + " with γ " + gamma + ", β " + beta);
    }

    /** Backward of the plain and the counted training forward (counts null: every sample once). */
    static final class TrainNode extends Node {
        final int[] counts; // multiplicity of each sample (constant), or null
        final Tensor z; // with a fused ReLU its output (the mask is z > 0), else null
        final Tensor mean, var; // batch statistics of the forward pass
        final float eps;

        TrainNode(
                Var x,
                int[] counts,
                Var gamma,
                Var beta,
                Tensor z,
                Tensor mean,
                Tensor var,
                float eps) {
            super(x, gamma, beta);
            this.counts = counts;
            this.z = z;
            this.mean = mean;
            this.var = var;
            this.eps = eps;
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
            if (counts != null)
                be.batchNormBackwardCounted(
                        x.value, counts, z, dy, gamma.value, mean, var, eps, dx, dGamma, dBeta);
            else if (z == null)
                be.batchNormBackward(x.value, dy, gamma.value, mean, var, eps, dx, dGamma, dBeta);
            else
                be.batchNormReluBackward(
                        x.value, z, dy, gamma.value, mean, var, eps, dx, dGamma, dBeta);
            if (dx != null) g.add(x, dx);
            if (dGamma != null) g.add(gamma, dGamma.reshape(gamma.shape()));
            if (dBeta != null) g.add(beta, dBeta.reshape(beta.shape()));
        }
    }

    static final class EvalNode extends Node {
        final Tensor mean, var; // the running statistics used, constants
        final float eps;

        EvalNode(Var x, Var gamma, Var beta, Tensor mean, Tensor var, float eps) {
            super(x, gamma, beta);
            this.mean = copyOf(mean);
            this.var = copyOf(var);
            this.eps = eps;
        }

        /** Running buffers change in place later; backward must see the values of this forward. */
        private static Tensor copyOf(Tensor t) {
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
                be.unary(Unary.ADD_SCALAR, var, eps, scale);
                be.unary(Unary.SQRT, scale, 0f, scale);
                be.binary(Binary.DIV, gamma.value.reshape(c), scale, scale);
                be.binary(Binary.MUL, dy, scale.reshape(c, 1, 1), dx);
                g.add(x, dx);
            }
            if (g.needs(gamma) || g.needs(beta)) {
                // dγ = Σ dy·x̂ and dβ = Σ dy: the training backward's sums with the running
                // statistics
                Tensor dGamma = be.empty(c), dBeta = be.empty(c);
                be.batchNormBackward(x.value, dy, gamma.value, mean, var, eps, null, dGamma, dBeta);
                if (g.needs(gamma)) g.add(gamma, dGamma.reshape(gamma.shape()));
                if (g.needs(beta)) g.add(beta, dBeta.reshape(beta.shape()));
            }
        }
    }
}
