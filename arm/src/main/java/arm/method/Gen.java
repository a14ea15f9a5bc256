package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.nn.Adam;
import arm.nn.ConvVae;
import arm.nn.Dropout;
import arm.nn.GatedClassifier;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.nn.Vae;
import arm.nn.VaeModel;
import arm.run.Draws;
import arm.run.Guard;
import arm.run.LossLog;
import arm.tensor.Device;
import arm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GEN, generative replay (the MIR code's gen_main.py with rand_gen; docs/REPRODUCE.md "GEN and
 * GEN-MIR"), and the loop GEN-MIR shares ({@link GenMir}). A classifier (the gated MNIST network,
 * or the ResNet18 on CIFAR10 and MiniImageNet; SGD at η0) and a VAE (the MLP one, or the gated-conv
 * one on images; Adam) learn side by side; from task 1 on both also rehearse samples of the frozen
 * copies taken at the last task end. Per batch (X, Y) of task k, with β = min(n_k / warmup,
 * max_beta), n_k the samples of task k seen so far including this batch:
 *
 * <pre>
 * gen_iters times:                                         the generator
 *   L_G = VAE loss(X; β)
 *   if k ≥ 1: X_g ← (first iteration, or every one without reuse) replay for the generator
 *             L_G += mem_coeff · VAE loss(X_g; β)
 *   zero the VAE's gradients, backprop L_G, one Adam step
 * cls_iters times:                                         the classifier
 *   L_C = mean CE(f(X), Y)
 *   if k ≥ 1: (X_c, P_c) ← (first iteration, or …) replay for the classifier
 *             L_C += mem_coeff · softCE(f(X_c), P_c)      softCE clamps softmax to [1e−5, 1]
 *   zero f's gradients, backprop L_C, one SGD step
 * </pre>
 *
 * GEN's replay: X = G_prev.generate(N · n_mem) (decoder means at prior draws) for both, drawn
 * independently; P_c = softmax(f_prev(X_c)). At the first batch of every task k ≥ 1, f_prev and
 * G_prev become copies of f and G in eval mode (dropout off), as the MIR code copies them after its
 * end-of-task evaluation.
 *
 * <p>All noise of iteration t (dropout masks, the VAE's ε and prior draws, GEN-MIR's searches)
 * comes from one per-iteration stream ({@link Draws}), so a checkpoint needs no generator state; it
 * holds the VAE, Adam's moments and step counts, f_prev, G_prev and the gradients both models hold
 * between iterations (GEN-MIR's virtual steps read them).
 */
class Gen extends ContinualMethod {
    final int genIters, clsIters, nMem, z, genHidden, genDepth, warmup;
    final float genLr, memCoeff, dropout, clsDropout, maxBeta;
    final boolean reuse;

    Gen(String name, Map<String, String> defaults, Map<String, String> overrides) {
        super(name, defaults, overrides);
        genLr = opts.nonNegative("gen_lr");
        genIters = opts.nonNegativeInt("gen_iters");
        clsIters = opts.positiveInt("cls_iters");
        nMem = opts.positiveInt("n_mem");
        memCoeff = opts.nonNegative("mem_coeff");
        z = opts.positiveInt("z_size");
        genHidden = opts.positiveInt("gen_hidden");
        genDepth = opts.positiveInt("gen_depth");
        dropout = probability("dropout");
        clsDropout = probability("cls_dropout");
        maxBeta = opts.nonNegative("max_beta");
        warmup = opts.nonNegativeInt("warmup");
        reuse = opts.flag("reuse_samples");
        if (authorsRng)
            throw opts.bad("rng", "ours (the authors' streams exist for the MLP methods only)");
        if (!opts.raw("model").equals("auto"))
            throw opts.bad(
                    "model",
                    "auto (GEN trains the gated MNIST classifier, on images the ResNet18)");
        if (device != Device.CPU) throw opts.bad("device", "cpu (GEN has not been run on a GPU)");
    }

    private float probability(String key) {
        float p = opts.nonNegative(key);
        if (p >= 1) throw opts.bad(key, "a probability in [0, 1)");
        return p;
    }

    /**
     * On flat images the gated classifier, mlp_hidden wide, with cls_dropout after its first layer;
     * on c×H×W images the ResNet18 of the other methods.
     */
    @Override
    Module model(ContinualData data, SplittableRandom init, long seed) {
        if (data.train().itemShape().length != 1) return super.model(data, init, seed);
        return new GatedClassifier(
                data.train().itemSize(),
                Integer.parseInt(opts.raw("mlp_hidden")),
                data.numClasses(),
                clsDropout,
                init);
    }

    /**
     * A VAE with this method's sizes for {@code data}: the MLP one on flat images, the gated-conv
     * one on CIFAR10's 32×32 and MiniImageNet's 84×84 images (z_size only: its widths are fixed).
     */
    VaeModel vae(ContinualData data, SplittableRandom rng) {
        int[] item = data.train().itemShape();
        if (item.length != 1) return ConvVae.forImages(item, z, rng);
        return new Vae(data.train().itemSize(), genHidden, z, genDepth, dropout, rng);
    }

    /** M: the replayed batch, N · n_mem samples. */
    int replayed(ContinualData data) {
        return data.batchSize() * nMem;
    }

    /** Replay for the generator at iteration {@code it} (GEN: G_prev's samples). */
    Tensor genReplay(GenLearner l, Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return l.prevGen.generate(l.m).value;
        }
    }

    /** Replay for the classifier: samples and their soft labels (GEN: G_prev's, f_prev's). */
    Tensor[] clsReplay(GenLearner l, Tensor x) {
        try (var ng = Autograd.noGrad()) {
            Tensor xc = l.prevGen.generate(l.m).value;
            return new Tensor[] {xc, softLabels(l.prevCls, xc)};
        }
    }

    /** softmax(f_prev(x)), no graph. */
    static Tensor softLabels(Module prevCls, Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return F.softmax(prevCls.forward(Var.constant(x))).value;
        }
    }

    @Override
    Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        return new GenLearner(fCur, opt, data, rng);
    }

    /** One run: f, its SGD, the VAE and its Adam, the frozen copies. */
    final class GenLearner implements Learner {
        final Module cls;
        final Sgd opt;
        final ContinualData data;
        final long base;
        final VaeModel gen;
        final Adam adam;
        final int m;
        Module prevCls;
        VaeModel prevGen;

        /** GEN-MIR's virtual models (null for GEN, and until first used). */
        Module virtualCls;

        VaeModel virtualGen;

        /** This iteration's noise stream. */
        SplittableRandom noise;

        /** GEN-MIR's searches so far and those that fell back to random samples (not saved). */
        int searches, fallbacks;

        /** Records the figures' samples at task ends (null: no figures). */
        GenSampler sampler;

        GenLearner(Module cls, Sgd opt, ContinualData data, SplittableRandom rng) {
            this.cls = cls;
            this.opt = opt;
            this.data = data;
            this.base = rng.nextLong();
            this.gen = vae(data, rng);
            this.adam = new Adam(gen.parameters(), genLr);
            this.m = replayed(data);
        }

        @Override
        public void train(Batch b) {
            int T = data.batchesPerTask(), idx = b.t() % data.numBatches();
            int task = Math.min(idx / T, data.numTasks() - 1);
            if (task > 0 && idx % T == 0) freeze();
            noise = Draws.at(base, b.t(), Draws.GEN);
            useGenerator(noise);
            float beta =
                    warmup == 0
                            ? maxBeta
                            : Math.min((float) (idx % T + 1) * b.y().length / warmup, maxBeta);
            Var x = Var.constant(b.x());
            Tensor xg = null;
            for (int it = 0; it < genIters; it++) {
                Var loss = gen.vaeLoss(gen.pass(x), x, beta).loss();
                if (task > 0) {
                    if (it == 0 || !reuse) xg = genReplay(this, b.x());
                    Var mx = Var.constant(xg);
                    loss =
                            F.add(
                                    loss,
                                    F.scale(gen.vaeLoss(gen.pass(mx), mx, beta).loss(), memCoeff));
                }
                Guard.loss(loss, "generator loss");
                adam.zeroGrad();
                Autograd.backward(loss);
                Guard.gradients(gen, "generator step");
                adam.step();
            }
            Tensor[] rc = null;
            for (int it = 0; it < clsIters; it++) {
                Var ce = F.crossEntropy(cls.forward(x), b.y());
                LossLog.add(LossLog.STEP_A, ce);
                Var loss = ce;
                if (task > 0) {
                    if (it == 0 || !reuse) rc = clsReplay(this, b.x());
                    Var replay = softCe(cls.forward(Var.constant(rc[0])), Var.constant(rc[1]));
                    LossLog.add(LossLog.STEP_B, replay);
                    loss = F.add(loss, F.scale(replay, memCoeff));
                }
                Guard.loss(loss, "classifier loss");
                opt.zeroGrad();
                Autograd.backward(loss);
                Guard.gradients(cls, "classifier step");
                opt.step();
            }
            if (sampler != null && (idx + 1 == data.numBatches() || (idx + 1) % T == 0))
                sampler.taskEnd(task, gen);
        }

        /** f_prev ← f, G_prev ← G, both in eval mode. */
        void freeze() {
            prevCls = cls.copy().eval();
            prevGen = (VaeModel) gen.copy().eval();
        }

        /** Every model of the run draws its noise from {@code g} (this iteration's stream). */
        void useGenerator(SplittableRandom g) {
            Dropout.useGenerator(cls, g);
            gen.useGenerator(g);
            if (prevGen != null) prevGen.useGenerator(g);
            if (virtualCls != null) Dropout.useGenerator(virtualCls, g);
            if (virtualGen != null) virtualGen.useGenerator(g);
        }

        @Override
        public Map<String, Tensor> stateTensors() {
            Map<String, Tensor> out = new LinkedHashMap<>(tensorsOf(gen, "gen."));
            grads(cls, "cls.grad.", out);
            grads(gen, "gen.grad.", out);
            adam.state().forEach((k, v) -> out.put("adam." + k, v));
            if (prevCls != null) {
                out.putAll(tensorsOf(prevCls, "prev_cls."));
                out.putAll(tensorsOf(prevGen, "prev_gen."));
            }
            if (sampler != null) sampler.save(out);
            return out;
        }

        @Override
        public Map<String, long[]> stateValues() {
            return Map.of("adam.steps", adam.steps());
        }

        @Override
        public void restoreState(Map<String, long[]> values, Map<String, Tensor> tensors) {
            long[] steps = values.get("adam.steps");
            if (steps == null)
                throw new IllegalArgumentException("checkpoint has no adam.steps for " + name());
            adam.restoreSteps(steps);
            attachGrads(cls, "cls.grad.", tensors);
            attachGrads(gen, "gen.grad.", tensors);
            if (tensors.keySet().stream().anyMatch(k -> k.startsWith("prev_cls."))) freeze();
            else prevCls = prevGen = null;
            if (sampler != null) sampler.restore(tensors);
        }
    }

    /**
     * The gradients a module holds between iterations (a zero tensor where there is none yet: a
     * virtual step along it is no step).
     */
    private static void grads(Module mod, String prefix, Map<String, Tensor> out) {
        mod.namedParameters()
                .forEach(
                        (n, p) ->
                                out.put(
                                        prefix + n,
                                        p.grad() != null
                                                ? p.grad()
                                                : Tensor.zeros(p.value().shape)));
    }

    /** Gives every parameter named in a checkpoint a gradient tensor for the restore to fill. */
    private static void attachGrads(Module mod, String prefix, Map<String, Tensor> saved) {
        mod.namedParameters()
                .forEach(
                        (n, p) -> {
                            if (saved.containsKey(prefix + n))
                                p.var.grad = Tensor.zeros(p.value().shape);
                        });
    }

    /**
     * −(1/N) Σ P ⊙ log clamp(softmax(z), 1e−5, 1): the MIR code's soft cross-entropy of the replay
     * (its upper clamp at 1 never binds on a softmax).
     */
    static Var softCe(Var logits, Var targets) {
        Var logp = F.log(F.clampMin(F.softmax(logits), 1e-5f));
        return F.scale(F.sum(F.mul(targets, logp)), -1f / logits.dim(0));
    }
}
