package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.nn.Dropout;
import arm.nn.Module;
import arm.nn.Vae;
import arm.nn.VaeModel;
import arm.tensor.Backends;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GEN-MIR (the MIR code's gen_main.py with mir_gen for the classifier and the generator; mir.py's
 * retrieve_gen_for_cls and retrieve_gen_for_gen). GEN's loop ({@link Gen}); the replayed samples
 * are searched in G_prev's latent space instead of drawn at random. For each side, n_mem rounds of
 * N latent codes:
 *
 * <pre>
 * z ← N prior draws (mir_init = prior) or G_prev's posterior samples of X (posterior)
 * mir_iters times:  z ← z + ∇_z gain(z)          gradient ascent, step 1
 * after the rounds: X_r = G_prev.decode(all z); any NaN in z: G_prev.generate(N · n_mem) instead
 * </pre>
 *
 * With x̂ = G_prev.decode(z), H(p) = softCE(p, softmax(p)) (mean entropy), DIV = Σ_{j<i} mean((z −
 * z_j)²)/i over the codes of the earlier rounds j of round i, SHELL = mean((‖z‖ − √z_size)²):
 *
 * <pre>
 * classifier: gain = cls_xent·softCE(f_v(x̂), softmax(f_prev(x̂))) − cls_ent·H(f_prev(x̂))
 *                    + cls_div·DIV − cls_shell·SHELL;           labels P_r = softmax(f_prev(X_r))
 * generator:  gain = gen_kl·(KL_v − KL_prev) + gen_rec·(REC_v − REC_prev) − gen_ent·H(f_prev(x̂))
 *                    + gen_div·DIV − gen_shell·SHELL,   the VAE terms of G_v and G_prev on x̂ (β 1)
 * </pre>
 *
 * The virtual models keep the MIR code's quirks: f_v = f − η0·g and G_v = G − η0·g (plain SGD at
 * the classifier's η0, also for the VAE that Adam trains), g being the gradient each model holds
 * from its previous step (the current batch's has not been computed yet); both are copies in
 * training mode, so their dropout is on. A term whose coefficient is 0 is not computed. The soft
 * target of the interference term is not detached: its gradient flows through f_prev too.
 */
final class GenMir extends Gen {
    final int mirIters;
    final boolean initPrior, clsMir, genMir;
    final float cXent, cEnt, cDiv, cShell, gKl, gRec, gEnt, gDiv, gShell;

    GenMir(Map<String, String> defaults, Map<String, String> overrides) {
        super("GEN-MIR", defaults, overrides);
        mirIters = opts.nonNegativeInt("mir_iters");
        initPrior = opts.choice("mir_init", "prior", "posterior").equals("prior");
        clsMir = opts.choice("cls_retrieval", "mir", "random").equals("mir");
        genMir = opts.choice("gen_retrieval", "mir", "random").equals("mir");
        cXent = opts.nonNegative("cls_xent");
        cEnt = opts.nonNegative("cls_ent");
        cDiv = opts.nonNegative("cls_div");
        cShell = opts.nonNegative("cls_shell");
        gKl = opts.nonNegative("gen_kl");
        gRec = opts.nonNegative("gen_rec");
        gEnt = opts.nonNegative("gen_ent");
        gDiv = opts.nonNegative("gen_div");
        gShell = opts.nonNegative("gen_shell");
    }

    /** The gain of one round's codes z (a leaf), or null when every term's coefficient is 0. */
    private interface Gain {
        Var at(Var z, int round, List<Tensor> found);
    }

    @Override
    Tensor genReplay(GenLearner l, Tensor x) {
        if (!genMir) return super.genReplay(l, x);
        if (l.virtualGen == null) l.virtualGen = (VaeModel) l.gen.copy();
        stepVirtual(l.gen, l.virtualGen);
        l.virtualGen.useGenerator(l.noise);
        return search(
                l,
                x,
                (z, round, found) -> {
                    Var xh = l.prevGen.decode(z);
                    Var gain = null;
                    if (gKl > 0 || gRec > 0) {
                        Vae.Loss prev = l.prevGen.vaeLoss(l.prevGen.pass(xh), xh, 1f);
                        Vae.Loss virt = l.virtualGen.vaeLoss(l.virtualGen.pass(xh), xh, 1f);
                        if (gKl > 0) gain = plus(gain, F.sub(virt.kl(), prev.kl()), gKl);
                        if (gRec > 0) gain = plus(gain, F.sub(virt.rec(), prev.rec()), gRec);
                    }
                    if (gEnt > 0) gain = plus(gain, entropy(l.prevCls.forward(xh)), -gEnt);
                    return regularise(gain, z, round, found, gDiv, gShell);
                });
    }

    @Override
    Tensor[] clsReplay(GenLearner l, Tensor x) {
        if (!clsMir) return super.clsReplay(l, x);
        if (l.virtualCls == null) l.virtualCls = l.cls.copy();
        stepVirtual(l.cls, l.virtualCls);
        Dropout.useGenerator(l.virtualCls, l.noise);
        Tensor xr =
                search(
                        l,
                        x,
                        (z, round, found) -> {
                            Var xh = l.prevGen.decode(z);
                            Var yPre = l.prevCls.forward(xh);
                            Var gain = null;
                            if (cXent > 0)
                                gain =
                                        plus(
                                                gain,
                                                F.softCrossEntropy(
                                                        l.virtualCls.forward(xh), F.softmax(yPre)),
                                                cXent);
                            if (cEnt > 0) gain = plus(gain, entropy(yPre), -cEnt);
                            return regularise(gain, z, round, found, cDiv, cShell);
                        });
        return new Tensor[] {xr, softLabels(l.prevCls, xr)};
    }

    /** v ← copy of m (values, buffers, modes), then v ← v − η0·g with g the gradient m holds. */
    private void stepVirtual(Module m, Module v) {
        v.copyFrom(m);
        List<Var> src = m.parameters(), dst = v.parameters();
        for (int i = 0; i < src.size(); i++) {
            Tensor g = src.get(i).grad;
            if (g != null) Backends.of(dst.get(i).value).axpy(-lr, g, dst.get(i).value);
        }
    }

    /** n_mem rounds of mir_iters ascent steps on N codes; the decoded codes, or the fallback. */
    private Tensor search(GenLearner l, Tensor x, Gain gain) {
        int n = x.dim(0);
        Tensor mu = null, var = null;
        if (!initPrior)
            try (var ng = Autograd.noGrad()) {
                Vae.Pass p = l.prevGen.pass(Var.constant(x));
                mu = p.mu().value;
                var = p.var().value;
            }
        List<Tensor> found = new ArrayList<>();
        for (int round = 0; round < nMem; round++) {
            Tensor z;
            try (var ng = Autograd.noGrad()) {
                z =
                        initPrior
                                ? l.prevGen.prior(n)
                                : l.prevGen.reparameterize(Var.constant(mu), Var.constant(var))
                                        .value;
            }
            for (int j = 0; j < mirIters; j++) {
                Var zv = Var.param(z);
                Var g = gain.at(zv, round, found);
                if (g == null) break;
                Tensor dz = Autograd.grad(g, zv)[0];
                float[] a = z.toArray(), d = dz.toArray();
                for (int i = 0; i < a.length; i++) a[i] += d[i];
                z = Tensor.of(a, z.shape);
            }
            found.add(z);
        }
        l.searches++;
        try (var ng = Autograd.noGrad()) {
            for (Tensor z : found)
                if (hasNaN(z)) { // NaN only, as the MIR code checks (an infinite code decodes)
                    l.fallbacks++;
                    return l.prevGen.generate(l.m).value;
                }
            return l.prevGen.decode(Var.constant(concat(found))).value;
        }
    }

    private static boolean hasNaN(Tensor z) {
        for (float v : z.toArray()) if (Float.isNaN(v)) return true;
        return false;
    }

    /** gain + c·DIV − s·SHELL (terms with coefficient 0 left out). */
    private Var regularise(Var gain, Var z, int round, List<Tensor> found, float c, float s) {
        if (c > 0)
            for (int j = 0; j < round; j++) {
                Var d = F.sub(z, Var.constant(found.get(j)));
                gain = plus(gain, F.mean(F.mul(d, d)), c / round);
            }
        if (s > 0) {
            Var norm = F.sqrt(F.sum(F.mul(z, z), new int[] {1}, false));
            Var d = F.addScalar(norm, (float) -Math.sqrt(z.dim(1)));
            gain = plus(gain, F.mean(F.mul(d, d)), -s);
        }
        return gain;
    }

    /** Mean entropy of softmax(logits): softCE(logits, softmax(logits)). */
    private static Var entropy(Var logits) {
        return F.softCrossEntropy(logits, F.softmax(logits));
    }

    private static Var plus(Var acc, Var term, float c) {
        Var t = F.scale(term, c);
        return acc == null ? t : F.add(acc, t);
    }

    private static Tensor concat(List<Tensor> zs) {
        int n = zs.get(0).dim(0), d = zs.get(0).dim(1);
        float[] out = new float[zs.size() * n * d];
        for (int i = 0; i < zs.size(); i++)
            System.arraycopy(zs.get(i).toArray(), 0, out, i * n * d, n * d);
        return Tensor.of(out, zs.size() * n, d);
    }
}
