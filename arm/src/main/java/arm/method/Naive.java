package arm.method;

import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Naive SGD (ALGORITHM.md §3.1): one hard-label CE step per batch, no old model. As "Stationary" it
 * trains on the shuffled stream the data side builds and is scored by pooled accuracy.
 */
final class Naive extends ContinualMethod {
    private final boolean stationary;

    Naive(
            String name,
            boolean stationary,
            Map<String, String> defaults,
            Map<String, String> overrides) {
        super(name, defaults, overrides);
        this.stationary = stationary;
    }

    @Override
    public boolean stationary() {
        return stationary;
    }

    @Override
    Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
        PairedSteps paired = new PairedSteps();
        return b -> recycled(fCur, () -> paired.realStep(fCur, opt, b));
    }
}
