package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.Guard;
import arm.run.LossLog;
import arm.run.NumericalException;
import arm.tensor.Backend;
import arm.tensor.CapturedStep;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code -Darm.graphs=reuse} on a device: ARM's two SGD steps (step A on the real batch, step B on
 * the recalled one) captured once per key and replayed, like the refinement steps ({@link
 * CapturedStep}). Each step is two graphs, so that the guard still stops a step before its values
 * reach the weights:
 *
 * <ol>
 *   <li>the <em>step</em>: forward, loss, backward; the gradients land in fixed device buffers, one
 *       per parameter, and each checked value (each loss, each gradient's sum: NaN or Inf anywhere
 *       makes a sum non-finite) is copied into one slot of a fixed flags tensor;
 *   <li>the host reads the flags once (one host wait per step, where the eager guard waits once per
 *       loss and once for the gradients) and throws, naming the first non-finite term in the order
 *       the eager guard checks them (losses, then gradients by parameter);
 *   <li>the <em>update</em>: p ← p − η·grad on the fixed buffers, one graph shared by both steps.
 * </ol>
 *
 * <p>What a replay must find in place: the real batch and its labels are copied into a fixed tensor
 * and a fixed input ({@link Backend#writeInts}) before step A; step B reads the refinement's fixed
 * X̂, counts and mask ({@link RecallMethod}'s fixed buffers of that key), and with aux_distill the
 * real batch's fixed copy. BatchNorm's counter and factor are {@link CapturedStep#everyRun}
 * effects. The learning rate is constant for a run (a key, baked in). Gradients accumulated over
 * rounds (R &gt; 1) accumulate into the fixed buffers, so a step that finds gradients there is its
 * own key. A logged iteration's steps add to its log's device scalars, so they are keyed by the log
 * and dropped after it.
 *
 * <p>Memory held: a gradient buffer per parameter (one copy of the weights), the real batch, a
 * flags tensor per key, and each graph's pool (the step's temporaries: activations and gradients of
 * one forward and backward).
 */
final class SgdGraphs implements AutoCloseable {
    private final Module fCur;
    private final Sgd opt;
    private final Backend be;
    private final List<Var> params;
    private final List<String> names;

    /** The fixed gradient of each parameter (null until a step first makes one). */
    private final Tensor[] grads;

    /** The graphs: step A, step B (one per refinement key), and the shared update. */
    final CapturedStep stepA, stepB, update;

    /** The real batch's fixed copy and labels, for the shape of {@link #realFor}. */
    private Tensor realX;

    private int[] labels;
    private String realFor;

    /** Per step key: its flags and what its runs made (see {@link Checks}). */
    private final Map<String, Checks> checks = new HashMap<>();

    SgdGraphs(Module fCur, Sgd opt, Backend be, int graphs) {
        this.fCur = fCur;
        this.opt = opt;
        this.be = be;
        this.params = fCur.parameters();
        this.names = new ArrayList<>(fCur.namedParameters().keySet());
        this.grads = new Tensor[params.size()];
        stepA = new CapturedStep(be, 2);
        stepB = new CapturedStep(be, 2 * graphs);
        update = new CapturedStep(be, 2);
    }

    /**
     * The checked values of one step key: the flags tensor (its losses, then a gradient sum per
     * parameter), the loss terms' names, and which parameters got a gradient (known from the key's
     * eager and captured runs; a replay runs no host code).
     */
    final class Checks {
        final Tensor flags;
        final String[] losses;
        final boolean[] hadGrad = new boolean[params.size()];
        private int next;

        Checks(String[] losses) {
            this.losses = losses;
            this.flags = Scope.outside(() -> be.empty(losses.length + params.size()));
        }

        /** The step's i-th loss into its flag slot (called in the step, in order). */
        void loss(Var loss) {
            if (next >= losses.length) throw new IllegalStateException("more losses than named");
            be.copyAlongAxis(loss.value.reshape(1), 0, 0, flags, next++, 1);
        }

        /**
         * After the step's backward: each gradient into its fixed buffer (a copy when backward made
         * a new one, as it does after zeroGrad; accumulated there otherwise) and, with the guard's
         * scans on, its sum into its flag slot.
         */
        void gradients() {
            next = 0;
            for (int i = 0; i < params.size(); i++) {
                Var p = params.get(i);
                hadGrad[i] = p.grad != null;
                if (p.grad == null) continue;
                Tensor fixed = grad(i);
                if (p.grad != fixed) {
                    be.copy(p.grad, fixed);
                    p.grad = fixed;
                }
                if (Guard.SCAN) {
                    try (Scope sc = Scope.open()) {
                        Tensor sum = be.empty(1);
                        be.sumTo(fixed, sum);
                        be.copyAlongAxis(sum, 0, 0, flags, losses.length + i, 1);
                    }
                }
            }
        }

        /** After the step ran: one read of the flags; throws as the eager guard would. */
        void check(String step) {
            for (int i = 0; i < hadGrad.length; i++) if (hadGrad[i]) params.get(i).grad = grad(i);
            float[] f = be.download(flags);
            for (int i = 0; i < losses.length; i++)
                if (!Float.isFinite(f[i]))
                    throw new NumericalException(losses[i], losses[i] + " is " + f[i]);
            if (!Guard.SCAN) return;
            for (int i = 0; i < hadGrad.length; i++)
                if (hadGrad[i] && !Float.isFinite(f[losses.length + i]))
                    throw Guard.badGradient(names.get(i), step);
        }
    }

    private Tensor grad(int i) {
        if (grads[i] == null) {
            Tensor v = params.get(i).value;
            grads[i] = Scope.outside(() -> be.empty(v.shape));
        }
        return grads[i];
    }

    /** The checks of {@code key}, made on first use. */
    Checks checks(String key, String... losses) {
        return checks.computeIfAbsent(key, k -> new Checks(losses));
    }

    /**
     * Before a step: a gradient a parameter holds from an eager step elsewhere moves into its fixed
     * buffer (a captured step may accumulate only there); returns whether any parameter holds one
     * (such a step accumulates: a key of its own).
     */
    boolean accumulates() {
        boolean any = false;
        for (int i = 0; i < params.size(); i++) {
            Var p = params.get(i);
            if (p.grad == null) continue;
            any = true;
            if (p.grad != grad(i)) {
                be.copy(p.grad, grad(i));
                p.grad = grad(i);
            }
        }
        return any;
    }

    /**
     * Runs {@code body} (forward, losses into {@code c}, backward, then {@code c.gradients()})
     * through {@code cs} under {@code key}, checks its flags, then the update.
     */
    void step(CapturedStep cs, String key, Checks c, String step, Runnable body) {
        cs.run(key, body);
        try {
            c.check(step);
        } finally {
            if (!LossLog.captureKey().isEmpty()) { // a logged iteration's graph is never replayed
                cs.drop(key);
                checks.remove(key).flags.close();
            }
        }
        StringBuilder k = new StringBuilder("update lr=").append(opt.lr()).append(' ');
        for (boolean h : c.hadGrad) k.append(h ? '1' : '0');
        update.run(k.toString(), opt::step);
    }

    /** The real batch's fixed copy for aux_distill (written by {@link #stepA} this iteration). */
    Tensor realX(Tensor x) {
        fixReal(x);
        be.copy(x, realX);
        return realX;
    }

    private void fixReal(Tensor x) {
        String shape = Shape.str(x.shape);
        if (shape.equals(realFor)) return;
        // a graph that read the old buffers goes first (steps B with aux_distill read it too)
        stepA.close();
        stepB.close();
        if (realX != null) realX.close();
        if (labels != null) be.releaseInts(labels);
        realX = Scope.outside(() -> be.empty(x.shape));
        labels = new int[x.shape[0]];
        realFor = shape;
    }

    /**
     * Step A: mean CE of f_cur on the real batch (copied into the fixed buffers), one SGD step; the
     * same operations as {@link ContinualMethod#realStep}.
     */
    void stepA(ContinualMethod.Batch batch) {
        Tensor x = batch.x();
        fixReal(x);
        be.copy(x, realX);
        System.arraycopy(batch.y(), 0, labels, 0, labels.length);
        be.writeInts(labels);
        String key = "step A " + realFor + LossLog.captureKey();
        String term = "step A loss CE(f_cur(X), Y)";
        Checks c = checks(key, term);
        Tensor in = realX;
        int[] y = labels;
        step(
                stepA,
                key,
                c,
                "step A",
                () -> {
                    try (Scope sc = Scope.recycling()) {
                        opt.zeroGrad();
                        Var loss = F.crossEntropy(fCur.forward(Var.constant(in)), y);
                        LossLog.add(LossLog.STEP_A, loss);
                        c.loss(loss);
                        Autograd.backward(loss);
                        c.gradients();
                    }
                });
    }

    /** Graphs and buffers given back (graphs first: they read the buffers). */
    @Override
    public void close() {
        stepA.close();
        stepB.close();
        update.close();
        for (Checks c : checks.values()) c.flags.close();
        checks.clear();
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] == null) continue;
            if (params.get(i).grad == grads[i]) params.get(i).grad = null;
            grads[i].close();
            grads[i] = null;
        }
        if (realX != null) realX.close();
        if (labels != null) be.releaseInts(labels);
        realX = null;
        labels = null;
        realFor = null;
    }

    /** For messages and tests: the keys of the step graphs held. */
    @Override
    public String toString() {
        return "step A "
                + stepA.heldKeys()
                + ", step B "
                + stepB.heldKeys()
                + ", update "
                + update.heldKeys()
                + ", grads "
                + Arrays.stream(grads).filter(g -> g != null).count();
    }
}
