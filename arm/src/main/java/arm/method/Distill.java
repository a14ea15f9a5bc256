package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.Guard;
import arm.run.LossLog;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Distill, the LwF-style baseline (ALGORITHM.md §3.2): step A, then, from recall_from_t on, a
 * second SGD step on λ0_real · KL(softmax(f_old(X)) ‖ softmax(f_cur(X))) (batch mean, temperature
 * 1, single head). KL and soft cross-entropy differ by the targets' entropy, a constant, so the
 * step uses soft CE: same gradient.
 */
final class Distill extends ContinualMethod {
    private final float weight;

    Distill(Map<String, String> defaults, Map<String, String> overrides) {
        super("Distill", defaults, overrides);
        this.weight = opts.nonNegative("lambda0_real");
        opts.positiveOrTask("T");
        opts.nonNegativeOrTask("recall_from_t");
    }

    @Override
    Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        Lag lag = lag(data, rng);
        int recallFromT = recallFromT(data);
        Module fOld = fCur.copy();
        PairedSteps stepA = new PairedSteps(), stepB = new PairedSteps();
        return new Learner() {
            @Override
            public void train(Batch b) {
                if (lag.refreshAt(b.t())) fOld.copyFrom(fCur);
                recycled(fCur, () -> stepA.realStep(fCur, opt, b));
                if (b.t() >= recallFromT)
                    recycled(
                            fCur,
                            () ->
                                    stepB.run(
                                            b,
                                            pair ->
                                                    stepB.withPacksAhead(
                                                            pair, fCur, () -> distill(b, pair))));
            }

            /**
             * Step B: one SGD step on the soft CE to f_old's softmax on the real batch. With a
             * pair, f_old's no-grad targets are computed on the partner beside f_cur's forward (a
             * recycling scope of the thread that ran them takes f_old's activations back and keeps
             * the targets out of it; the two networks share only X), and the backward's weight
             * gradients on the partner beside the rest ({@link #backwardBeside}). After f_old's
             * forward the partner makes the f_cur weight packs that f_cur's forward has not made
             * (its backward's: {@link PairedSteps#withPacksAhead}).
             */
            private void distill(Batch b, Pair pair) {
                opt.zeroGrad();
                Var x = Var.constant(b.x());
                Var[] target = new Var[1], out = new Var[1];
                Runnable old =
                        () -> {
                            try (var ng = Autograd.noGrad();
                                    Scope sc = Scope.recycling()) {
                                target[0] = F.softmax(fOld.forward(x));
                                sc.keep(target[0].value);
                            }
                            // then the packs f_cur's forward has not made: its backward's
                            stepB.preparePacks(pair);
                        };
                Runnable cur = () -> out[0] = fCur.forward(x);
                if (pair != null) pair.both(old, cur);
                else {
                    old.run();
                    cur.run();
                }
                Var loss = F.scale(F.softCrossEntropy(out[0], target[0]), weight);
                LossLog.add(
                        LossLog.STEP_B,
                        Guard.loss(
                                loss,
                                "distillation loss λ0_real·softCE(f_cur(X), softmax(f_old(X)))"));
                backwardBeside(pair, loss);
                Guard.gradients(fCur, "distillation step");
                opt.step();
            }

            @Override
            public Map<String, Tensor> stateTensors() {
                return tensorsOf(fOld, "f_old.");
            }

            @Override
            public Map<String, long[]> stateValues() {
                return Map.of("lag.next", new long[] {lag.next()});
            }

            @Override
            public void restoreState(Map<String, long[]> values, Map<String, Tensor> tensors) {
                long[] next = values.get("lag.next");
                if (next == null || next.length != 1 || next[0] > Integer.MAX_VALUE)
                    throw new IllegalArgumentException("checkpoint lacks a valid lag.next");
                lag.resumeAt((int) next[0]);
            }
        };
    }
}
