package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The MLP variational auto-encoder of the MIR code's MNIST runs (VAE.py, input type 'binary',
 * architecture MLP), with a N(0, I) prior on z:
 *
 * <pre>
 * encoder  Linear(in→H), ReLU, Dropout, then (depth − 1)·[Linear(H→H), ReLU, Dropout]
 * heads    μ = Linear(H→z),  σ² = softplus(Linear(H→z))      (a variance head, not log-variance)
 * decoder  Linear(z→H), ReLU, Dropout, then (depth − 1)·[Linear(H→H), ReLU, Dropout],
 *          then Linear(H→in), sigmoid: the Bernoulli means x̄
 * </pre>
 *
 * Layers are initialised in that order, each as PyTorch's nn.Linear. MNIST's published sizes (in
 * 784, H 128, z 50) give 254,068 parameters at depth 2 and 221,044 at depth 1.
 *
 * <p>The loss ({@link #loss}) is the MIR code's: the Bernoulli NLL of the [0, 1] pixels summed
 * (probabilities clamped to [1e−6, 1 − 1e−6]) plus β times a one-sample estimate of KL(q(z|x) ‖
 * p(z)), log q(z|x) − log p(z) at the sampled z with the Gaussian constants dropped (they cancel),
 * all divided by the batch size. Noise (z's ε, prior draws, dropout masks) comes from the generator
 * handed to {@link #useGenerator}.
 */
public final class Vae extends VaeModel {
    public static final float PROB_EPS = 1e-6f;

    public final int in, hidden, z, depth;
    public final float dropout;
    private final List<Linear> enc = new ArrayList<>(), dec = new ArrayList<>();
    private final List<Dropout> encDrop = new ArrayList<>(), decDrop = new ArrayList<>();
    public final Linear mean, var, out;
    private SplittableRandom rng;

    public Vae(int in, int hidden, int z, int depth, float dropout, SplittableRandom rng) {
        if (depth < 1) throw new IllegalArgumentException("VAE depth must be >= 1, got " + depth);
        this.in = in;
        this.hidden = hidden;
        this.z = z;
        this.depth = depth;
        this.dropout = dropout;
        for (int i = 0; i < depth; i++) {
            enc.add(child("enc" + i, new Linear(i == 0 ? in : hidden, hidden, rng)));
            encDrop.add(child("encDrop" + i, new Dropout(dropout)));
        }
        mean = child("mean", new Linear(hidden, z, rng));
        var = child("var", new Linear(hidden, z, rng));
        for (int i = 0; i < depth; i++) {
            dec.add(child("dec" + i, new Linear(i == 0 ? z : hidden, hidden, rng)));
            decDrop.add(child("decDrop" + i, new Dropout(dropout)));
        }
        out = child("out", new Linear(hidden, in, rng));
    }

    /** One encode–sample–decode pass: the posterior's μ and σ², the sampled z, and x̄. */
    public record Pass(Var mu, Var var, Var z, Var xMean) {}

    /** The loss terms, each already divided by the batch size: loss = rec + β·kl. */
    public record Loss(Var loss, Var rec, Var kl) {}

    /** All noise of this VAE (ε, prior draws, dropout masks) comes from {@code g} from now on. */
    public void useGenerator(SplittableRandom g) {
        rng = g;
        Dropout.useGenerator(this, g);
    }

    /** x̄ of a one-sample pass (PyTorch's forward returns this with μ, σ² and z). */
    @Override
    public Var forward(Var x) {
        return pass(x).xMean();
    }

    public Pass pass(Var x) {
        Var h = x.value.rank() == 2 ? x : F.reshape(x, x.dim(0), -1);
        for (int i = 0; i < depth; i++) h = encDrop.get(i).forward(F.relu(enc.get(i).forward(h)));
        Var mu = mean.forward(h), v = F.softplus(var.forward(h));
        Var zs = reparameterize(mu, v);
        return new Pass(mu, v, zs, decode(zs));
    }

    /** z = μ + √σ² · ε, ε ~ N(0, I). */
    public Var reparameterize(Var mu, Var v) {
        Var eps = Var.constant(normal(mu.shape()));
        return F.add(F.mul(eps, F.sqrt(v)), mu);
    }

    /** x̄ = sigmoid(decoder(z)), [N, in]. */
    public Var decode(Var zs) {
        Var h = zs;
        for (int i = 0; i < depth; i++) h = decDrop.get(i).forward(F.relu(dec.get(i).forward(h)));
        return F.sigmoid(out.forward(h));
    }

    /** n draws of the prior N(0, I), [n, z]. */
    public Tensor prior(int n) {
        return normal(n, z);
    }

    /** The decoder's means at n prior draws (no pixel sampling), as the MIR code generates. */
    public Var generate(int n) {
        return decode(Var.constant(prior(n)));
    }

    @Override
    public Loss vaeLoss(Pass p, Var x, float beta) {
        return loss(p, x, beta);
    }

    /** The MIR code's VAE loss of a pass on targets x (see the class comment). */
    public static Loss loss(Pass p, Var x, float beta) {
        int n = x.dim(0);
        Var xf = x.value.rank() == 2 ? x : F.reshape(x, n, -1);
        Var rec = F.bernoulliNll(p.xMean(), xf, PROB_EPS);
        Var d = F.sub(p.z(), p.mu());
        // log q(z|x) − log p(z) = −½ Σ [ln σ² + (z − μ)²/σ²] + ½ Σ z²
        Var logQ = F.scale(F.sum(F.add(F.log(p.var()), F.div(F.mul(d, d), p.var()))), -0.5f);
        Var logP = F.scale(F.sum(F.mul(p.z(), p.z())), -0.5f);
        Var kl = F.sub(logQ, logP);
        Var loss = F.scale(F.add(rec, F.scale(kl, beta)), 1f / n);
        return new Loss(loss, F.scale(rec, 1f / n), F.scale(kl, 1f / n));
    }

    /** Standard normal draws (Box–Muller on the generator's doubles), in row-major order. */
    private Tensor normal(int... shape) {
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

    @Override
    protected Module blank() {
        return new Vae(in, hidden, z, depth, dropout, new SplittableRandom(0));
    }
}
