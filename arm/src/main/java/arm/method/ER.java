package arm.method;

import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.Draws;
import arm.run.LossLog;
import arm.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ER, experience replay (ALGORITHM.md §12; the MIR authors' er_main.py with rand_replay), on the
 * ARM code's data protocol. Per batch (X, Y) of task k:
 *
 * <pre>
 * iters times:
 *   zero the weight gradients
 *   backprop mean CE(f(X), Y)
 *   if the buffer holds samples of tasks other than k:
 *     (X_m, Y_m) ← M of them (ER: uniformly, without replacement; ER-MIR: {@link ErMir})
 *     backprop mean CE(f(X_m), Y_m)          (a second forward: gradients add up)
 *   one SGD step                               (θ ← θ − η0·(∇L_in + ∇L_mem), both at the same θ)
 * offer (X, Y) to the reservoir buffer          (after the step, as in the MIR code)
 * </pre>
 *
 * Choices, each documented in docs/REPRODUCE.md "ER and ER-MIR":
 *
 * <ul>
 *   <li>"Past task" is the task id stored with the slot ≠ the current batch's task, as in the MIR
 *       code. On our stream the buffer holds only task 0 during task 0, so replay starts with the
 *       first batch of task 1 ("replay begins from the end of the 1st task").
 *   <li>{@code mem} is the total number of slots (the paper's "#images"), not MIR's per-class
 *       --mem_size: MNIST's 25 images are 2.5 per class.
 *   <li>{@code iters} = MIR's disc_iters, 1 by default on every dataset: on the ARM protocol
 *       MiniImageNet's three passes come from the stream itself (each task block repeated 3 times),
 *       so each batch is trained 3 times already and offered to the buffer 3 times.
 *   <li>Real and replayed images go through separate forward passes (they are not concatenated), so
 *       BatchNorm normalises each on its own, as in the MIR code.
 *   <li>The buffer lives on the host as uint8; replayed images are uploaded per update when the
 *       model is on a device.
 * </ul>
 *
 * The row name is the method and the buffer size, "ER-50": results and the table key on it.
 */
class ER extends ContinualMethod {
    private final String base;
    final int mem, m, iters;
    private final ReservoirBuffer.Rule rule;

    ER(String base, Map<String, String> defaults, Map<String, String> overrides) {
        super(base, defaults, overrides);
        this.base = base;
        mem = opts.positiveInt("mem");
        m = opts.positiveInt("M");
        iters = opts.positiveInt("iters");
        rule = ReservoirBuffer.Rule.valueOf(opts.choice("reservoir", "exact", "mir").toUpperCase());
    }

    /** "ER-50", "ER-MIR-25": the method and its buffer size in images. */
    @Override
    public String name() {
        return base + "-" + mem;
    }

    /** Picks the replayed slots out of the past-task pool, once per update. */
    interface Selector {
        /**
         * @param pool the slots eligible for replay (past tasks), in slot order; never empty
         * @param rng this update's draws ({@link Draws}: REPLAY + update at t)
         * @return the slots to replay (at most M)
         */
        int[] select(int[] pool, SplittableRandom rng);

        /** Told which slots the batch just stored into (−1: not stored). */
        default void stored(int[] slots) {}
    }

    /**
     * ER: M slots of the pool uniformly without replacement, or the whole pool if it is smaller.
     */
    Selector selector(Module fCur, Sgd opt, ReservoirBuffer buffer, SplittableRandom rng) {
        return (pool, r) -> slots(pool, ReservoirBuffer.choose(pool.length, m, r));
    }

    @Override
    ErLearner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        return new ErLearner(fCur, opt, data, rng);
    }

    /**
     * One run: f_cur, its optimiser, the buffer and the replay choice. Its draws (replay choice,
     * reservoir slots) come from per-iteration streams ({@link Draws}); a checkpoint holds the
     * buffer and ER-MIR's stored logits.
     */
    final class ErLearner implements Learner {
        private final Module fCur;
        private final Sgd opt;
        private final ContinualData data;
        private final long base;
        final ReservoirBuffer buffer;
        final Selector selector;

        ErLearner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
            this.fCur = fCur;
            this.opt = opt;
            this.data = data;
            this.base = rng.nextLong();
            this.buffer = new ReservoirBuffer(mem, data.train().itemShape(), rule);
            this.selector = selector(fCur, opt, buffer, rng);
        }

        @Override
        public Map<String, Tensor> stateTensors() {
            return selector instanceof ErMir.Mir mir ? mir.stateTensors() : Map.of();
        }

        @Override
        public Map<String, long[]> stateValues() {
            return buffer.state();
        }

        @Override
        public void restoreState(Map<String, long[]> values, Map<String, Tensor> tensors) {
            buffer.restore(values);
            if (selector instanceof ErMir.Mir mir) mir.restoreState(tensors);
        }

        @Override
        public void train(Batch b) {
            int task = data.taskOf(b.y()[0]);
            Var x = Var.constant(b.x());
            // the step's temporaries (activations, the weight gradients of the last step) from the
            // thread's pool, as Naive's step: ER and ER-MIR allocated ~1.3 GB per run otherwise
            recycled(fCur, () -> steps(b, task, x));
            selector.stored(buffer.add(b.x(), b.y(), task, Draws.at(base, b.t(), Draws.RESERVOIR)));
        }

        private void steps(Batch b, int task, Var x) {
            for (int it = 0; it < iters; it++) {
                opt.zeroGrad();
                Var in = F.crossEntropy(fCur.forward(x), b.y());
                LossLog.add(LossLog.STEP_A, in);
                Autograd.backward(in);
                int[] pool = buffer.pastSlots(task);
                if (pool.length > 0) {
                    int[] replay = selector.select(pool, Draws.at(base, b.t(), Draws.REPLAY + it));
                    Var xm = Var.constant(onDevice(buffer.images(replay), device));
                    Var replayed = F.crossEntropy(fCur.forward(xm), buffer.labels(replay));
                    LossLog.add(LossLog.STEP_B, replayed);
                    Autograd.backward(replayed);
                }
                opt.step();
            }
        }
    }

    static int[] slots(int[] pool, int[] positions) {
        int[] out = new int[positions.length];
        for (int i = 0; i < positions.length; i++) out[i] = pool[positions[i]];
        return out;
    }
}
