package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * What GEN and GEN-MIR ask of a variational auto-encoder with a N(0, I) prior: the MLP one of the
 * MNIST runs ({@link Vae}) and the gated-conv one of CIFAR10 and MiniImageNet ({@link ConvVae}).
 */
public abstract class VaeModel extends Module {

    /** One encode–sample–decode pass: the posterior's μ and σ², the sampled z, and x̄. */
    public abstract Vae.Pass pass(Var x);

    /** This VAE's loss of a pass on targets x, each term divided by the batch size. */
    public abstract Vae.Loss vaeLoss(Vae.Pass p, Var x, float beta);

    /** The decoder's mean x̄ at codes z [N, z]. */
    public abstract Var decode(Var z);

    /** z = μ + √σ² · ε, ε ~ N(0, I) from the generator. */
    public abstract Var reparameterize(Var mu, Var v);

    /** n draws of the prior N(0, I), [n, z]. */
    public abstract Tensor prior(int n);

    /** All noise of this VAE comes from {@code g} from now on. */
    public abstract void useGenerator(SplittableRandom g);

    /** The decoder's means at n prior draws (no pixel sampling), as the MIR code generates. */
    public Var generate(int n) {
        return decode(Var.constant(prior(n)));
    }

    /**
     * The MIR code's one-sample KL estimate summed over the batch: log q(z|x) − log p(z) at the
     * sampled z, the Gaussian constants dropped (they cancel): −½ Σ [ln σ² + (z − μ)²/σ²] + ½ Σ z².
     */
    public static Var kl(Vae.Pass p) {
        Var d = F.sub(p.z(), p.mu());
        Var logQ = F.scale(F.sum(F.add(F.log(p.var()), F.div(F.mul(d, d), p.var()))), -0.5f);
        Var logP = F.scale(F.sum(F.mul(p.z(), p.z())), -0.5f);
        return F.sub(logQ, logP);
    }

    /** Standard normal draws (Box–Muller on the generator's doubles), in row-major order. */
    static Tensor normal(SplittableRandom rng, int... shape) {
        if (rng == null) throw new IllegalStateException("the VAE needs a generator first");
        int n = 1;
        for (int d : shape) n *= d;
        float[] e = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1 - rng.nextDouble(), u2 = rng.nextDouble();
            e[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return Tensor.of(e, shape);
    }
}
