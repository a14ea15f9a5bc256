package arm.method;

import arm.run.Guard;
import arm.run.RecallRecorder;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches one recall learner at the points of Algorithm 1 (ALGORITHM.md §1.4): the numerical guard
 * checks X̂, the recorder keeps the figures' data, tests trace the order of operations. None of
 * them changes training. A learner calls one observer, a {@link Chain} of all of them.
 */
interface RecallObserver {
    /** After f_old ← f_cur at iteration t. */
    default void refreshed(int t) {}

    /** After step A. */
    default void steppedA(int t) {}

    /** After X̂'s initialisation in a round that initialises. */
    default void initialised(int t, RecalledBatch xhat) {}

    /** After each input step of the refinement. */
    default void stepped(int t, RecalledBatch xhat) {}

    /** After the S input steps: X̂ is the recalled batch. */
    default void recalled(int t, RecalledBatch xhat) {}

    /** After step B's targets from f_old, before f_cur's forward. */
    default void targets(int t, RecalledBatch xhat) {}

    /**
     * After step B of a round, with a = f_old(X̂)'s logits (one row per stored image) and the real
     * batch; {@code last} for the iteration's last round.
     */
    default void distilled(
            int t, boolean last, RecalledBatch xhat, Tensor a, ContinualMethod.Batch batch) {}

    /**
     * The guard's check of X̂ after refinement (loss and gradient checks sit where those are made).
     */
    RecallObserver GUARD =
            new RecallObserver() {
                @Override
                public void recalled(int t, RecalledBatch xhat) {
                    Guard.tensor(xhat.images(), "recalled inputs X̂ after refinement");
                }
            };

    /**
     * A trace for tests: one call per event (refresh, stepA, refine, targets, stepB) with the M
     * replicated images (null for refresh and stepA).
     */
    @FunctionalInterface
    interface Trace extends RecallObserver {
        void at(String event, int t, Tensor xhat);

        @Override
        default void refreshed(int t) {
            at("refresh", t, null);
        }

        @Override
        default void steppedA(int t) {
            at("stepA", t, null);
        }

        @Override
        default void stepped(int t, RecalledBatch xhat) {
            at("refine", t, xhat.replicated());
        }

        @Override
        default void targets(int t, RecalledBatch xhat) {
            at("targets", t, xhat.replicated());
        }

        @Override
        default void distilled(
                int t, boolean last, RecalledBatch xhat, Tensor a, ContinualMethod.Batch batch) {
            at("stepB", t, xhat.replicated());
        }
    }

    /**
     * Hands the {@link RecallRecorder} f_old's logits on every final X̂ (Fig. 3) and, at the
     * iterations it keeps images of, X̂ before and after refinement (Fig. 2).
     */
    final class Recording implements RecallObserver {
        private final RecallRecorder recorder;
        private Tensor start; // X̂ as initialised, when the recorder keeps this iteration's images

        Recording(RecallRecorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void initialised(int t, RecalledBatch xhat) {
            Tensor m = xhat.replicated();
            start = recorder.wantsImages(t) ? Tensor.of(m.toArray(), m.shape) : null;
        }

        @Override
        public void distilled(
                int t, boolean last, RecalledBatch xhat, Tensor a, ContinualMethod.Batch batch) {
            Tensor logits = xhat.replicated(a); // M rows
            recorder.round(t, logits);
            if (start != null && last)
                recorder.images(t, start, xhat.replicated(), xhat.rows(), batch.y(), logits);
        }
    }

    /** Several observers, called in the order added. */
    final class Chain implements RecallObserver {
        private final List<RecallObserver> all = new ArrayList<>();

        Chain(RecallObserver first) {
            all.add(first);
        }

        void add(RecallObserver o) {
            all.add(o);
        }

        @Override
        public void refreshed(int t) {
            for (RecallObserver o : all) o.refreshed(t);
        }

        @Override
        public void steppedA(int t) {
            for (RecallObserver o : all) o.steppedA(t);
        }

        @Override
        public void initialised(int t, RecalledBatch xhat) {
            for (RecallObserver o : all) o.initialised(t, xhat);
        }

        @Override
        public void stepped(int t, RecalledBatch xhat) {
            for (RecallObserver o : all) o.stepped(t, xhat);
        }

        @Override
        public void recalled(int t, RecalledBatch xhat) {
            for (RecallObserver o : all) o.recalled(t, xhat);
        }

        @Override
        public void targets(int t, RecalledBatch xhat) {
            for (RecallObserver o : all) o.targets(t, xhat);
        }

        @Override
        public void distilled(
                int t, boolean last, RecalledBatch xhat, Tensor a, ContinualMethod.Batch batch) {
            for (RecallObserver o : all) o.distilled(t, last, xhat, a, batch);
        }
    }
}
